"""The engagement models in the Django admin, for site administrators. Every save and delete
is written to the audit log (``AuditedAdmin``); everyday work goes through the staff pages and
their services, which check the rules of the loop."""

from django.contrib import admin
from django.db import models

from ourbeat.core.admin import AuditedAdmin
from ourbeat.engagement.models import (
    Action,
    Follower,
    Forum,
    ForumMember,
    Meeting,
    MeetingItem,
    MeetingVote,
    Priority,
    PriorityOrigin,
    Registration,
    Vote,
)


class ForumMemberInline(admin.TabularInline):
    model = ForumMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Forum)
class ForumAdmin(AuditedAdmin):
    list_display = ["name", "kind", "area", "organisation", "frequency", "active"]
    list_filter = ["kind", "frequency", "active", "organisation"]
    search_fields = ["name", "slug", "external_id", "usual_venue"]
    autocomplete_fields = ["area"]
    inlines = [ForumMemberInline]


@admin.register(ForumMember)
class ForumMemberAdmin(AuditedAdmin):
    list_display = ["name", "role", "represents", "forum", "since", "until", "public"]
    list_filter = ["role", "public"]
    search_fields = ["name", "represents", "forum__name"]
    autocomplete_fields = ["forum", "user"]


class MeetingItemInline(admin.TabularInline):
    model = MeetingItem
    extra = 0
    raw_id_fields = ["concern", "priority"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "forum", "starts_at", "venue", "status", "attendance"]
    list_filter = ["status", "registration_required"]
    search_fields = ["title", "venue", "address", "external_id", "forum__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["forum"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MeetingItemInline]


@admin.register(Registration)
class RegistrationAdmin(AuditedAdmin):
    list_display = ["meeting", "name", "email", "created_at"]
    search_fields = ["name", "email", "meeting__title"]
    raw_id_fields = ["meeting", "user"]


@admin.register(MeetingItem)
class MeetingItemAdmin(AuditedAdmin):
    list_display = ["__str__", "kind", "meeting", "concern", "priority"]
    list_filter = ["kind"]
    search_fields = ["text"]
    raw_id_fields = ["meeting", "concern", "priority"]


class PriorityOriginInline(admin.TabularInline):
    model = PriorityOrigin
    fk_name = "priority"
    extra = 0
    raw_id_fields = ["concern", "meeting_item", "proposal", "user"]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    raw_id_fields = ["owner_user"]


@admin.register(Priority)
class PriorityAdmin(AuditedAdmin):
    list_display = ["title", "area", "status", "proposed_at", "adopted_at", "closed_at"]
    list_filter = ["status"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["area"]
    raw_id_fields = ["forum", "proposed_by", "adopted_at_meeting", "carried_over_from"]
    readonly_fields = ["version"]
    inlines = [PriorityOriginInline, ActionInline]


@admin.register(PriorityOrigin)
class PriorityOriginAdmin(AuditedAdmin):
    list_display = ["priority", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["priority", "concern", "meeting_item", "proposal", "user"]


@admin.register(Action)
class ActionAdmin(AuditedAdmin):
    list_display = ["title", "priority", "owner_organisation", "due_on", "status"]
    list_filter = ["status", "owner_organisation"]
    search_fields = ["title", "description", "result"]
    raw_id_fields = ["priority", "owner_user"]
    readonly_fields = ["version"]


@admin.register(Vote)
class VoteAdmin(AuditedAdmin):
    list_display = ["priority", "question", "in_favour", "created_at"]
    list_filter = ["question", "in_favour"]
    raw_id_fields = ["priority", "user"]


@admin.register(MeetingVote)
class MeetingVoteAdmin(AuditedAdmin):
    list_display = ["priority", "meeting", "question", "in_favour", "against", "abstained"]
    list_filter = ["question"]
    raw_id_fields = ["priority", "meeting"]


@admin.register(Follower)
class FollowerAdmin(AuditedAdmin):
    list_display = ["priority", "user", "created_at"]
    raw_id_fields = ["priority", "user"]
