"""Staff pages of forums and meetings: the forums a member of staff looks after, a forum with
its members and meetings, scheduling, changing and cancelling a meeting, and recording what
happened at it (attendance, minutes, concerns raised, decisions, reports back).

Each view's first line fetches its object through ``object_or_403``; writes go through
``ourbeat.engagement.services.meetings``. The police roles of the forum area's organisation,
within their area, manage; analysts read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ourbeat.concerns.models import Category
from ourbeat.core.permissions import FORUM_MANAGER_ROLES, FORUM_READER_ROLES, area_scope
from ourbeat.core.staff import apply_validation_errors, object_or_403, staff_view
from ourbeat.engagement.forms_meetings import (
    CancelForm,
    ForumForm,
    ItemForm,
    MeetingForm,
    MemberForm,
    RecordForm,
)
from ourbeat.engagement.models import Forum, ForumMember, Meeting, MeetingStatus
from ourbeat.engagement.services import meetings as services
from ourbeat.places.models import Area, AreaLevel

LIST_SIZE = 100
FORUM_MEETINGS = 30


def _forums_for(user: Any, roles: Any = FORUM_READER_ROLES) -> QuerySet[Forum]:
    forums = Forum.objects.select_related("area", "organisation")
    scope = area_scope(user, roles, "area__")
    return forums if scope is None else forums.filter(scope)


def _managed_areas(user: Any) -> QuerySet[Area]:
    areas = Area.objects.filter(
        level__in=[AreaLevel.NEIGHBOURHOOD, AreaLevel.DISTRICT, AreaLevel.SERVICE]
    ).order_by("level", "name")
    scope = area_scope(user, FORUM_MANAGER_ROLES, "")
    return areas if scope is None else areas.filter(scope)


def _votes_url(meeting: Meeting) -> str:
    """The vote-recording page of the priorities' part, when it exists."""
    try:
        return reverse("staff_engagement:meeting_votes", kwargs={"pk": meeting.pk})
    except NoReverseMatch:
        return ""


def _error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---- forums ----------------------------------------------------------------------------------


@staff_view
@require_safe
def forum_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("engagement.use_forums"):
        raise PermissionDenied
    now = timezone.now()
    forums = list(
        _forums_for(request.user).annotate(
            upcoming=Count(
                "meetings",
                filter=Q(meetings__starts_at__gte=now, meetings__status=MeetingStatus.SCHEDULED),
            ),
            members_now=Count("members", filter=Q(members__until__isnull=True), distinct=True),
        )[:LIST_SIZE]
    )
    return render(
        request,
        "engagement/staff/forum_list.html",
        {
            "forums": forums,
            "can_create": request.user.has_perm("engagement.create_forum"),
            "truncated": len(forums) == LIST_SIZE,
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def forum_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("engagement.create_forum"):
        raise PermissionDenied
    areas = _managed_areas(request.user)
    only = list(areas[:2])
    initial = {"area": only[0].pk} if len(only) == 1 else {}
    form = ForumForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = data["area"]
        if not request.user.has_perm("engagement.manage_area_forums", area):
            raise PermissionDenied
        try:
            forum = services.forum_create(
                actor=request.user,
                area=area,
                organisation=area.organisation,
                kind=data["kind"],
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                frequency=data["frequency"],
                rrule=data["rrule"],
                usual_venue=data["usual_venue"],
                usual_address=data["usual_address"],
                contact=data["contact"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("%(name)s is set up.") % {"name": forum.name})
            return redirect("staff_engagement:forum", pk=forum.pk)
    return render(request, "engagement/staff/forum_form.html", {"form": form})


@staff_view
@require_safe
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forum = object_or_403(request, Forum, "engagement.read_forum", pk=pk)
    now = timezone.now()
    meetings = forum.meetings.annotate(n_items=Count("items"))
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at")[:FORUM_MEETINGS])
    past = list(meetings.filter(ends_at__lt=now).order_by("-starts_at")[:FORUM_MEETINGS])
    members = list(forum.members.select_related("user").order_by("until", "role", "name"))
    return render(
        request,
        "engagement/staff/forum_detail.html",
        {
            "forum": forum,
            "members": [m for m in members if m.until is None],
            "former_members": [m for m in members if m.until is not None],
            "upcoming": upcoming,
            "past": past,
            "can_manage": request.user.has_perm("engagement.manage_forum", forum),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def forum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    forum = object_or_403(request, Forum, "engagement.manage_forum", pk=pk)
    form = ForumForm(request.POST or None, initial=ForumForm.initial_for(forum))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.forum_update(actor=request.user, forum=forum, **data)
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": forum.name})
            return redirect("staff_engagement:forum", pk=forum.pk)
    return render(request, "engagement/staff/forum_form.html", {"form": form, "forum": forum})


@staff_view
@require_http_methods(["GET", "POST"])
def forum_members(request: HttpRequest, pk: int) -> HttpResponse:
    forum = object_or_403(request, Forum, "engagement.manage_forum", pk=pk)
    form = MemberForm(request.POST if "add" in request.POST else None)
    if request.method == "POST":
        try:
            if "end" in request.POST:
                member_id = request.POST.get("end", "")
                member = (
                    ForumMember.objects.filter(forum=forum, pk=int(member_id)).first()
                    if member_id.isdigit()
                    else None
                )
                if member is None:
                    raise ValidationError(_("That person is not a member of this forum."))
                services.forum_member_end(actor=request.user, member=member)
                messages.success(
                    request, _("%(name)s is no longer a member.") % {"name": member.name}
                )
                return redirect("staff_engagement:forum_members", pk=forum.pk)
            if form.is_valid():
                member = services.forum_member_add(
                    actor=request.user, forum=forum, **form.cleaned_data
                )
                messages.success(request, _("%(name)s is a member.") % {"name": member.name})
                return redirect("staff_engagement:forum_members", pk=forum.pk)
        except ValidationError as error:
            if "end" in request.POST:
                _error(request, error)
            else:
                apply_validation_errors(form, error)
    members = list(forum.members.filter(until__isnull=True).order_by("role", "name"))
    return render(
        request,
        "engagement/staff/forum_members.html",
        {"forum": forum, "form": form, "members": members},
    )


# ---- meetings --------------------------------------------------------------------------------


@staff_view
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("engagement.use_forums"):
        raise PermissionDenied
    now = timezone.now()
    forums = _forums_for(request.user)
    meetings = Meeting.objects.filter(forum__in=forums.values("pk")).select_related(
        "forum", "forum__area"
    )
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at")[:LIST_SIZE])
    to_record = list(
        meetings.filter(ends_at__lt=now, status=MeetingStatus.SCHEDULED).order_by("-starts_at")[
            :LIST_SIZE
        ]
    )
    return render(
        request,
        "engagement/staff/meeting_list.html",
        {"upcoming": upcoming, "to_record": to_record},
    )


def _meeting_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in MeetingForm.FIELDS}


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    forum = object_or_403(request, Forum, "engagement.manage_forum", pk=pk)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_from_forum(forum))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                actor=request.user, forum=forum, **_meeting_kwargs(form.cleaned_data)
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The meeting is scheduled and published."))
            return redirect("staff_engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_form.html", {"form": form, "forum": forum})


@staff_view
@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(request, Meeting, "engagement.read_meeting", pk=pk)
    now = timezone.now()
    registrations = list(meeting.registrations.order_by("created_at").only("needs", "created_at"))
    return render(
        request,
        "engagement/staff/meeting_detail.html",
        {
            "meeting": meeting,
            "forum": meeting.forum,
            "items": list(
                meeting.items.select_related("concern", "priority").order_by("order", "pk")
            ),
            "votes": list(meeting.votes.select_related("priority")),
            "registered": len(registrations),
            "needs": [r.needs for r in registrations if r.needs],
            "places_left": services.places_left(meeting),
            "can_manage": request.user.has_perm("engagement.manage_meeting", meeting),
            "can_change": meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now,
            "can_cancel": meeting.status == MeetingStatus.SCHEDULED,
            "can_record": meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= now,
            "votes_url": _votes_url(meeting),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(request, Meeting, "engagement.manage_meeting", pk=pk)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user, meeting=meeting, **_meeting_kwargs(form.cleaned_data)
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("staff_engagement:meeting", pk=meeting.pk)
    return render(
        request,
        "engagement/staff/meeting_form.html",
        {"form": form, "forum": meeting.forum, "meeting": meeting},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(request, Meeting, "engagement.manage_meeting", pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The meeting is cancelled; the public sees why."))
            return redirect("staff_engagement:meeting", pk=meeting.pk)
    return render(
        request, "engagement/staff/meeting_cancel.html", {"form": form, "meeting": meeting}
    )


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(request, Meeting, "engagement.manage_meeting", pk=pk)
    form = RecordForm(request.POST or None, initial=RecordForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("staff_engagement:meeting", pk=meeting.pk)
    return render(
        request, "engagement/staff/meeting_record.html", {"form": form, "meeting": meeting}
    )


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_items(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(request, Meeting, "engagement.manage_meeting", pk=pk)
    categories = Category.objects.filter(active=True).order_by("group", "name")
    form = ItemForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.meeting_item_add(
                actor=request.user, meeting=meeting, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            if item.concern is not None:
                messages.success(
                    request,
                    _("Added, and filed as concern %(reference)s.")
                    % {"reference": item.concern.reference},
                )
            else:
                messages.success(request, _("Added."))
            return redirect("staff_engagement:meeting_items", pk=meeting.pk)
    items = list(meeting.items.select_related("concern").order_by("order", "pk"))
    return render(
        request,
        "engagement/staff/meeting_items.html",
        {"form": form, "meeting": meeting, "items": items},
    )
