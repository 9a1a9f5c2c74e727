"""Residents propose priorities for their neighbourhood and support proposals: one vote per
verified account, support without an account counted apart; bad input is refused with a
clear message and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import (
    OriginKind,
    Priority,
    PriorityStatus,
    Question,
    Vote,
)
from ourbeat.engagement.services.priorities import (
    priority_propose,
    priority_support,
    priority_transition,
)
from tests.engagement.priority_helpers import proposal, resident, verify

pytestmark = pytest.mark.django_db


def test_a_verified_resident_proposes_a_priority_that_is_its_own_first_origin(
    town: Any, personas: dict[str, Any]
) -> None:
    proposer = verify(personas["resident"])
    version = town.home.content_version
    priority = proposal(town.home, proposer)
    assert priority.status == PriorityStatus.PROPOSED
    assert priority.proposed_by == proposer
    origin = priority.origins.get()
    assert (origin.kind, origin.proposal, origin.user) == (OriginKind.PROPOSAL, priority, proposer)
    event = AuditEvent.objects.filter(action="engagement.priority.propose").latest("id")
    assert event.object_id == str(priority.pk)
    town.home.refresh_from_db()
    assert town.home.content_version > version


def test_staff_propose_on_behalf_of_a_concern_and_a_meeting_item(
    town: Any, personas: dict[str, Any]
) -> None:
    from ourbeat.concerns.models import Concern

    concern = Concern.objects.filter(area=town.home).first()
    assert concern is not None
    priority = priority_propose(
        area=town.home,
        title="Dealing near the school",
        actor=personas["officer"],
        origin_concern=concern,
    )
    assert priority.proposed_by is None
    kinds = sorted(priority.origins.values_list("kind", flat=True))
    assert kinds == [OriginKind.CONCERN, OriginKind.PROPOSAL]
    assert priority.origins.get(kind=OriginKind.CONCERN).concern == concern


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Say in a few words"),
        ("   ", "Say in a few words"),
        ("x" * 201, "at most 200"),
        ("Speeding\x00", "control characters"),
    ],
)
def test_a_bad_title_is_refused_and_nothing_is_written(
    town: Any, personas: dict[str, Any], title: str, message: str
) -> None:
    before = Priority.objects.count()
    with pytest.raises(ValidationError, match=message):
        priority_propose(area=town.home, title=title, user=verify(personas["resident"]))
    assert Priority.objects.count() == before


def test_a_huge_description_is_refused(town: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="at most 4000"):
        priority_propose(
            area=town.home, title="Noise", description="x" * 4001, user=verify(personas["resident"])
        )


def test_hostile_text_is_stored_as_text_and_personal_details_are_masked(
    town: Any, personas: dict[str, Any]
) -> None:
    title = "<script>alert(1)</script>'; DROP TABLE engagement_priority; --"
    priority = priority_propose(
        area=town.home,
        title=title,
        description="Call me on 07700 900123 or mail pat@example.org",
        user=verify(personas["resident"]),
    )
    priority.refresh_from_db()
    assert priority.title == title
    assert "07700" not in priority.description
    assert "pat@example.org" not in priority.description


def test_only_signed_in_verified_people_or_staff_propose(
    town: Any, personas: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="Sign in"):
        priority_propose(area=town.home, title="Litter")
    unverified = resident("unverified@example.org", verified=False)
    with pytest.raises(ValidationError, match="Confirm your e-mail"):
        priority_propose(area=town.home, title="Litter", user=unverified)


def test_a_priority_belongs_to_a_neighbourhood_not_a_district(
    town: Any, personas: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="neighbourhood"):
        priority_propose(area=town.home.parent, title="Litter", user=verify(personas["resident"]))


def test_the_same_open_proposal_twice_is_refused_with_a_pointer_to_support_it(
    town: Any, personas: dict[str, Any]
) -> None:
    proposal(town.home, verify(personas["resident"]), "Parking on pavements")
    with pytest.raises(ValidationError, match="support it instead"):
        proposal(town.home, resident("second@example.org"), "parking on PAVEMENTS")


def test_verified_support_is_one_vote_per_person(town: Any, personas: dict[str, Any]) -> None:
    priority = proposal(town.home, verify(personas["resident"]))
    neighbour = resident("neighbour@example.org")
    vote = priority_support(priority=priority, user=neighbour)
    assert vote is not None
    assert (vote.question, vote.in_favour) == (Question.ADOPT, True)
    with pytest.raises(ValidationError, match="already voted"):
        priority_support(priority=priority, user=neighbour)
    assert Vote.objects.filter(priority=priority).count() == 1


def test_an_unverified_account_cannot_support(town: Any, personas: dict[str, Any]) -> None:
    priority = proposal(town.home, verify(personas["resident"]))
    with pytest.raises(ValidationError, match="Confirm your e-mail"):
        priority_support(priority=priority, user=resident("nov@example.org", verified=False))
    assert not Vote.objects.filter(priority=priority).exists()


def test_support_without_an_account_is_counted_apart(town: Any, personas: dict[str, Any]) -> None:
    priority = proposal(town.home, verify(personas["resident"]))
    assert priority_support(priority=priority) is None
    priority_support(priority=priority)
    priority.refresh_from_db()
    assert priority.anonymous_support == 2
    assert not Vote.objects.filter(priority=priority).exists()


def test_support_for_a_decided_priority_is_refused(town: Any, personas: dict[str, Any]) -> None:
    priority = proposal(town.home, verify(personas["resident"]))
    priority = priority_transition(
        actor=personas["officer"],
        priority=priority,
        to=PriorityStatus.DROPPED,
        expected_version=priority.version,
        reason="Not a police matter",
    )
    with pytest.raises(ValidationError, match="decided"):
        priority_support(priority=priority)
    with pytest.raises(ValidationError, match="closed"):
        priority_support(priority=priority, user=resident("late@example.org"))
    priority.refresh_from_db()
    assert priority.anonymous_support == 0
