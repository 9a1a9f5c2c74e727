"""The link at the foot of a follower's e-mail stops the e-mails without signing in. The
link only asks (a mail scanner that fetches it changes nothing); the button stops. A forged
or damaged link changes nothing and says what to do instead."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Follower, PriorityStatus
from ourbeat.engagement.services.priorities import priority_follow, priority_transition
from tests.engagement.priority_helpers import proposal, resident, room_for, verify

pytestmark = pytest.mark.django_db


def _link_in(message: Any) -> str:
    match = re.search(r"http://testserver(/\S*/priorities/stop-following/\S+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


@pytest.fixture
def followed(
    town: Any, personas: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> Any:
    room_for(town.home, settings)
    settings.OURBEAT_SITE_URL = "http://testserver"
    priority = proposal(town.home, verify(personas["resident"]), "Litter by the shops")
    follower = resident("follower@example.org")
    priority_follow(priority=priority, user=follower)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        priority = priority_transition(
            actor=personas["officer"],
            priority=priority,
            to=PriorityStatus.DROPPED,
            expected_version=priority.version,
            reason="Joined with the estate's litter priority.",
        )
    [message] = [m for m in mail.outbox if m.to == ["follower@example.org"]]
    return priority, follower, _link_in(message)


def test_the_link_asks_first_then_the_button_stops_the_emails(
    client_for: Any, followed: Any
) -> None:
    priority, follower, link = followed
    client = client_for(None)
    ask = client.get(link)
    assert ask.status_code == 200
    assert "Litter by the shops" in ask.content.decode()
    assert Follower.objects.filter(priority=priority, user=follower).exists()
    done = client.post(link, follow=True)
    assert done.status_code == 200
    assert "you will no longer hear about" in done.content.decode()
    assert not Follower.objects.filter(priority=priority, user=follower).exists()
    event = AuditEvent.objects.filter(action="engagement.priority.unfollow").latest("id")
    assert event.actor_id == follower.pk
    # Pressing it again is harmless.
    assert client.post(link, follow=True).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda link: link.replace("stop-following/", "stop-following/x"),
        lambda link: link[:-6] + "AAAAA/",
        lambda link: link.rsplit("/", 2)[0] + "/%3Cscript%3E/",
    ],
)
def test_a_damaged_link_changes_nothing(client_for: Any, followed: Any, mangle: Any) -> None:
    priority, follower, link = followed
    client = client_for(None)
    response = client.post(mangle(link))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert Follower.objects.filter(priority=priority, user=follower).exists()
