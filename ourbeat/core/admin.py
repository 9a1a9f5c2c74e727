"""Admin pages write through the audit log like every other staff write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from ourbeat.core import audit
from ourbeat.core.models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = "update" if change else "create"
        audit.record(
            f"admin.{obj._meta.label_lower}.{verb}",
            actor=request.user,
            obj=obj,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit.record(f"admin.{obj._meta.label_lower}.delete", actor=request.user, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit.record(f"admin.{obj._meta.label_lower}.delete", actor=request.user, obj=obj)
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "action", "actor_label", "object_type", "object_repr"]
    list_filter = ["action"]
    search_fields = ["action", "object_repr", "actor_label", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
