from django.contrib import admin

from ourbeat.core.admin import AuditedAdmin
from ourbeat.teams.models import (
    Assignment,
    ContactPoint,
    OccurrenceChange,
    OfficerProfile,
    VisibilityCommitment,
    VisibilityLog,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(OfficerProfile)
class OfficerProfileAdmin(AuditedAdmin):
    list_display = ["name", "rank", "organisation", "public"]
    list_filter = ["organisation", "public"]
    search_fields = ["name", "rank"]
    inlines = [AssignmentInline]
    autocomplete_fields = ["user"]


class OccurrenceChangeInline(admin.TabularInline):
    model = OccurrenceChange
    extra = 0


@admin.register(ContactPoint)
class ContactPointAdmin(AuditedAdmin):
    list_display = ["title", "kind", "area", "starts_at", "rrule", "cancelled"]
    list_filter = ["kind", "cancelled"]
    search_fields = ["title", "venue"]
    autocomplete_fields = ["area"]
    inlines = [OccurrenceChangeInline]


@admin.register(VisibilityCommitment)
class VisibilityCommitmentAdmin(AuditedAdmin):
    list_display = ["area", "metric", "monthly_target"]
    autocomplete_fields = ["area"]


@admin.register(VisibilityLog)
class VisibilityLogAdmin(AuditedAdmin):
    list_display = ["area", "day", "metric", "amount", "logged_by"]
    list_filter = ["metric"]
    autocomplete_fields = ["area"]
