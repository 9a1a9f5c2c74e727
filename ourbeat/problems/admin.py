"""Problem-solving cases in the Django admin, for site administrators. Every save and delete
is written to the audit log (``AuditedAdmin``); everyday work goes through the staff pages and
``problems.services``, which check the rules of the SARA stages."""

from django.contrib import admin
from django.http import HttpRequest

from ourbeat.core.admin import AuditedAdmin
from ourbeat.problems.models import (
    Assessment,
    CaseMember,
    Document,
    Goal,
    Hypothesis,
    Note,
    Problem,
    Response,
    Task,
    TriangleEntry,
)


class CaseMemberInline(admin.TabularInline):
    model = CaseMember
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(Problem)
class ProblemAdmin(AuditedAdmin):
    list_display = ["title", "organisation", "area", "stage", "origin_kind", "updated_at"]
    list_filter = ["stage", "origin_kind", "organisation"]
    search_fields = ["title", "description"]
    raw_id_fields = ["organisation", "area", "priority", "opened_by"]
    filter_horizontal = ["concerns"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [CaseMemberInline]


@admin.register(TriangleEntry)
class TriangleEntryAdmin(AuditedAdmin):
    list_display = ["problem", "side", "controller", "effectiveness"]
    list_filter = ["side", "effectiveness"]
    raw_id_fields = ["problem"]


@admin.register(Hypothesis)
class HypothesisAdmin(AuditedAdmin):
    list_display = ["problem", "statement", "result"]
    list_filter = ["result"]
    raw_id_fields = ["problem"]


@admin.register(Response)
class ResponseAdmin(AuditedAdmin):
    list_display = ["problem", "technique", "organisation"]
    list_filter = ["technique"]
    raw_id_fields = ["problem", "organisation"]


@admin.register(Goal)
class GoalAdmin(AuditedAdmin):
    list_display = ["problem", "text", "target_reduction_percent"]
    raw_id_fields = ["problem"]


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["title", "problem", "organisation", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["problem", "response", "organisation"]


@admin.register(Assessment)
class AssessmentAdmin(AuditedAdmin):
    list_display = ["problem", "after_start", "after_end", "decision"]
    list_filter = ["decision"]
    raw_id_fields = ["problem", "comparison_area", "created_by"]
    readonly_fields = ["figures"]


@admin.register(Note)
class NoteAdmin(AuditedAdmin):
    list_display = ["problem", "organisation", "created_at"]
    raw_id_fields = ["problem", "author", "organisation"]


@admin.register(Document)
class DocumentAdmin(AuditedAdmin):
    # Documents are uploaded through the case workspace, which checks type and size.
    list_display = ["title", "problem", "original_name", "size", "created_at"]
    raw_id_fields = ["problem", "uploaded_by", "organisation"]
    readonly_fields = ["stored_name", "content_type", "size", "sha256"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
