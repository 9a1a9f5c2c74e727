"""Every write of the priorities services leaves its audit event (actor, object, data) and
the chain stays intact; the staff lists of priorities and actions use a fixed number of
queries however many rows they show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ourbeat.core.audit import verify_chain
from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import ActionStatus, PriorityStatus, Question
from ourbeat.engagement.services.priorities import (
    action_add,
    action_update,
    meeting_vote_record,
    priority_adopt,
    priority_follow,
    priority_support,
    priority_transition,
    priority_unfollow,
    priority_vote,
)
from tests.engagement.priority_helpers import (
    forum_in,
    held_meeting,
    proposal,
    resident,
    room_for,
    verify,
)

pytestmark = pytest.mark.django_db


def _newest(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event"
    return event


def test_each_priority_write_leaves_its_audit_event(
    town: Any, personas: dict[str, Any], settings: Any
) -> None:
    room_for(town.home, settings)
    officer = personas["officer"]
    proposer = verify(personas["resident"])
    priority = proposal(town.home, proposer)
    assert _newest("engagement.priority.propose").actor_id == proposer.pk
    assert _newest("engagement.priority.publish").object_id == str(priority.pk)
    supporter = resident("supporter@example.org")
    priority_support(priority=priority, user=supporter)
    assert _newest("engagement.priority.support").actor_id == supporter.pk
    priority_support(priority=priority)
    assert _newest("engagement.priority.support").data == {"anonymous": True}
    meeting = held_meeting(forum_in(town.home))
    meeting_vote_record(
        actor=officer,
        meeting=meeting,
        priority=priority,
        question=Question.ADOPT,
        in_favour=5,
        against=1,
    )
    assert _newest("engagement.meeting_vote.record").data["in_favour"] == 5
    follower = resident("follower@example.org")
    priority_follow(priority=priority, user=follower)
    assert _newest("engagement.priority.follow").actor_id == follower.pk
    priority_unfollow(priority=priority, user=follower)
    assert _newest("engagement.priority.unfollow").object_id == str(priority.pk)
    priority = priority_adopt(actor=officer, priority=priority, expected_version=priority.version)
    assert _newest("engagement.priority.adopt").actor_id == officer.pk
    priority = priority_transition(
        actor=officer,
        priority=priority,
        to=PriorityStatus.ACTIVE,
        expected_version=priority.version,
    )
    assert _newest("engagement.priority.transition").data["to"] == PriorityStatus.ACTIVE
    action = action_add(
        actor=officer,
        priority=priority,
        title="Patrols",
        owner_organisation=town.force,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    assert _newest("engagement.action.add").object_id == str(action.pk)
    action_update(actor=officer, action=action, expected_version=1, status=ActionStatus.DONE)
    event = _newest("engagement.action.update")
    assert event.data["before"] == {"status": "planned", "completed_at": None}
    priority = priority_transition(
        actor=officer,
        priority=priority,
        to=PriorityStatus.UNDER_REVIEW,
        expected_version=priority.version,
    )
    voter = resident("voter@example.org")
    priority_vote(priority=priority, user=voter, question=Question.RESOLVED, in_favour=True)
    vote_event = _newest("engagement.priority.vote")
    assert vote_event.data == {"question": "resolved"}
    assert verify_chain().problem is None


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_staff_lists_use_a_fixed_number_of_queries(
    town: Any, personas: dict[str, Any], client_for: Any, settings: Any
) -> None:
    room_for(town.home, settings, spare=30)
    officer = personas["officer"]
    client = client_for(officer)
    partner = client_for(personas["partner_staff"])

    def add(n: int) -> None:
        for i in range(n):
            p = proposal(town.home, resident(f"p{i}-{n}@example.org"), f"Proposal {n}-{i}")
            p = priority_adopt(actor=officer, priority=p, expected_version=p.version)
            action_add(
                actor=officer,
                priority=p,
                title=f"Action {n}-{i}",
                owner_organisation=town.council,
                due_on=timezone.localdate() + timedelta(days=5),
            )

    add(2)
    small = (
        _count_queries(client, "/en/staff/engagement/priorities/"),
        _count_queries(partner, "/en/staff/engagement/actions/"),
    )
    add(8)
    large = (
        _count_queries(client, "/en/staff/engagement/priorities/"),
        _count_queries(partner, "/en/staff/engagement/actions/"),
    )
    assert large == small
