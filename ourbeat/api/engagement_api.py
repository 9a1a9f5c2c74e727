"""Listening and engagement in ourbeat's JSON API (mounted in ``api.py`` under the
"engagement" tag): a neighbourhood's priorities with their actions, votes and provenance,
its meetings (upcoming and past, with attendance and minutes for those held, missed ones
flagged) and its forums. Read-only and public: nobody who proposed a priority or reported a
concern is ever named, nor a forum member who asked not to be, and registrations and
attendance by group stay with staff. Each list costs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ourbeat.concerns.selectors import public_concerns
from ourbeat.engagement.models import (
    CLOSED_PRIORITY_STATUSES,
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Forum,
    ForumMember,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    MemberRole,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Vote,
)
from ourbeat.places.models import Area, AreaLevel

router = Router(tags=["engagement"])

# Database ids are positive 32-bit integers here; a bigger number in a path is simply not
# found (SQLite cannot even bind one above 2**63).
MAX_ID = 2**31 - 1


class EngagementProblem(Schema):
    detail: Any


class ActionOut(Schema):
    id: int
    title: str
    description: str
    owner: str = Field(..., description="the police service or partner agency that acts")
    due_on: date
    status: Literal["planned", "in_progress", "done", "cancelled"]
    overdue: bool = Field(..., description="planned or in progress after its due date")
    result: str = Field(..., description="what was done, as published")
    completed_at: datetime | None


class MeetingVoteOut(Schema):
    meeting: int = Field(..., description="the meeting's id")
    date: datetime = Field(..., description="when the meeting started")
    question: Literal["adopt", "resolved"]
    in_favour: int
    against: int
    abstained: int
    carried: bool


class OnlineVotes(Schema):
    in_favour: int
    against: int


class Support(Schema):
    accounts: int = Field(..., description="verified residents who support adopting it (one each)")
    without_account: int = Field(..., description="support without an account, counted apart")


class OriginCounts(Schema):
    proposal: int
    concern: int
    meeting_item: int
    survey_answer: int


class PriorityOut(Schema):
    id: int
    title: str
    description: str
    status: Literal[
        "proposed", "adopted", "active", "under_review", "resolved", "carried_over", "dropped"
    ]
    neighbourhood: str = Field(..., description="the neighbourhood's slug")
    forum: str | None = Field(..., description="the slug of the forum that adopted it")
    proposed_at: datetime
    adopted_at: datetime | None
    adopted_at_meeting: int | None
    closed_at: datetime | None
    outcome: str = Field(..., description="what was done (police.uk's `action`)")
    outcome_at: datetime | None
    reason: str = Field(..., description="why it was dropped or carried over")
    carried_over_from: int | None
    carried_over_into: int | None
    support: Support
    online_votes: dict[str, OnlineVotes] = Field(
        ..., description="verified residents' votes online, by question (`adopt`, `resolved`)"
    )
    meeting_votes: list[MeetingVoteOut]
    origins: OriginCounts = Field(..., description="how many things raised it, by kind")
    actions: list[ActionOut]
    url: str = Field(..., description="the priority's public page")


class PriorityPage(Schema):
    neighbourhood: str
    total: int
    limit: int
    offset: int
    items: list[PriorityOut]


class OriginOut(Schema):
    kind: Literal["proposal", "concern", "meeting_item", "survey_answer"]
    summary: str
    created_at: datetime
    concern: str | None = Field(
        ..., description="the reference of a published concern that raised it"
    )
    meeting: int | None = Field(..., description="the meeting where it was raised")
    proposal: int | None = Field(..., description="a proposal merged into it (or its own)")


class PriorityDetail(PriorityOut):
    provenance: list[OriginOut] = Field(..., description="what raised it, oldest first; never who")


class ForumRef(Schema):
    slug: str
    name: str
    kind: str


class ItemOut(Schema):
    kind: Literal["concern", "report_back", "decision"]
    text: str
    priority: int | None


class MeetingOut(Schema):
    id: int
    forum: ForumRef
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    address: str
    accessibility: str
    online_url: str
    agenda: str
    registration_required: bool
    capacity: int | None
    places_left: int | None = Field(..., description="for a meeting that takes registrations")
    status: Literal["scheduled", "held", "cancelled"]
    missed: bool = Field(..., description="it was due and nothing was recorded")
    cancel_reason: str
    attendance: int | None
    minutes: str = Field(..., description="once published")
    minutes_published_at: datetime | None
    items: list[ItemOut]
    votes: list[MeetingVoteOut]
    url: str = Field(..., description="the meeting's public page")


class MeetingPage(Schema):
    neighbourhood: str
    total: int
    limit: int
    offset: int
    items: list[MeetingOut]


class MemberOut(Schema):
    name: str
    role: str
    represents: str
    since: date


class ForumOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    area: str = Field(..., description="the slug of the area it serves")
    organisation: str = Field(..., description="who convenes it")
    frequency: str
    rrule: str = Field(..., description="the usual pattern, as an iCalendar RRULE")
    usual_venue: str
    usual_address: str
    contact: str
    active: bool
    members: list[MemberOut] = Field(..., description="current members who are named in public")
    members_not_named: int = Field(..., description="current members who asked not to be named")
    next_meeting: MeetingOut | None
    url: str = Field(..., description="the forum's public page")


class PriorityQuery(Schema):
    status: (
        Literal[
            "live",
            "closed",
            "proposed",
            "adopted",
            "active",
            "under_review",
            "resolved",
            "carried_over",
            "dropped",
        ]
        | None
    ) = Field(
        None,
        description=(
            "`live` (adopted, active or under review), `closed` (resolved, carried over or "
            "dropped), or one status"
        ),
    )
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class MeetingQuery(Schema):
    when: Literal["upcoming", "past", "all"] = Field(
        "all", description="upcoming (soonest first), past (latest first) or all (latest first)"
    )
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


def _url(obj: Priority | Meeting | Forum) -> str:
    """The object's public page (language-prefixed, as the site's links are)."""
    return str(obj.get_absolute_url())


def _neighbourhood(slug: str) -> Area:
    if "\x00" in slug or len(slug) > 80:
        raise HttpError(404, "No neighbourhood has that slug.")
    area = (
        Area.objects.filter(slug=slug, level=AreaLevel.NEIGHBOURHOOD)
        .select_related("parent")
        .only("pk", "slug", "name", "parent", "parent__parent")
        .first()
    )
    if area is None:
        raise HttpError(404, "No neighbourhood has that slug.")
    return area


def _meeting_vote(vote: MeetingVote) -> dict[str, Any]:
    return {
        "meeting": vote.meeting_id,
        "date": vote.meeting.starts_at,
        "question": vote.question,
        "in_favour": vote.in_favour,
        "against": vote.against,
        "abstained": vote.abstained,
        "carried": vote.carried,
    }


def _priorities() -> QuerySet[Priority]:
    """Published priorities with everything a list shows, in a fixed number of queries."""
    return (
        Priority.objects.filter(published_at__isnull=False)
        .select_related("area", "forum")
        .only(
            *(
                f.name
                for f in Priority._meta.concrete_fields
                if f.name not in {"proposed_by", "version", "updated_at"}
            ),
            "area__slug",
            "forum__slug",
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner_organisation").only(
                    *(f.name for f in Action._meta.concrete_fields if f.name != "owner_user"),
                    "owner_organisation__name",
                ),
            ),
            Prefetch(
                "meeting_votes",
                queryset=MeetingVote.objects.select_related("meeting")
                .only(*(f.name for f in MeetingVote._meta.concrete_fields), "meeting__starts_at")
                .order_by("meeting__starts_at", "pk"),
            ),
            Prefetch("carried_into", queryset=Priority.objects.only("pk", "carried_over_from")),
        )
    )


def _priority_rows(priorities: Sequence[Priority]) -> list[dict[str, Any]]:
    ids = [p.pk for p in priorities]
    online: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: {q: {"in_favour": 0, "against": 0} for q in Question.values}
    )
    for row in (
        Vote.objects.filter(priority_id__in=ids)
        .values("priority_id", "question", "in_favour")
        .annotate(n=Count("id"))
        .order_by()
    ):
        side = "in_favour" if row["in_favour"] else "against"
        online[row["priority_id"]][row["question"]][side] = row["n"]
    origins: dict[int, dict[str, int]] = defaultdict(
        lambda: {"proposal": 0, "concern": 0, "meeting_item": 0, "survey_answer": 0}
    )
    for origin in (
        PriorityOrigin.objects.filter(priority_id__in=ids)
        .values("priority_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        origins[origin["priority_id"]][origin["kind"]] = origin["n"]
    today = timezone.localdate()
    rows = []
    for p in priorities:
        votes = online[p.pk]
        follow = next(iter(p.carried_into.all()), None)
        rows.append(
            {
                "id": p.pk,
                "title": p.title,
                "description": p.description,
                "status": p.status,
                "neighbourhood": p.area.slug,
                "forum": p.forum.slug if p.forum else None,
                "proposed_at": p.proposed_at,
                "adopted_at": p.adopted_at,
                "adopted_at_meeting": p.adopted_at_meeting_id,
                "closed_at": p.closed_at,
                "outcome": p.outcome,
                "outcome_at": p.outcome_at,
                "reason": p.reason,
                "carried_over_from": p.carried_over_from_id,
                "carried_over_into": follow.pk if follow else None,
                "support": {
                    "accounts": votes[Question.ADOPT]["in_favour"],
                    "without_account": p.anonymous_support,
                },
                "online_votes": dict(votes),
                "meeting_votes": [_meeting_vote(v) for v in p.meeting_votes.all()],
                "origins": origins[p.pk],
                "actions": [
                    {
                        "id": a.pk,
                        "title": a.title,
                        "description": a.description,
                        "owner": a.owner_organisation.name,
                        "due_on": a.due_on,
                        "status": a.status,
                        "overdue": a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
                        and a.due_on < today,
                        "result": a.result,
                        "completed_at": a.completed_at,
                    }
                    for a in p.actions.all()
                ],
                "url": _url(p),
            }
        )
    return rows


# Co-chairs first, then the secretary, then the members.
ROLE_ORDER: dict[str, int] = {
    MemberRole.RESIDENT_CO_CHAIR: 0,
    MemberRole.OFFICER_CO_CHAIR: 1,
    MemberRole.SECRETARY: 2,
    MemberRole.MEMBER: 3,
}

STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "live": tuple(LIVE_PRIORITY_STATUSES),
    "closed": tuple(CLOSED_PRIORITY_STATUSES),
}


@router.get(
    "/neighbourhoods/{slug}/priorities",
    response={200: PriorityPage, 404: EngagementProblem},
)
def neighbourhood_priorities(
    request: HttpRequest, slug: str, query: Query[PriorityQuery]
) -> dict[str, Any]:
    """The neighbourhood's priorities, live first (adopted, active, under review), then
    proposals, then past ones with their outcome; each newest first, with its actions, the
    votes at meetings and online, and how many things raised it."""
    area = _neighbourhood(slug)
    qs = _priorities().filter(area=area)
    if query.status:
        qs = qs.filter(status__in=STATUS_GROUPS.get(query.status, (query.status,)))
    order = Case(
        When(status__in=LIVE_PRIORITY_STATUSES, then=Value(0)),
        When(status=PriorityStatus.PROPOSED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    page = list(
        qs.annotate(group=order).order_by(
            "group", "-adopted_at", "-closed_at", "-proposed_at", "-pk"
        )[query.offset : query.offset + query.limit]
    )
    return {
        "neighbourhood": area.slug,
        "total": qs.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": _priority_rows(page),
    }


@router.get("/priorities/{pk}", response={200: PriorityDetail, 404: EngagementProblem})
def priority_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One priority with its provenance: the proposals, concerns (by public reference, when
    published), meeting items and survey answers that raised it, never the people."""
    if not 1 <= pk <= MAX_ID:
        raise HttpError(404, "No priority has that id.")
    priority = _priorities().filter(pk=pk).first()
    if priority is None:
        raise HttpError(404, "No priority has that id.")
    origins = list(
        PriorityOrigin.objects.filter(priority=priority)
        .select_related("meeting_item")
        .only(
            "kind",
            "summary",
            "created_at",
            "concern_id",
            "proposal_id",
            "meeting_item__meeting_id",
        )
    )
    concern_ids = {o.concern_id for o in origins if o.concern_id}
    references = dict(
        public_concerns().filter(pk__in=concern_ids).values_list("pk", "reference")
        if concern_ids
        else []
    )
    return {
        **_priority_rows([priority])[0],
        "provenance": [
            {
                "kind": o.kind,
                "summary": o.summary,
                "created_at": o.created_at,
                "concern": references.get(o.concern_id) if o.concern_id else None,
                "meeting": o.meeting_item.meeting_id if o.meeting_item else None,
                "proposal": o.proposal_id,
            }
            for o in origins
        ],
    }


def _meetings() -> QuerySet[Meeting]:
    return (
        Meeting.objects.select_related("forum")
        .only(
            *(f.name for f in Meeting._meta.concrete_fields if f.name != "attendance_by_group"),
            "forum__slug",
            "forum__name",
            "forum__kind",
        )
        .annotate(registered=Count("registrations"))
        .prefetch_related(
            Prefetch(
                "items", queryset=MeetingItem.objects.only("meeting", "kind", "text", "priority")
            ),
            Prefetch(
                "votes",
                queryset=MeetingVote.objects.select_related("meeting").only(
                    *(f.name for f in MeetingVote._meta.concrete_fields), "meeting__starts_at"
                ),
            ),
        )
    )


def _meeting_row(m: Any, now: datetime) -> dict[str, Any]:
    published = m.minutes_published_at is not None and m.minutes_published_at <= now
    held = m.status == MeetingStatus.HELD
    return {
        "id": m.pk,
        "forum": {"slug": m.forum.slug, "name": m.forum.name, "kind": m.forum.kind},
        "title": m.title,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "venue": m.venue,
        "address": m.address,
        "accessibility": m.accessibility,
        "online_url": m.online_url,
        "agenda": m.agenda,
        "registration_required": m.registration_required,
        "capacity": m.capacity,
        "places_left": max(0, m.capacity - m.registered)
        if m.registration_required and m.capacity is not None
        else None,
        "status": m.status,
        "missed": m.status == MeetingStatus.SCHEDULED and m.ends_at < now,
        "cancel_reason": m.cancel_reason,
        "attendance": m.attendance if held else None,
        "minutes": m.minutes if held and published else "",
        "minutes_published_at": m.minutes_published_at if published else None,
        "items": [
            {"kind": i.kind, "text": i.text, "priority": i.priority_id} for i in m.items.all()
        ]
        if held
        else [],
        "votes": [_meeting_vote(v) for v in m.votes.all()] if held else [],
        "url": _url(m),
    }


def _forums_for(area: Area) -> Q:
    """Forums that residents of the neighbourhood attend: its own and those of the district
    and the service area it lies in."""
    ids = [area.pk, area.parent_id]
    if area.parent is not None:
        ids.append(area.parent.parent_id)
    return Q(forum__area_id__in=[i for i in ids if i is not None])


@router.get("/neighbourhoods/{slug}/meetings", response={200: MeetingPage, 404: EngagementProblem})
def neighbourhood_meetings(
    request: HttpRequest, slug: str, query: Query[MeetingQuery]
) -> dict[str, Any]:
    """Meetings of the neighbourhood's forums and of the district's and town's forums:
    upcoming ones with venue, online link and registration; past ones with attendance,
    published minutes, items and votes when held, flagged `missed` when due and never
    recorded, and cancelled ones with the reason."""
    area = _neighbourhood(slug)
    now = timezone.now()
    qs = _meetings().filter(_forums_for(area))
    if query.when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif query.when == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        qs = qs.order_by("-starts_at", "-pk")
    page = list(qs[query.offset : query.offset + query.limit])
    return {
        "neighbourhood": area.slug,
        "total": qs.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [_meeting_row(m, now) for m in page],
    }


@router.get("/forums/{slug}", response={200: ForumOut, 404: EngagementProblem})
def forum_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A forum with its current members named in public (and how many are not) and its
    next meeting."""
    if "\x00" in slug or len(slug) > 80:
        raise HttpError(404, "No forum has that slug.")
    try:
        forum = get_object_or_404(
            Forum.objects.select_related("area", "organisation").only(
                *(f.name for f in Forum._meta.concrete_fields), "area__slug", "organisation__name"
            ),
            slug=slug,
        )
    except Http404:
        raise HttpError(404, "No forum has that slug.") from None
    today = timezone.localdate()
    current = ForumMember.objects.filter(forum=forum, since__lte=today).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    named = current.filter(public=True).only("name", "role", "represents", "since")
    now = timezone.now()
    upcoming = (
        _meetings()
        .filter(forum=forum, ends_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    return {
        "slug": forum.slug,
        "name": forum.name,
        "kind": forum.kind,
        "description": forum.description,
        "area": forum.area.slug,
        "organisation": forum.organisation.name,
        "frequency": forum.frequency,
        "rrule": forum.rrule,
        "usual_venue": forum.usual_venue,
        "usual_address": forum.usual_address,
        "contact": forum.contact,
        "active": forum.active,
        "members": [
            {"name": m.name, "role": m.role, "represents": m.represents, "since": m.since}
            for m in sorted(named, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.name))
        ],
        "members_not_named": current.filter(public=False).count(),
        "next_meeting": _meeting_row(upcoming, now) if upcoming else None,
        "url": _url(forum),
    }
