"""Reads of the engagement app shared by the public pages, feeds and calendars.

Every selector owns its joins and prefetches, so a page costs a fixed number of queries
however long a neighbourhood's history is: lists of the past are paginated (newest first),
lists of the present are short by nature (up to N live priorities, the next few meetings).
Nothing here reads who proposed a priority, who reported a concern or who registered for a
meeting: the public sees counts and links to what is itself public, never names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext as _

from ourbeat.concerns.models import Concern
from ourbeat.engagement.models import (
    CLOSED_PRIORITY_STATUSES,
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Follower,
    Forum,
    ForumMember,
    ItemKind,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Vote,
)
from ourbeat.places.models import Area, AreaLevel

PAST_PAGE_SIZE = 10
PROPOSALS_PAGE_SIZE = 10
MEETINGS_PAGE_SIZE = 10
UPCOMING_MEETINGS = 5
FEED_SIZE = 50
CALENDAR_SIZE = 500


# ---- small helpers ---------------------------------------------------------------------------


def has_verified_email(user: Any) -> bool:
    """A verified account: signed in with an e-mail address confirmed through allauth. Only
    such accounts vote and support online (one each); others are counted apart."""
    if not getattr(user, "is_authenticated", False):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def ancestor_ids(area: Area) -> list[int]:
    """The ids of the area and every area above it ("1/4/17/" → [1, 4, 17])."""
    ids = [int(part) for part in area.path.split("/") if part.isdigit()]
    return ids or [area.pk]


def page_number(value: Any) -> int:
    """A page number from a query string: anything that is not a positive integer is 1."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return number if 0 < number < 100_000 else 1


def _page(queryset: QuerySet[Any], size: int, number: int) -> Page[Any]:
    # get_page clamps numbers past the end to the last page (one COUNT and one slice).
    return Paginator(queryset, size).get_page(number)


def public_neighbourhood(slug: str) -> Area:
    try:
        return (
            Area.objects.select_related("organisation", "parent")
            .defer("boundary", "parent__boundary")
            .get(slug=slug, level=AreaLevel.NEIGHBOURHOOD)
        )
    except Area.DoesNotExist as error:
        raise Http404(_("No neighbourhood has that address.")) from error


Online = dict[tuple[str, bool], int]


def _online_votes(ids: list[int]) -> dict[int, Online]:
    """Online votes per priority, question and side, in one grouped query."""
    counts: dict[int, Online] = {}
    if not ids:
        return counts
    rows = (
        Vote.objects.filter(priority_id__in=ids)
        .order_by()
        .values("priority_id", "question", "in_favour")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["priority_id"], {})[(row["question"], row["in_favour"])] = row["n"]
    return counts


def _resolution_votes(ids: list[int]) -> dict[int, list[MeetingVote]]:
    """Votes taken at meetings on "resolved", per priority, in one query."""
    votes: dict[int, list[MeetingVote]] = {}
    if not ids:
        return votes
    for vote in MeetingVote.objects.filter(
        priority_id__in=ids, question=Question.RESOLVED
    ).select_related("meeting"):
        votes.setdefault(vote.priority_id, []).append(vote)
    return votes


def _action_progress(ids: list[int]) -> dict[int, tuple[int, int]]:
    """(done, total) actions per priority, cancelled ones left out, in one grouped query."""
    progress: dict[int, tuple[int, int]] = {}
    if not ids:
        return progress
    rows = (
        Action.objects.filter(priority_id__in=ids)
        .exclude(status=ActionStatus.CANCELLED)
        .order_by()
        .values("priority_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        done, total = progress.get(row["priority_id"], (0, 0))
        if row["status"] == ActionStatus.DONE:
            done += row["n"]
        progress[row["priority_id"]] = (done, total + row["n"])
    return progress


def _public_actions() -> QuerySet[Action]:
    return Action.objects.select_related("owner_organisation").only(
        "id",
        "priority_id",
        "title",
        "description",
        "owner_organisation__id",
        "owner_organisation__name",
        "due_on",
        "status",
        "result",
        "completed_at",
    )


def public_priorities() -> QuerySet[Priority]:
    """Published priorities (a resident's proposal waits for a moderator) without the
    private proposer."""
    return Priority.objects.filter(published_at__isnull=False).defer("proposed_by")


def _public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("forum").defer("attendance_by_group")


# ---- "you said, we did" ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """How the community decided a priority's fate: a vote at a meeting (counts of the
    attendees) or online (verified residents)."""

    in_favour: int
    against: int
    abstained: int = 0
    meeting: Meeting | None = None

    @property
    def carried(self) -> bool:
        return self.in_favour > self.against

    @property
    def online(self) -> bool:
        return self.meeting is None


def verdict(meeting_votes: list[MeetingVote], online: Online) -> Verdict | None:
    """The community's verdict on "resolved": the latest carried meeting vote, else the
    latest meeting vote, else the online count (when anyone voted online)."""
    on_resolved = [v for v in meeting_votes if v.question == Question.RESOLVED]
    if on_resolved:
        on_resolved.sort(key=lambda v: (v.carried, v.meeting.starts_at, v.pk))
        vote = on_resolved[-1]
        return Verdict(vote.in_favour, vote.against, vote.abstained, vote.meeting)
    online_for = online.get((Question.RESOLVED, True), 0)
    online_against = online.get((Question.RESOLVED, False), 0)
    if online_for or online_against:
        return Verdict(online_for, online_against)
    return None


# How many of a live priority's actions the overview lists (all are on the priority's page).
ACTIONS_SHOWN = 5


@dataclass
class LivePriority:
    """A live priority with its actions: progress counts over all of them, and the few the
    overview lists (overdue first, then the open ones by due date, then the latest done)."""

    priority: Priority
    actions: list[Action]
    resolution_votes: list[MeetingVote]
    online: Online
    today: date
    total: int = 0
    done: int = 0
    overdue: int = 0
    shown_actions: list[Action] = field(default_factory=list)

    def __post_init__(self) -> None:
        listed = [a for a in self.actions if a.status != ActionStatus.CANCELLED]
        overdue = [a for a in listed if a.is_overdue]
        still_open = [
            a
            for a in listed
            if a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and not a.is_overdue
        ]
        done = sorted(
            (a for a in listed if a.status == ActionStatus.DONE),
            key=lambda a: (a.completed_at or datetime.min.replace(tzinfo=UTC), a.pk),
            reverse=True,
        )
        self.total, self.done, self.overdue = len(listed), len(done), len(overdue)
        self.shown_actions = (overdue + still_open + done)[:ACTIONS_SHOWN]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def more_actions(self) -> int:
        return self.total - len(self.shown_actions)

    @property
    def verdict(self) -> Verdict | None:
        """An online or meeting vote on "resolved" while the priority is under review."""
        return verdict(self.resolution_votes, self.online)


@dataclass(frozen=True)
class PastPriority:
    priority: Priority
    verdict: Verdict | None
    done: int
    total: int


@dataclass(frozen=True)
class Proposal:
    priority: Priority
    verified_support: int


@dataclass
class YouSaidWeDid:
    area: Area
    live: list[LivePriority]
    proposals: Page[Any]
    proposal_items: list[Proposal]
    past: Page[Any]
    past_items: list[PastPriority]
    upcoming: list[Meeting]
    past_meetings: Page[Any]
    max_live: int
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def next_meeting(self) -> Meeting | None:
        return next((m for m in self.upcoming if m.status != MeetingStatus.CANCELLED), None)


def neighbourhood_meetings(area: Area) -> QuerySet[Meeting]:
    """Meetings of the forums of the neighbourhood and of the areas it lies in (a district
    youth forum, a municipal safety council)."""
    return _public_meetings().filter(forum__area_id__in=ancestor_ids(area))


def upcoming_meetings(area: Area, now: datetime, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    return list(
        neighbourhood_meetings(area).filter(ends_at__gte=now).order_by("starts_at", "pk")[:limit]
    )


def _live_rows(area: Area) -> list[Priority]:
    """The neighbourhood's adopted, active and under-review priorities with their actions
    (two queries)."""
    return list(
        public_priorities()
        .filter(area=area, status__in=LIVE_PRIORITY_STATUSES)
        .select_related("adopted_at_meeting")
        .prefetch_related(Prefetch("actions", queryset=_public_actions().order_by("due_on", "pk")))
        .order_by(F("adopted_at").asc(nulls_last=True), "pk")
    )


def _live(
    rows: list[Priority],
    votes: dict[int, list[MeetingVote]],
    online: dict[int, Online],
    today: date,
) -> list[LivePriority]:
    return [
        LivePriority(p, list(p.actions.all()), votes.get(p.pk, []), online.get(p.pk, {}), today)
        for p in rows
    ]


def live_priorities(area: Area, today: date) -> list[LivePriority]:
    """The live priorities with their actions and any vote on "resolved" (four queries)."""
    rows = _live_rows(area)
    ids = [p.pk for p in rows]
    return _live(rows, _resolution_votes(ids), _online_votes(ids), today)


def you_said_we_did(
    area: Area,
    *,
    now: datetime,
    today: date,
    max_live: int,
    past_page: int = 1,
    proposals_page: int = 1,
    meetings_page: int = 1,
) -> YouSaidWeDid:
    """Everything the neighbourhood's "you said, we did" page shows, in a fixed number of
    queries: live priorities with actions and progress, proposals open for support (verified
    and anonymous support apart), past priorities with outcome and the community's verdict,
    the next meetings and the past ones (held with minutes, missed, cancelled)."""
    live_rows = _live_rows(area)
    proposals = _page(
        public_priorities()
        .filter(area=area, status=PriorityStatus.PROPOSED)
        .order_by("-proposed_at", "-pk"),
        PROPOSALS_PAGE_SIZE,
        proposals_page,
    )
    past = _page(
        public_priorities()
        .filter(area=area, status__in=CLOSED_PRIORITY_STATUSES)
        .order_by(F("closed_at").desc(nulls_last=True), "-pk"),
        PAST_PAGE_SIZE,
        past_page,
    )
    proposal_rows: list[Priority] = list(proposals.object_list)
    past_rows: list[Priority] = list(past.object_list)
    # Counts for every priority on the page, three grouped queries in all.
    live_ids, past_ids = [p.pk for p in live_rows], [p.pk for p in past_rows]
    online = _online_votes(live_ids + past_ids + [p.pk for p in proposal_rows])
    votes = _resolution_votes(live_ids + past_ids)
    progress = _action_progress(past_ids)
    past_items = [
        PastPriority(
            p, verdict(votes.get(p.pk, []), online.get(p.pk, {})), *progress.get(p.pk, (0, 0))
        )
        for p in past_rows
    ]
    proposal_items = [
        Proposal(p, online.get(p.pk, {}).get((Question.ADOPT, True), 0)) for p in proposal_rows
    ]
    past_meetings = _page(
        neighbourhood_meetings(area).filter(ends_at__lt=now).order_by("-starts_at", "-pk"),
        MEETINGS_PAGE_SIZE,
        meetings_page,
    )
    return YouSaidWeDid(
        area=area,
        live=_live(live_rows, votes, online, today),
        proposals=proposals,
        proposal_items=proposal_items,
        past=past,
        past_items=past_items,
        upcoming=upcoming_meetings(area, now),
        past_meetings=past_meetings,
        max_live=max_live,
        now=now,
    )


@dataclass(frozen=True)
class NeighbourhoodSummary:
    """What the neighbourhood page shows of the engagement loop."""

    live: list[LivePriority]
    next_meeting: Meeting | None
    proposals: int


def neighbourhood_summary(area: Area, now: datetime, today: date) -> NeighbourhoodSummary:
    upcoming = [
        m for m in upcoming_meetings(area, now, limit=3) if m.status != MeetingStatus.CANCELLED
    ]
    proposals = public_priorities().filter(area=area, status=PriorityStatus.PROPOSED).count()
    return NeighbourhoodSummary(live_priorities(area, today), next(iter(upcoming), None), proposals)


# ---- one priority ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginLink:
    kind: str
    label: str
    url: str | None


@dataclass
class PriorityChain:
    """A priority with everything that explains it, in public form."""

    priority: Priority
    origin_counts: dict[str, int]
    origin_links: list[OriginLink]
    actions: list[Action]
    meeting_votes: list[MeetingVote]
    online: dict[tuple[str, bool], int]
    carried_into: list[Priority]
    verdict: Verdict | None
    today: date

    @property
    def verified_support(self) -> int:
        return self.online.get((Question.ADOPT, True), 0)

    @property
    def online_resolved_for(self) -> int:
        return self.online.get((Question.RESOLVED, True), 0)

    @property
    def online_resolved_against(self) -> int:
        return self.online.get((Question.RESOLVED, False), 0)

    @property
    def done(self) -> int:
        return sum(1 for a in self.actions if a.status == ActionStatus.DONE)

    @property
    def total(self) -> int:
        return sum(1 for a in self.actions if a.status != ActionStatus.CANCELLED)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.is_overdue)


def _concern_is_public(concern: Concern | None) -> bool:
    return concern is not None and concern.published_at is not None and not concern.hidden


def public_priority(pk: int, today: date, *, proposer_id: int | None = None) -> PriorityChain:
    """The whole chain of one priority: provenance (counts, and links only to what is itself
    public), adoption, actions with results, votes, and what it became. ``proposer_id`` also
    finds that person's own proposal while it waits for moderation."""
    visible = Q(published_at__isnull=False)
    if proposer_id is not None:
        visible |= Q(proposed_by_id=proposer_id)
    priority = (
        Priority.objects.filter(visible)
        .defer("proposed_by")
        .select_related("area", "forum", "adopted_at_meeting", "carried_over_from")
        .defer("area__boundary")
        .filter(pk=pk)
        .first()
    )
    if priority is None:
        raise Http404(_("No priority has that number."))
    origins = list(
        PriorityOrigin.objects.filter(priority=priority)
        .select_related("concern", "meeting_item__meeting", "proposal")
        .only(
            "id",
            "kind",
            "priority_id",
            "concern__id",
            "concern__reference",
            "concern__published_at",
            "concern__hidden",
            "meeting_item__id",
            "meeting_item__meeting__id",
            "meeting_item__meeting__title",
            "meeting_item__meeting__starts_at",
            "proposal__id",
            "proposal__title",
            "proposal__published_at",
        )
        .order_by("created_at", "pk")
    )
    counts: Counter[str] = Counter(o.kind for o in origins)
    links: list[OriginLink] = []
    for origin in origins:
        if origin.kind == OriginKind.CONCERN and _concern_is_public(origin.concern):
            assert origin.concern is not None
            links.append(
                OriginLink(
                    origin.kind,
                    _("Concern %(reference)s") % {"reference": origin.concern.reference},
                    origin.concern.get_absolute_url(),
                )
            )
        elif origin.kind == OriginKind.MEETING_ITEM and origin.meeting_item is not None:
            meeting = origin.meeting_item.meeting
            links.append(
                OriginLink(
                    origin.kind,
                    _("Raised at %(meeting)s") % {"meeting": meeting.title},
                    meeting.get_absolute_url(),
                )
            )
        elif (
            origin.kind == OriginKind.PROPOSAL
            and origin.proposal is not None
            and origin.proposal.pk != priority.pk
            and origin.proposal.published_at is not None
        ):
            links.append(
                OriginLink(
                    origin.kind,
                    _("Proposal: %(title)s") % {"title": origin.proposal.title},
                    origin.proposal.get_absolute_url(),
                )
            )
    actions = list(_public_actions().filter(priority=priority).order_by("due_on", "pk"))
    meeting_votes = list(
        MeetingVote.objects.filter(priority=priority)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    online = {
        (row["question"], row["in_favour"]): row["n"]
        for row in Vote.objects.filter(priority=priority)
        .order_by()
        .values("question", "in_favour")
        .annotate(n=Count("pk"))
    }
    carried_into = list(public_priorities().filter(carried_over_from=priority).order_by("pk"))
    return PriorityChain(
        priority=priority,
        origin_counts=dict(counts),
        origin_links=links,
        actions=actions,
        meeting_votes=meeting_votes,
        online=online,
        carried_into=carried_into,
        verdict=verdict(meeting_votes, online),
        today=today,
    )


def follows(priority: Priority, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follower.objects.filter(priority=priority, user=user).exists()


def has_voted(priority: Priority, user: Any, question: str) -> Vote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Vote.objects.filter(priority=priority, user=user, question=question).first()


# ---- forums and meetings ---------------------------------------------------------------------


@dataclass
class ForumPage:
    forum: Forum
    members: list[ForumMember]
    unnamed_members: int
    upcoming: list[Meeting]
    past: Page[Any]


def public_forum(slug: str, *, now: datetime, today: date, page: int = 1) -> ForumPage:
    forum = (
        Forum.objects.select_related("area", "organisation")
        .defer("area__boundary", "external_id")
        .filter(slug=slug)
        .first()
    )
    if forum is None:
        raise Http404(_("No forum has that address."))
    current = list(
        ForumMember.objects.filter(forum=forum, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .only("id", "forum_id", "name", "role", "represents", "public", "since")
        .order_by("role", "name")
    )
    meetings = Meeting.objects.filter(forum=forum).defer("attendance_by_group")
    return ForumPage(
        forum=forum,
        members=[m for m in current if m.public],
        unnamed_members=sum(1 for m in current if not m.public),
        upcoming=list(meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")[:10]),
        past=_page(
            meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk"),
            MEETINGS_PAGE_SIZE,
            page,
        ),
    )


@dataclass
class MeetingPage:
    meeting: Meeting
    registered: int
    decisions: list[MeetingItem]
    concerns_raised: list[MeetingItem]
    public_concern_ids: set[int]
    votes: list[MeetingVote]
    adopted: list[Priority]
    now: datetime

    @property
    def places_left(self) -> int | None:
        if self.meeting.capacity is None:
            return None
        return max(0, self.meeting.capacity - self.registered)

    @property
    def is_upcoming(self) -> bool:
        return self.meeting.starts_at > self.now

    @property
    def registration_open(self) -> bool:
        places = self.places_left
        return (
            self.meeting.registration_required
            and self.meeting.status == MeetingStatus.SCHEDULED
            and self.is_upcoming
            and (places is None or places > 0)
        )

    @property
    def held(self) -> bool:
        return self.meeting.status == MeetingStatus.HELD


def public_meeting(pk: int, now: datetime) -> MeetingPage:
    meeting = (
        Meeting.objects.select_related("forum__area")
        .defer("attendance_by_group", "forum__area__boundary")
        .annotate(registered=Count("registrations"))
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404(_("No meeting has that number."))
    items = list(
        MeetingItem.objects.filter(meeting=meeting)
        .select_related("concern", "priority")
        .only(
            "id",
            "meeting_id",
            "kind",
            "text",
            "order",
            "concern__id",
            "concern__reference",
            "concern__published_at",
            "concern__hidden",
            "priority__id",
            "priority__title",
        )
        .order_by("order", "pk")
    )
    return MeetingPage(
        meeting=meeting,
        registered=meeting.registered,
        decisions=[i for i in items if i.kind != ItemKind.CONCERN],
        concerns_raised=[i for i in items if i.kind == ItemKind.CONCERN],
        public_concern_ids={
            i.concern.pk for i in items if i.concern is not None and _concern_is_public(i.concern)
        },
        votes=list(
            MeetingVote.objects.filter(meeting=meeting)
            .select_related("priority")
            .only(
                "id",
                "meeting_id",
                "question",
                "in_favour",
                "against",
                "abstained",
                "priority__id",
                "priority__title",
                "priority__status",
            )
            .order_by("pk")
        ),
        adopted=list(public_priorities().filter(adopted_at_meeting=meeting).order_by("pk")),
        now=now,
    )


# ---- feeds and calendars ---------------------------------------------------------------------


def priorities_feed(area: Area) -> list[Priority]:
    """The neighbourhood's priorities, most recently changed first."""
    return list(public_priorities().filter(area=area).order_by("-updated_at", "-pk")[:FEED_SIZE])


def meetings_feed(area: Area) -> list[Meeting]:
    """The neighbourhood's meetings, latest first (upcoming ones lead)."""
    return list(neighbourhood_meetings(area).order_by("-starts_at", "-pk")[:FEED_SIZE])


def meetings_for_calendar(area: Area, now: datetime) -> list[Meeting]:
    """A year back and everything ahead, capped."""
    return list(
        neighbourhood_meetings(area)
        .filter(starts_at__gte=now - timedelta(days=365))
        .order_by("starts_at", "pk")[:CALENDAR_SIZE]
    )
