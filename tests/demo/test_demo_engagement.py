"""The demo town holds four years of listening and engagement: a forum in every
neighbourhood plus a district youth forum and the town's safety council, meetings held
(with attendance and minutes), missed, cancelled and upcoming, priorities in every state
with their actions, provenance and votes, all generated deterministically from the seed and
consistent with the rules the services enforce."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from ourbeat.core.models import AuditEvent
from ourbeat.demo.engagement import (
    RESIDENT_DOMAIN,
    UPCOMING_DAYS,
    engagement_generate,
    engagement_inputs,
)
from ourbeat.engagement.models import (
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Forum,
    ForumKind,
    ForumMember,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    MemberRole,
    OriginKind,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Registration,
    Vote,
)
from tests.fixtures.personas import DEMO_SEED, DEMO_TODAY

pytestmark = pytest.mark.django_db


def test_every_neighbourhood_has_a_beat_meeting_or_pact_panel(town: Any) -> None:
    forums = Forum.objects.filter(area__in=town.neighbourhoods)
    assert sorted(f.area_id for f in forums) == sorted(n.pk for n in town.neighbourhoods)
    assert {f.kind for f in forums} <= {ForumKind.BEAT_MEETING, ForumKind.PACT_PANEL}
    assert all(f.rrule.startswith("FREQ=MONTHLY") and f.usual_venue for f in forums)


def test_there_is_a_district_youth_forum_and_a_municipal_safety_council(town: Any) -> None:
    youth = Forum.objects.get(kind=ForumKind.YOUTH_FORUM)
    assert youth.area in town.districts
    assert youth.organisation.slug == "millbrook-youth"
    council = Forum.objects.get(kind=ForumKind.SAFETY_COUNCIL)
    assert council.area == town.service
    assert council.organisation == town.council


def test_forums_have_co_chairs_and_members_who_say_whom_they_represent(town: Any) -> None:
    for forum in Forum.objects.filter(area__in=town.neighbourhoods):
        roles = Counter(forum.members.filter(until__isnull=True).values_list("role", flat=True))
        assert roles[MemberRole.RESIDENT_CO_CHAIR] == 1
        assert roles[MemberRole.OFFICER_CO_CHAIR] == 1
        assert roles[MemberRole.MEMBER] >= 3
    assert not ForumMember.objects.filter(represents="").exists()
    # Some prefer not to be named in public; some have stood down.
    assert ForumMember.objects.filter(public=False).exists()
    assert ForumMember.objects.filter(until__lt=timezone.localdate()).exists()
    # The youth forum never names its young members.
    youth = ForumMember.objects.filter(forum__kind=ForumKind.YOUTH_FORUM)
    assert not youth.filter(public=True, role=MemberRole.RESIDENT_CO_CHAIR).exists()


def test_meetings_span_four_years_and_the_next_three_months(town: Any) -> None:
    now = timezone.now()
    first = Meeting.objects.order_by("starts_at").first()
    last = Meeting.objects.order_by("starts_at").last()
    assert first is not None
    assert last is not None
    assert (now - first.starts_at).days >= 4 * 365 - 31
    assert 0 < (last.starts_at - now).days <= UPCOMING_DAYS + 1
    assert 350 <= Meeting.objects.count() <= 700


def test_meetings_were_held_missed_cancelled_and_are_upcoming(town: Any) -> None:
    now = timezone.now()
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert held.count() > 0.8 * Meeting.objects.filter(ends_at__lt=now).count()
    assert not held.filter(ends_at__gt=now).exists()
    missed = [m for m in Meeting.objects.filter(status=MeetingStatus.SCHEDULED) if m.is_missed]
    assert len(missed) >= 3
    assert all(m.attendance is None and not m.minutes for m in missed)
    cancelled = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    assert cancelled.count() >= 3
    assert not cancelled.filter(cancel_reason="").exists()
    upcoming = Meeting.objects.filter(starts_at__gt=now)
    assert upcoming.count() >= len(town.neighbourhoods)
    assert upcoming.filter(status=MeetingStatus.SCHEDULED).count() == upcoming.count()
    assert upcoming.filter(registration_required=True, capacity__isnull=False).exists()
    assert Registration.objects.exists()
    for meeting in upcoming.filter(registration_required=True).annotate(n=Count("registrations")):
        assert meeting.capacity is not None
        assert meeting.n <= meeting.capacity
    # Every meeting can be found: a venue, an online link, or both.
    assert not Meeting.objects.filter(venue="", online_url="").exists()
    assert Meeting.objects.exclude(venue="").exclude(online_url="").exists()


def test_held_meetings_have_attendance_minutes_and_items(town: Any) -> None:
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert not held.filter(Q(attendance__isnull=True) | Q(minutes="")).exists()
    assert not held.filter(minutes_published_at__lt=F("ends_at")).exists()
    by_group = [m for m in held if m.attendance_by_group]
    assert len(by_group) > 0.2 * held.count()
    for meeting in by_group:
        assert all(0 <= n <= meeting.attendance for n in meeting.attendance_by_group.values())
    assert not held.annotate(n=Count("items")).filter(n=0).exists()
    assert not MeetingItem.objects.exclude(meeting__status=MeetingStatus.HELD).exists()


def test_there_are_priorities_in_every_state(town: Any) -> None:
    counts = Counter(Priority.objects.values_list("status", flat=True))
    assert set(counts) == set(PriorityStatus.values)
    assert counts[PriorityStatus.RESOLVED] >= 50
    assert Priority.objects.filter(area__in=town.neighbourhoods).count() == sum(counts.values())


def test_most_neighbourhoods_have_an_active_and_a_resolved_priority(town: Any) -> None:
    both = [
        n
        for n in town.neighbourhoods
        if n.priorities.filter(status=PriorityStatus.ACTIVE).exists()
        and n.priorities.filter(status=PriorityStatus.RESOLVED).exists()
    ]
    assert len(both) >= 0.75 * len(town.neighbourhoods)


def test_no_neighbourhood_has_more_live_priorities_than_the_limit(town: Any) -> None:
    live = Counter(
        Priority.objects.filter(status__in=LIVE_PRIORITY_STATUSES).values_list("area", flat=True)
    )
    assert live
    assert max(live.values()) <= settings.OURBEAT_MAX_ACTIVE_PRIORITIES


def test_every_adopted_priority_was_adopted_at_a_held_meeting_of_its_forum(town: Any) -> None:
    adopted = Priority.objects.filter(adopted_at__isnull=False).select_related("adopted_at_meeting")
    assert adopted.count() > 100
    for priority in adopted:
        meeting = priority.adopted_at_meeting
        assert meeting is not None
        assert meeting.status == MeetingStatus.HELD
        assert meeting.forum_id == priority.forum_id
        assert priority.adopted_at is not None
        assert priority.proposed_at <= priority.adopted_at
    assert not Priority.objects.filter(
        status__in=[*LIVE_PRIORITY_STATUSES, PriorityStatus.RESOLVED], adopted_at__isnull=True
    ).exists()


def test_every_resolved_priority_has_a_carried_community_vote(town: Any) -> None:
    by_meeting = by_online = 0
    for priority in Priority.objects.filter(status=PriorityStatus.RESOLVED):
        carried = [
            v for v in priority.meeting_votes.filter(question=Question.RESOLVED) if v.carried
        ]
        online = Counter(
            priority.votes.filter(question=Question.RESOLVED).values_list("in_favour", flat=True)
        )
        assert carried or online[True] > online[False], priority
        by_meeting += bool(carried)
        by_online += not carried
        assert priority.outcome
        assert priority.closed_at
        assert priority.outcome_at
    assert by_meeting
    assert by_online


def test_meeting_votes_never_exceed_the_attendance_of_a_held_meeting(town: Any) -> None:
    votes = MeetingVote.objects.select_related("meeting")
    assert votes.count() > 100
    for vote in votes:
        assert vote.meeting.status == MeetingStatus.HELD
        assert vote.meeting.attendance is not None
        assert vote.in_favour + vote.against + vote.abstained <= vote.meeting.attendance
    assert votes.filter(question=Question.ADOPT, in_favour__lt=F("against")).exists()


def test_online_votes_come_from_verified_demo_residents(town: Any) -> None:
    from allauth.account.models import EmailAddress

    voters = set(Vote.objects.values_list("user", flat=True))
    assert len(voters) > 30
    verified = set(
        EmailAddress.objects.filter(user__in=voters, verified=True).values_list("user", flat=True)
    )
    assert verified == voters
    assert not (
        Vote.objects.values("priority", "question", "user").annotate(n=Count("id")).filter(n__gt=1)
    )
    proposed = Priority.objects.filter(status=PriorityStatus.PROPOSED)
    assert proposed.filter(votes__question=Question.ADOPT).exists()
    assert proposed.filter(anonymous_support__gt=0).exists()
    under_review = Priority.objects.filter(status=PriorityStatus.UNDER_REVIEW)
    assert under_review.filter(votes__question=Question.RESOLVED).exists()


def test_demo_residents_live_at_an_example_domain_and_cannot_sign_in(town: Any) -> None:
    from ourbeat.accounts.models import User

    residents = User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN)
    assert residents.count() >= 50
    assert not any(user.has_usable_password() for user in residents)
    assert not residents.filter(memberships__isnull=False).exists()


def test_priorities_carry_their_provenance(town: Any) -> None:
    from ourbeat.concerns.models import Concern

    # Each proposal is its own first origin (a follow-on inherits its predecessor's).
    for priority in Priority.objects.filter(carried_over_from__isnull=True).prefetch_related(
        "origins"
    ):
        first = priority.origins.all()[0]
        assert (first.kind, first.proposal_id) == (OriginKind.PROPOSAL, priority.pk)
    concerns = PriorityOrigin.objects.filter(kind=OriginKind.CONCERN).select_related(
        "concern", "priority"
    )
    assert concerns.count() >= 20
    for origin in concerns:
        assert isinstance(origin.concern, Concern)
        assert origin.concern.area_id == origin.priority.area_id
        assert origin.concern.created_at <= origin.priority.proposed_at
    items = PriorityOrigin.objects.filter(kind=OriginKind.MEETING_ITEM).select_related(
        "meeting_item__meeting__forum"
    )
    assert items.exists()
    for origin in items:
        assert origin.meeting_item is not None
        assert origin.meeting_item.meeting.forum.area_id == origin.priority.area_id
    merged = Priority.objects.filter(status=PriorityStatus.DROPPED, reason__startswith="Merged")
    assert merged.exists()
    # Each merged proposal is an origin of the priority it repeated (and of its follow-ons).
    merged_into = PriorityOrigin.objects.filter(kind=OriginKind.PROPOSAL, proposal__in=merged)
    assert set(merged_into.exclude(priority__in=merged).values_list("proposal", flat=True)) == {
        p.pk for p in merged
    }


def test_closed_priorities_say_why_and_carried_over_ones_continue(town: Any) -> None:
    assert not Priority.objects.filter(status=PriorityStatus.DROPPED, reason="").exists()
    carried = Priority.objects.filter(status=PriorityStatus.CARRIED_OVER)
    assert carried.exists()
    for priority in carried:
        follow = priority.carried_into.get()
        assert follow.title == priority.title
        assert follow.adopted_at == priority.closed_at
        assert priority.reason
    closed = Priority.objects.filter(
        status__in=[PriorityStatus.RESOLVED, PriorityStatus.CARRIED_OVER, PriorityStatus.DROPPED]
    )
    assert not closed.filter(closed_at__isnull=True).exists()


def test_actions_by_the_police_and_partners_done_in_progress_and_overdue(town: Any) -> None:
    owners = set(Action.objects.values_list("owner_organisation__slug", flat=True))
    assert {"millbrook", "millbrook-council", "millbrook-homes", "millbrook-youth"} <= owners
    statuses = Counter(Action.objects.values_list("status", flat=True))
    assert set(statuses) == set(ActionStatus.values)
    done = Action.objects.filter(status=ActionStatus.DONE)
    assert not done.filter(Q(result="") | Q(completed_at__isnull=True)).exists()
    overdue = [
        a for a in Action.objects.filter(priority__status=PriorityStatus.ACTIVE) if a.is_overdue
    ]
    assert overdue
    # Actions of closed priorities are all settled.
    assert not Action.objects.filter(
        priority__closed_at__isnull=False,
        status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
    ).exists()
    # Every adopted priority has actions; a proposal has none.
    assert not Priority.objects.filter(adopted_at__isnull=False, actions__isnull=True).exists()
    assert not Action.objects.filter(priority__status=PriorityStatus.PROPOSED).exists()


def test_the_history_is_dated_in_the_past_except_what_is_upcoming(town: Any) -> None:
    now = timezone.now()
    assert not Priority.objects.filter(proposed_at__gt=now).exists()
    assert not Priority.objects.filter(updated_at__gt=now).exists()
    assert not Vote.objects.filter(created_at__gt=now).exists()
    assert not Action.objects.filter(completed_at__gt=now).exists()
    assert Meeting.objects.filter(created_at__lt=now - timedelta(days=3 * 365)).exists()


def test_the_load_leaves_one_summary_audit_event(town: Any) -> None:
    events = AuditEvent.objects.filter(action="demo.engagement.load")
    assert events.count() == 1
    assert events[0].data["priorities"] == Priority.objects.count()
    assert events[0].data["meetings"] == Meeting.objects.count()


def test_the_history_is_generated_deterministically_from_the_seed(town: Any) -> None:
    inputs = engagement_inputs(town.force)

    def digest(seed: int) -> list[Any]:
        plan = engagement_generate(inputs, seed, DEMO_TODAY)
        return [
            [(m.forum.slug, m.starts_at, m.status, m.attendance) for m in plan.meetings],
            [(p.area.code, p.title, p.status, p.proposed_at) for p in plan.priorities],
            [(a.title, a.status, a.due_on) for a in plan.actions],
            [(v.priority.title, v.user.email, v.in_favour) for v in plan.votes],
        ]

    first = digest(DEMO_SEED)
    assert digest(DEMO_SEED) == first
    assert digest(DEMO_SEED + 1) != first
    stored = Priority.objects.order_by("pk").values_list("area__code", "title", "status")
    assert [row[:3] for row in first[1]] == list(stored)
