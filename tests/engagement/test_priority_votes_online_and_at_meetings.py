"""Votes: one per verified account and question online; counts recorded at a held meeting,
never more than its recorded attendance, once per meeting, priority and question. Voting
twice, voting on a closed priority and other bad votes are refused and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.engagement.models import MeetingStatus, MeetingVote, PriorityStatus, Question, Vote
from ourbeat.engagement.services.priorities import meeting_vote_record, priority_vote
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
def priority(town: Any, personas: dict[str, Any]) -> Any:
    return proposal(town.home, verify(personas["resident"]))


@pytest.fixture
def meeting(town: Any) -> Any:
    return held_meeting(forum_in(town.home), attendance=12)


def test_a_verified_resident_votes_once_per_question(priority: Any) -> None:
    voter = resident("voter@example.org")
    priority_vote(priority=priority, user=voter, question=Question.ADOPT, in_favour=False)
    with pytest.raises(ValidationError, match="already voted"):
        priority_vote(priority=priority, user=voter, question=Question.ADOPT, in_favour=True)
    assert list(Vote.objects.filter(priority=priority).values_list("in_favour", flat=True)) == [
        False
    ]


def test_voting_on_resolution_is_open_only_under_review(
    priority: Any, personas: dict[str, Any], town: Any, settings: Any
) -> None:
    voter = resident("voter@example.org")
    with pytest.raises(ValidationError, match="closed"):
        priority_vote(priority=priority, user=voter, question=Question.RESOLVED, in_favour=True)
    room_for(town.home, settings)
    bring_to(priority, PriorityStatus.UNDER_REVIEW, personas["officer"])
    priority_vote(priority=priority, user=voter, question=Question.RESOLVED, in_favour=True)
    with pytest.raises(ValidationError, match="closed"):
        priority_vote(priority=priority, user=voter, question=Question.ADOPT, in_favour=True)


def test_signed_out_unverified_and_malformed_votes_are_refused(priority: Any) -> None:
    with pytest.raises(ValidationError, match="Sign in"):
        priority_vote(priority=priority, user=None, question=Question.ADOPT, in_favour=True)
    unverified = resident("nov@example.org", verified=False)
    with pytest.raises(ValidationError, match="Confirm"):
        priority_vote(priority=priority, user=unverified, question=Question.ADOPT, in_favour=True)
    voter = resident("voter@example.org")
    with pytest.raises(ValidationError):
        priority_vote(priority=priority, user=voter, question="'; DROP TABLE", in_favour=True)
    with pytest.raises(ValidationError):
        priority_vote(priority=priority, user=voter, question=Question.ADOPT, in_favour="yes")  # type: ignore[arg-type]
    assert not Vote.objects.filter(priority=priority).exists()


def test_a_meeting_records_its_vote_within_its_attendance(
    priority: Any, meeting: Any, personas: dict[str, Any]
) -> None:
    vote = meeting_vote_record(
        actor=personas["officer"],
        meeting=meeting,
        priority=priority,
        question=Question.ADOPT,
        in_favour=7,
        against=3,
        abstained=2,
    )
    assert vote.carried
    with pytest.raises(ValidationError, match="already recorded"):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=meeting,
            priority=priority,
            question=Question.ADOPT,
            in_favour=1,
            against=0,
        )
    assert MeetingVote.objects.filter(priority=priority).count() == 1


def test_more_votes_than_people_at_the_meeting_are_refused(
    priority: Any, meeting: Any, personas: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="13 votes are more than the 12 people"):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=meeting,
            priority=priority,
            question=Question.ADOPT,
            in_favour=10,
            against=3,
        )
    assert not MeetingVote.objects.filter(priority=priority).exists()


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ((0, 0, 0), "at least one vote"),
        ((-1, 3, 0), "whole number"),
        ((True, 3, 0), "whole number"),
        (("5", 3, 0), "whole number"),
    ],
)
def test_malformed_counts_are_refused(
    priority: Any, meeting: Any, personas: dict[str, Any], counts: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=meeting,
            priority=priority,
            question=Question.ADOPT,
            in_favour=counts[0],
            against=counts[1],
            abstained=counts[2],
        )


def test_a_meeting_not_held_cannot_record_votes(
    priority: Any, meeting: Any, personas: dict[str, Any]
) -> None:
    meeting.status = MeetingStatus.SCHEDULED
    meeting.attendance = None
    meeting.save()
    with pytest.raises(ValidationError, match="held"):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=meeting,
            priority=priority,
            question=Question.ADOPT,
            in_favour=1,
            against=0,
        )


def test_a_forum_elsewhere_cannot_vote_on_this_neighbourhood(
    priority: Any, town: Any, personas: dict[str, Any]
) -> None:
    elsewhere = held_meeting(forum_in(town.elsewhere, slug="elsewhere-forum"))
    with pytest.raises(ValidationError, match="does not cover"):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=elsewhere,
            priority=priority,
            question=Question.ADOPT,
            in_favour=1,
            against=0,
        )


def test_a_meeting_cannot_vote_on_a_closed_priority(
    priority: Any, meeting: Any, personas: dict[str, Any], town: Any, settings: Any
) -> None:
    room_for(town.home, settings)
    bring_to(priority, PriorityStatus.RESOLVED, personas["officer"], meeting=meeting)
    with pytest.raises(ValidationError, match="closed"):
        meeting_vote_record(
            actor=personas["officer"],
            meeting=meeting,
            priority=priority,
            question=Question.ADOPT,
            in_favour=1,
            against=0,
        )
