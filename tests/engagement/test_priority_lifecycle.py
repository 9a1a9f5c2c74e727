"""The lifecycle of a priority: proposed → adopted (within the neighbourhood's limit) →
active → under review → resolved (only when the community confirms it) / carried over (a
follow-on priority with the same origins) / dropped (with a published reason). Every change
names the version it saw; a stale one is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import (
    Follower,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityStatus,
    Question,
    Vote,
)
from ourbeat.engagement.services.priorities import (
    ONLINE_RESOLUTION_QUORUM,
    live_priority_count,
    priority_adopt,
    priority_follow,
    priority_link_origin,
    priority_transition,
)
from tests.engagement.priority_helpers import (
    bring_to,
    forum_in,
    held_meeting,
    proposal,
    resident,
    room_for,
    verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(personas: dict[str, Any]) -> Any:
    return personas["officer"]


@pytest.fixture
def priority(town: Any, personas: dict[str, Any], settings: Any) -> Priority:
    room_for(town.home, settings)
    return proposal(town.home, verify(personas["resident"]))


@pytest.fixture
def meeting(town: Any) -> Any:
    return held_meeting(forum_in(town.home), attendance=30)


def test_a_forum_adopts_a_proposal_at_a_held_meeting(
    priority: Priority, meeting: Any, officer: Any, town: Any
) -> None:
    adopted = priority_adopt(
        actor=officer, priority=priority, expected_version=priority.version, meeting=meeting
    )
    assert adopted.status == PriorityStatus.ADOPTED
    assert adopted.adopted_at_meeting == meeting
    assert adopted.forum == meeting.forum
    assert adopted.adopted_at is not None
    assert adopted.version == priority.version + 1
    event = AuditEvent.objects.filter(action="engagement.priority.adopt").latest("id")
    assert event.data["meeting"] == meeting.pk


def test_adopting_beyond_the_limit_is_refused_and_changes_nothing(
    town: Any, personas: dict[str, Any], officer: Any, settings: Any
) -> None:
    settings.OURBEAT_MAX_ACTIVE_PRIORITIES = live_priority_count(town.home) + 1
    first = proposal(town.home, verify(personas["resident"]), "First")
    second = proposal(town.home, resident("two@example.org"), "Second")
    priority_adopt(actor=officer, priority=first, expected_version=first.version)
    version = second.version
    with pytest.raises(ValidationError, match="most allowed"):
        priority_adopt(actor=officer, priority=second, expected_version=version)
    second.refresh_from_db()
    assert (second.status, second.version) == (PriorityStatus.PROPOSED, version)


def test_the_default_limit_is_three(settings: Any) -> None:
    from ourbeat import settings as project_settings

    assert project_settings.OURBEAT_MAX_ACTIVE_PRIORITIES == 3


def test_a_stale_version_is_refused_with_a_clear_message(priority: Priority, officer: Any) -> None:
    priority_adopt(actor=officer, priority=priority, expected_version=priority.version)
    with pytest.raises(ValidationError, match="Someone else changed this priority"):
        priority_transition(
            actor=officer,
            priority=priority,
            to=PriorityStatus.ACTIVE,
            expected_version=priority.version,  # the version seen before the adoption
        )
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.ADOPTED


def test_adoption_is_refused_at_a_meeting_not_held_or_of_a_forum_elsewhere(
    priority: Priority, meeting: Any, officer: Any, town: Any
) -> None:
    meeting.status = "scheduled"
    meeting.save()
    with pytest.raises(ValidationError, match="has been held"):
        priority_adopt(
            actor=officer, priority=priority, expected_version=priority.version, meeting=meeting
        )
    with pytest.raises(ValidationError, match="does not cover"):
        priority_adopt(
            actor=officer,
            priority=priority,
            expected_version=priority.version,
            forum=forum_in(town.elsewhere, slug="other-forum"),
        )
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.PROPOSED


def test_an_adopted_priority_cannot_be_adopted_again(priority: Priority, officer: Any) -> None:
    adopted = priority_adopt(actor=officer, priority=priority, expected_version=priority.version)
    with pytest.raises(ValidationError, match="Only a proposal"):
        priority_adopt(actor=officer, priority=adopted, expected_version=adopted.version)


def test_the_lifecycle_refuses_jumps(priority: Priority, officer: Any) -> None:
    for to in (PriorityStatus.ACTIVE, PriorityStatus.RESOLVED, PriorityStatus.UNDER_REVIEW):
        with pytest.raises(ValidationError, match="cannot become"):
            priority_transition(
                actor=officer, priority=priority, to=to, expected_version=priority.version
            )
    with pytest.raises(ValidationError, match="adoption"):
        priority_transition(
            actor=officer,
            priority=priority,
            to=PriorityStatus.ADOPTED,
            expected_version=priority.version,
        )
    with pytest.raises(ValidationError, match="Choose a status"):
        priority_transition(
            actor=officer, priority=priority, to="<b>gone</b>", expected_version=priority.version
        )


def test_dropping_needs_a_reason_that_is_published(priority: Priority, officer: Any) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        priority_transition(
            actor=officer,
            priority=priority,
            to=PriorityStatus.DROPPED,
            expected_version=priority.version,
            reason="   ",
        )
    dropped = priority_transition(
        actor=officer,
        priority=priority,
        to=PriorityStatus.DROPPED,
        expected_version=priority.version,
        reason="A matter for the council's planning team.",
    )
    assert dropped.status == PriorityStatus.DROPPED
    assert dropped.reason == "A matter for the council's planning team."
    assert dropped.closed_at is not None


def test_resolution_needs_the_community_to_confirm_it(
    priority: Priority, officer: Any, meeting: Any
) -> None:
    under_review = bring_to(priority, PriorityStatus.UNDER_REVIEW, officer)
    with pytest.raises(ValidationError, match="Only the community"):
        priority_transition(
            actor=officer,
            priority=under_review,
            to=PriorityStatus.RESOLVED,
            expected_version=under_review.version,
        )
    MeetingVote.objects.create(
        meeting=meeting, priority=priority, question=Question.RESOLVED, in_favour=4, against=4
    )
    with pytest.raises(ValidationError, match="Only the community"):
        priority_transition(
            actor=officer,
            priority=under_review,
            to=PriorityStatus.RESOLVED,
            expected_version=under_review.version,
        )
    second = held_meeting(meeting.forum, days_ago=0)
    MeetingVote.objects.create(
        meeting=second, priority=priority, question=Question.RESOLVED, in_favour=9, against=2
    )
    resolved = priority_transition(
        actor=officer,
        priority=under_review,
        to=PriorityStatus.RESOLVED,
        expected_version=under_review.version,
        outcome="Speed cameras installed; speeds down by a third.",
    )
    assert resolved.status == PriorityStatus.RESOLVED
    assert resolved.outcome.startswith("Speed cameras")
    assert resolved.outcome_at is not None


def test_an_online_majority_with_a_quorum_confirms_resolution(
    priority: Priority, officer: Any
) -> None:
    under_review = bring_to(priority, PriorityStatus.UNDER_REVIEW, officer)
    voters = [resident(f"v{n}@example.org") for n in range(ONLINE_RESOLUTION_QUORUM)]
    for voter in voters[:-1]:
        Vote.objects.create(
            priority=priority, user=voter, question=Question.RESOLVED, in_favour=True
        )
    with pytest.raises(ValidationError, match="at least 5"):
        priority_transition(
            actor=officer,
            priority=under_review,
            to=PriorityStatus.RESOLVED,
            expected_version=under_review.version,
        )
    Vote.objects.create(
        priority=priority, user=voters[-1], question=Question.RESOLVED, in_favour=False
    )
    resolved = priority_transition(
        actor=officer,
        priority=under_review,
        to=PriorityStatus.RESOLVED,
        expected_version=under_review.version,
    )
    assert resolved.status == PriorityStatus.RESOLVED


def test_carrying_over_creates_the_follow_on_with_the_same_origins_and_followers(
    priority: Priority, officer: Any, town: Any
) -> None:
    from ourbeat.concerns.models import Concern

    concern = Concern.objects.filter(area=town.home).first()
    assert concern is not None
    priority_link_origin(actor=officer, priority=priority, concern=concern)
    follower = resident("follower@example.org")
    priority_follow(priority=priority, user=follower)
    active = bring_to(priority, PriorityStatus.ACTIVE, officer)
    live_before = live_priority_count(town.home)
    carried = priority_transition(
        actor=officer,
        priority=active,
        to=PriorityStatus.CARRIED_OVER,
        expected_version=active.version,
        reason="Needs another term.",
    )
    assert carried.status == PriorityStatus.CARRIED_OVER
    follow_on = Priority.objects.get(carried_over_from=carried)
    assert follow_on.status == PriorityStatus.ACTIVE
    assert follow_on.title == carried.title
    assert live_priority_count(town.home) == live_before
    kinds = sorted(follow_on.origins.values_list("kind", "concern_id"), key=str)
    assert kinds == sorted(carried.origins.values_list("kind", "concern_id"), key=str)
    assert (OriginKind.CONCERN, concern.pk) in kinds
    assert Follower.objects.filter(priority=follow_on, user=follower).exists()
    event = AuditEvent.objects.filter(action="engagement.priority.transition").latest("id")
    assert event.data["follow_on"] == follow_on.pk


def test_every_change_bumps_the_neighbourhood_page_version(
    priority: Priority, officer: Any, town: Any
) -> None:
    town.home.refresh_from_db()
    before = town.home.content_version
    priority_adopt(actor=officer, priority=priority, expected_version=priority.version)
    town.home.refresh_from_db()
    assert town.home.content_version > before
