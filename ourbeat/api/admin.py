"""Open311 client applications: an administrator issues each one its api_key here (shown
once, in the confirmation message) and can switch a key off."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ourbeat.api.models import Open311Client
from ourbeat.api.open311_services import open311_client_issue, open311_client_set_active
from ourbeat.core.admin import AuditedAdmin


@admin.register(Open311Client)
class Open311ClientAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "key_prefix", "active", "created_at"]
    list_filter = ["active", "organisation"]
    search_fields = ["name"]
    fields = ["name", "organisation", "active", "key_prefix", "created_at"]
    readonly_fields = ["key_prefix", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            if "active" in form.changed_data:
                open311_client_set_active(client=obj, active=obj.active, actor=request.user)
            if set(form.changed_data) - {"active"}:
                super().save_model(request, obj, form, change)
            return
        issued = open311_client_issue(
            name=obj.name, organisation=obj.organisation, actor=request.user
        )
        if not obj.active:
            open311_client_set_active(client=issued.client, active=False, actor=request.user)
        obj.pk = issued.client.pk
        obj.key_prefix = issued.client.key_prefix
        obj.key_hash = issued.client.key_hash
        obj.created_at = issued.client.created_at
        obj._state.adding = False
        obj._state.db = issued.client._state.db
        messages.warning(
            request,
            _("The api_key of %(name)s, shown only this once: %(key)s")
            % {"name": issued.client.name, "key": issued.key},
        )
