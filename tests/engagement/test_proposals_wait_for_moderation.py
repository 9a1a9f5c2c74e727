"""A resident's proposal is free text: it reaches the public only after a moderator has read
it (DESIGN's privacy rules). Until then only its proposer sees it, nobody can support, vote
on or follow it, and no list, feed or API shows it. The moderator publishes it as written
or corrected (the original stays in the audit log) and the proposer is told; staff
proposals and adopted ones are public at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Priority, PriorityStatus
from ourbeat.engagement.services.priorities import (
    priority_adopt,
    priority_follow,
    priority_propose,
    priority_publish,
    priority_support,
    priority_transition,
    priority_vote,
)
from tests.engagement.priority_helpers import proposal, resident, room_for, verify

pytestmark = pytest.mark.django_db

TITLE = "Dealing by the bus shelter on Elm Road"


@pytest.fixture
def waiting(town: Any, personas: dict[str, Any]) -> Priority:
    return proposal(town.home, verify(personas["resident"]), TITLE, published=False)


def _public_urls(town: Any) -> list[str]:
    slug = town.home.slug
    return [
        reverse("engagement:you_said_we_did", kwargs={"slug": slug}),
        reverse("engagement:priorities_feed_rss", kwargs={"slug": slug}),
        reverse("engagement:priorities_feed_atom", kwargs={"slug": slug}),
        town.home.get_absolute_url(),
        f"/api/v1/neighbourhoods/{slug}/priorities",
    ]


def test_a_waiting_proposal_is_seen_by_its_proposer_only(
    client_for: Any, town: Any, personas: dict[str, Any], waiting: Priority
) -> None:
    assert waiting.published_at is None
    url = waiting.get_absolute_url()
    assert client_for(None).get(url).status_code == 404
    assert client_for(resident("neighbour@example.org")).get(url).status_code == 404
    own = client_for(personas["resident"]).get(url)
    assert own.status_code == 200
    html = own.content.decode()
    assert "Only you can see this proposal for now" in html
    assert "support-heading" not in html
    assert "follow-heading" not in html
    anonymous = client_for(None)
    for address in _public_urls(town):
        response = anonymous.get(address)
        assert response.status_code == 200, address
        assert TITLE not in response.content.decode(), address
    api = anonymous.get(f"/api/v1/priorities/{waiting.pk}")
    assert api.status_code == 404


def test_nobody_can_support_vote_on_or_follow_a_waiting_proposal(
    client_for: Any, waiting: Priority
) -> None:
    neighbour = resident("neighbour@example.org")
    for call in (
        lambda: priority_support(priority=waiting, user=neighbour),
        lambda: priority_support(priority=waiting),
        lambda: priority_vote(priority=waiting, user=neighbour, question="adopt", in_favour=True),
        lambda: priority_follow(priority=waiting, user=neighbour),
    ):
        with pytest.raises(ValidationError, match="waiting for a moderator"):
            call()
    client = client_for(neighbour)
    for name in ("priority_support", "priority_follow"):
        response = client.post(reverse(f"engagement:{name}", kwargs={"pk": waiting.pk}))
        assert response.status_code == 404
    waiting.refresh_from_db()
    assert (waiting.anonymous_support, waiting.votes.count(), waiting.followers.count()) == (
        0,
        0,
        0,
    )


def test_the_moderator_publishes_a_corrected_text_and_the_proposer_is_told(
    client_for: Any,
    town: Any,
    personas: dict[str, Any],
    waiting: Priority,
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    officer = client_for(personas["officer"])
    queue = officer.get(reverse("staff_engagement:priorities")).content.decode()
    assert TITLE in queue
    assert "waiting for moderation" in queue
    url = reverse("staff_engagement:priority_publish", kwargs={"pk": waiting.pk})
    form = officer.get(url)
    assert form.status_code == 200
    assert TITLE in form.content.decode()
    mail.outbox.clear()
    with capture(execute=True):
        response = officer.post(
            url,
            {
                "version": waiting.version,
                "title": "Dealing by a bus shelter",
                "description": "Every evening; the man in the red car, reg AB12 CDE.",
            },
        )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.published_at is not None
    assert waiting.title == "Dealing by a bus shelter"
    assert "AB12 CDE" not in waiting.description
    event = AuditEvent.objects.filter(action="engagement.priority.publish").latest("id")
    assert event.data["edited"] is True
    assert event.data["original"]["title"] == TITLE
    [message] = mail.outbox
    assert message.to == [personas["resident"].email]
    assert "Your proposal is published" in message.subject
    public = client_for(None).get(waiting.get_absolute_url())
    assert public.status_code == 200
    assert "Dealing by a bus shelter" in public.content.decode()
    ysyd = client_for(None).get(
        reverse("engagement:you_said_we_did", kwargs={"slug": town.home.slug})
    )
    assert "Dealing by a bus shelter" in ysyd.content.decode()


def test_publishing_twice_or_from_a_stale_page_is_refused(
    personas: dict[str, Any], waiting: Priority
) -> None:
    officer = personas["officer"]
    stale = waiting.version
    published = priority_publish(actor=officer, priority=waiting, expected_version=stale)
    with pytest.raises(ValidationError, match="Someone else changed this priority"):
        priority_publish(actor=officer, priority=published, expected_version=stale)
    with pytest.raises(ValidationError, match="published already"):
        priority_publish(actor=officer, priority=published, expected_version=published.version)


def test_a_refused_proposal_is_dropped_with_a_reason_and_stays_private(
    client_for: Any,
    personas: dict[str, Any],
    waiting: Priority,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dropped = priority_transition(
            actor=personas["officer"],
            priority=waiting,
            to=PriorityStatus.DROPPED,
            expected_version=waiting.version,
            reason="It names a person; please report it as a concern instead.",
        )
    assert dropped.published_at is None
    assert client_for(None).get(waiting.get_absolute_url()).status_code == 404
    [message] = mail.outbox
    assert message.to == [personas["resident"].email]
    assert "please report it as a concern instead" in message.body
    with pytest.raises(ValidationError, match="Only an open proposal"):
        priority_publish(
            actor=personas["officer"], priority=dropped, expected_version=dropped.version
        )


def test_staff_proposals_are_public_at_once_and_adoption_publishes(
    town: Any, personas: dict[str, Any], waiting: Priority, settings: Any
) -> None:
    officer = personas["officer"]
    raised = priority_propose(area=town.home, title="Speeding near the school", actor=officer)
    assert raised.published_at is not None
    room_for(town.home, settings)
    adopted = priority_adopt(actor=officer, priority=waiting, expected_version=waiting.version)
    assert adopted.status == PriorityStatus.ADOPTED
    assert adopted.published_at is not None
