"""Engagement history for the public page tests, written straight into the database (the
pages only read it): a forum in a neighbourhood, meetings held (with minutes), missed,
cancelled and upcoming, priorities in every state with actions and votes. Imported by the
public tests; holds no tests itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest


def clear_engagement(area: Any) -> None:
    """Remove the demo town's engagement rows that the neighbourhood's pages would show (in
    the test's transaction, so rolled back), so that each test sees only what it made."""
    from ourbeat.engagement.models import Forum, Meeting, Priority
    from ourbeat.engagement.selectors import ancestor_ids

    Priority.objects.filter(area=area).delete()
    Meeting.objects.filter(forum__area_id__in=ancestor_ids(area)).delete()
    Forum.objects.filter(area_id__in=ancestor_ids(area)).update(active=False)


@dataclass
class History:
    area: Any
    forum: Any
    held: list[Any] = field(default_factory=list)
    missed: list[Any] = field(default_factory=list)
    cancelled: list[Any] = field(default_factory=list)
    upcoming: list[Any] = field(default_factory=list)
    live: list[Any] = field(default_factory=list)
    proposals: list[Any] = field(default_factory=list)
    resolved: list[Any] = field(default_factory=list)
    dropped: list[Any] = field(default_factory=list)
    carried: list[Any] = field(default_factory=list)


def build_history(
    area: Any,
    *,
    years: float = 1,
    meetings_per_year: int = 12,
    closed: int = 3,
    proposals: int = 2,
    live: int = 2,
    actions_each: int = 3,
    tag: str = "",
) -> History:
    """A neighbourhood's history, bulk-inserted: a monthly beat meeting over ``years`` (the
    last one before today missed, one cancelled, the rest held with minutes; two upcoming,
    one with registration), ``closed`` closed priorities (resolved with a carried meeting
    vote, dropped with a reason, carried over), ``live`` live ones with ``actions_each``
    actions (one done, one overdue), and ``proposals`` proposals with support."""
    from django.utils import timezone

    from ourbeat.engagement.models import (
        Action,
        ActionStatus,
        Forum,
        ForumKind,
        ForumMember,
        Meeting,
        MeetingStatus,
        MeetingVote,
        MemberRole,
        OriginKind,
        Priority,
        PriorityOrigin,
        PriorityStatus,
        Question,
    )

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    forum = Forum.objects.create(
        area=area,
        organisation=area.organisation,
        kind=ForumKind.BEAT_MEETING,
        name=f"{area.name} beat meeting{tag}",
        slug=f"{area.slug}-beat{tag.lower().replace(' ', '-')}",
        description="Residents and the team meet every month.",
        usual_venue="Community hall",
        usual_address="1 High Street",
    )
    ForumMember.objects.bulk_create(
        [
            ForumMember(
                forum=forum,
                name="Rosa Chair",
                role=MemberRole.RESIDENT_CO_CHAIR,
                represents="Mill Lane residents' association",
            ),
            ForumMember(
                forum=forum,
                name="Hidden Member",
                role=MemberRole.MEMBER,
                represents="A housing provider",
                public=False,
            ),
        ]
    )
    history = History(area=area, forum=forum)
    count = max(1, int(years * meetings_per_year))
    step = timedelta(days=365 / meetings_per_year)
    past = []
    for number in range(count):
        last = number == count - 1
        starts = now - timedelta(hours=3) if last else now - step * (count - number)
        past.append(
            Meeting(
                forum=forum,
                title=f"Beat meeting {number + 1}{tag}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                venue="Community hall",
                address="1 High Street",
                accessibility="Step-free entrance, hearing loop.",
                agenda="1. Report back\n2. Priorities",
                status=MeetingStatus.HELD,
                attendance=20 + number % 7,
                minutes=f"Minutes of meeting {number + 1}: residents spoke about parking.",
                minutes_published_at=starts + timedelta(days=2),
            )
        )
    # The newest is missed (due, never recorded); the one before it was cancelled.
    past[-1].status = MeetingStatus.SCHEDULED
    past[-1].attendance = None
    past[-1].minutes = ""
    past[-1].minutes_published_at = None
    if count > 1:
        past[-2].status = MeetingStatus.CANCELLED
        past[-2].cancel_reason = "The hall was flooded."
        past[-2].attendance = None
        past[-2].minutes = ""
        past[-2].minutes_published_at = None
    upcoming = [
        Meeting(
            forum=forum,
            title=f"Next beat meeting{tag}",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=2),
            venue="Community hall",
            address="1 High Street",
            accessibility="Step-free entrance, hearing loop.",
            online_url="https://meet.example.org/beat",
            agenda="Report back on speeding.",
            registration_required=True,
            capacity=40,
        ),
        Meeting(
            forum=forum,
            title=f"Summer beat meeting{tag}",
            starts_at=now + timedelta(days=40),
            ends_at=now + timedelta(days=40, hours=2),
            venue="Library",
        ),
    ]
    Meeting.objects.bulk_create(past + upcoming)
    meetings = list(Meeting.objects.filter(forum=forum).order_by("starts_at"))
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    history.held = held
    history.missed = [m for m in meetings if m.is_missed]
    history.cancelled = [m for m in meetings if m.status == MeetingStatus.CANCELLED]
    history.upcoming = [m for m in meetings if m.starts_at > now]

    closed_states = [PriorityStatus.RESOLVED, PriorityStatus.DROPPED, PriorityStatus.CARRIED_OVER]
    rows = []
    for number in range(closed):
        state = closed_states[number % 3]
        meeting = held[(number * 2) % len(held)] if held else None
        proposed = now - timedelta(days=400 + number)
        rows.append(
            Priority(
                area=area,
                forum=forum,
                title=f"Past priority {number + 1}{tag}",
                description="Cars parked on the pavement by the school.",
                status=state,
                proposed_at=proposed,
                published_at=proposed,
                adopted_at=proposed + timedelta(days=20),
                adopted_at_meeting=meeting,
                closed_at=now - timedelta(days=number + 1),
                outcome="Enforcement visits every week; a new school crossing patrol."
                if state == PriorityStatus.RESOLVED
                else "",
                reason="Residents agreed it is no longer a problem."
                if state == PriorityStatus.DROPPED
                else ("Work continues next term." if state == PriorityStatus.CARRIED_OVER else ""),
            )
        )
    for number in range(live):
        proposed = now - timedelta(days=60 + number)
        rows.append(
            Priority(
                area=area,
                forum=forum,
                title=f"Live priority {number + 1}{tag}",
                description="Speeding on Mill Lane at school times.",
                status=PriorityStatus.UNDER_REVIEW if number == 0 else PriorityStatus.ACTIVE,
                proposed_at=proposed,
                published_at=proposed,
                adopted_at=proposed + timedelta(days=14),
                adopted_at_meeting=held[-1] if held else None,
                outcome="Speed checks done." if number == 0 else "",
            )
        )
    for number in range(proposals):
        rows.append(
            Priority(
                area=area,
                title=f"Proposal {number + 1}{tag}",
                description="Street lights out on the footpath.",
                proposed_at=now - timedelta(days=number + 1),
                published_at=now - timedelta(days=number + 1),
                anonymous_support=5 + number,
            )
        )
    Priority.objects.bulk_create(rows)
    priorities = list(Priority.objects.filter(area=area, forum=forum).order_by("pk")) + list(
        Priority.objects.filter(area=area, forum__isnull=True).order_by("pk")
    )
    by_status: dict[str, list[Any]] = {}
    for p in priorities:
        by_status.setdefault(p.status, []).append(p)
    history.resolved = by_status.get(PriorityStatus.RESOLVED, [])
    history.dropped = by_status.get(PriorityStatus.DROPPED, [])
    history.carried = by_status.get(PriorityStatus.CARRIED_OVER, [])
    history.live = [
        p for p in priorities if p.status in (PriorityStatus.ACTIVE, PriorityStatus.UNDER_REVIEW)
    ]
    history.proposals = by_status.get(PriorityStatus.PROPOSED, [])

    actions = []
    for p in priorities:
        if p.status == PriorityStatus.PROPOSED or p.status == PriorityStatus.DROPPED:
            continue
        for number in range(actions_each):
            done = number == 0 or p.status == PriorityStatus.RESOLVED
            actions.append(
                Action(
                    priority=p,
                    title=f"Action {number + 1} on {p.title}",
                    description="Speed checks with the council's camera van.",
                    owner_organisation=area.organisation,
                    due_on=today - timedelta(days=3) if number == 1 else today + timedelta(days=30),
                    status=ActionStatus.DONE if done else ActionStatus.IN_PROGRESS,
                    result="Twelve drivers warned." if done else "",
                    completed_at=now - timedelta(days=5) if done else None,
                )
            )
    Action.objects.bulk_create(actions)
    votes = []
    for p in history.resolved:
        if held:
            votes.append(
                MeetingVote(
                    meeting=held[-1],
                    priority=p,
                    question=Question.RESOLVED,
                    in_favour=14,
                    against=2,
                    abstained=1,
                )
            )
    MeetingVote.objects.bulk_create(votes)
    PriorityOrigin.objects.bulk_create(
        [PriorityOrigin(priority=p, kind=OriginKind.PROPOSAL, proposal=p) for p in priorities]
    )
    return history


@pytest.fixture
def history(town: Any) -> History:
    clear_engagement(town.home)
    return build_history(town.home)


def verified_resident(email: str) -> Any:
    """A resident account with a confirmed e-mail address (allauth's EmailAddress)."""
    from allauth.account.models import EmailAddress

    from ourbeat.accounts.models import User

    user = User.objects.create_user(email=email, password="correct horse battery staple")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
