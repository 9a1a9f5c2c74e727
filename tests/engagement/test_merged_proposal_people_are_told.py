"""When staff merge a proposal into a priority that raised the same problem, the people of
the proposal (its proposer and followers) are told once, with a link to the priority they
will hear about from now on; the priority's own people are not bothered by it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ourbeat.engagement.models import PriorityStatus
from ourbeat.engagement.services.priorities import priority_follow, priority_link_origin
from tests.engagement.priority_helpers import proposal, resident, room_for, verify

pytestmark = pytest.mark.django_db


def test_the_proposer_and_followers_of_a_merged_proposal_hear_where_it_went(
    town: Any, personas: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    room_for(town.home, settings)
    settings.OURBEAT_SITE_URL = "https://ourbeat.example"
    target = proposal(town.home, verify(personas["resident"]), "Speeding on Mill Lane")
    merged_proposer = resident("second@example.org")
    merged = proposal(town.home, merged_proposer, "Cars racing past the school")
    follower = resident("follower@example.org")
    priority_follow(priority=merged, user=follower)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        priority_link_origin(actor=personas["officer"], priority=target, proposal=merged)
    merged.refresh_from_db()
    assert merged.status == PriorityStatus.DROPPED
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == ["follower@example.org", "second@example.org"]
    for message in mail.outbox:
        assert "Cars racing past the school" in message.subject
        assert "Speeding on Mill Lane" in message.subject
        assert f"https://ourbeat.example{target.get_absolute_url()}" in message.body
    [for_follower] = [m for m in mail.outbox if m.to == ["follower@example.org"]]
    assert "/priorities/stop-following/" in for_follower.body
    # They now hear of the priority they joined.
    assert target.followers.filter(user=follower).exists()
