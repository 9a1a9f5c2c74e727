"""Every state change and action change of a priority tells, after commit, the people who
raised it (the proposer's account, the reporters of its concerns and of concerns raised at
meetings) and its followers: each exactly one message, addressed to them alone, in their
language where known, with a link to the public priority page (and a link to stop following
for followers). Nobody's address reaches anyone else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_submit
from ourbeat.engagement.models import ActionStatus, ItemKind, MeetingItem, Priority, PriorityStatus
from ourbeat.engagement.notifications import (
    CHANNELS,
    Notice,
    read_unfollow_token,
    recipients,
    unfollow_token,
)
from ourbeat.engagement.services.priorities import (
    action_add,
    action_update,
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


def _html(message: Any) -> str:
    """The HTML alternative of a message from the outbox."""
    return str(message.alternatives[0][0])


def _concern(area: Any, *, email: str, user: Any = None) -> Concern:
    return concern_submit(
        category=Category.objects.get(code="asb-noise"),
        latitude=area.centre_lat,
        longitude=area.centre_lng,
        description="Racing cars at night",
        reporter_email=email,
        user=user,
    ).concern


@pytest.fixture
def people(town: Any, personas: dict[str, Any], settings: Any) -> dict[str, Any]:
    """A priority raised by a proposal, a confirmed concern, an unconfirmed concern and a
    concern raised at a meeting, followed by two residents (one of them the proposer)."""
    room_for(town.home, settings)
    proposer = verify(personas["resident"])
    priority = proposal(town.home, proposer, "Racing on the <ring> road")
    confirmed_reporter = resident("reporter@example.org")
    confirmed = _concern(town.home, email="reporter@example.org", user=confirmed_reporter)
    unconfirmed = _concern(town.home, email="unconfirmed@example.net")
    at_meeting = _concern(
        town.home, email="meeting-voice@example.net", user=resident("mv@example.org")
    )
    meeting = held_meeting(forum_in(town.home))
    item = MeetingItem.objects.create(
        meeting=meeting, kind=ItemKind.CONCERN, text="Racing again", concern=at_meeting
    )
    officer = personas["officer"]
    for concern in (confirmed, unconfirmed):
        priority_link_origin(actor=officer, priority=priority, concern=concern)
    priority_link_origin(actor=officer, priority=priority, meeting_item=item)
    follower = resident("follower@example.org")
    with_language = resident("russian@example.org")
    priority_follow(priority=priority, user=follower)
    priority_follow(priority=priority, user=proposer)
    from django.utils import translation

    with translation.override("ru"):
        priority_follow(priority=priority, user=with_language)
    mail.outbox.clear()
    return {
        "priority": priority,
        "officer": officer,
        "expected": {
            proposer.email,
            "reporter@example.org",
            "meeting-voice@example.net",
            "follower@example.org",
            "russian@example.org",
        },
        "meeting": meeting,
    }


def _adopt(people: dict[str, Any], capture: Any) -> Priority:
    priority = people["priority"]
    priority.refresh_from_db()
    with capture(execute=True):
        return priority_adopt(
            actor=people["officer"], priority=priority, expected_version=priority.version
        )


def test_a_state_change_tells_each_person_once_and_alone(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _adopt(people, django_capture_on_commit_callbacks)
    addressed = [tuple(message.to) for message in mail.outbox]
    assert all(len(to) == 1 for to in addressed)
    assert sorted(to[0] for to in addressed) == sorted(people["expected"])
    for message in mail.outbox:
        assert not message.cc
        assert not message.bcc
        html = _html(message)
        others = people["expected"] - {message.to[0]}
        for other in others:
            assert other not in message.body
            assert other not in html
            assert other not in message.subject
        assert "unconfirmed@example.net" not in message.body
        # Each in their own language: the follower who chose Russian reads Russian.
        if message.to[0] == "russian@example.org":
            assert "Приоритет принят" in message.subject
        else:
            assert "adopted" in message.subject
        assert f"/en/priorities/{people['priority'].pk}/" in message.body or (
            "/priorities/" in message.body
        )


def test_the_unconfirmed_reporter_and_the_person_making_the_change_are_not_told(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _adopt(people, django_capture_on_commit_callbacks)
    sent_to = {message.to[0] for message in mail.outbox}
    assert "unconfirmed@example.net" not in sent_to
    assert people["officer"].email not in sent_to


def test_nothing_is_sent_before_the_transaction_commits(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    priority = people["priority"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        priority_adopt(
            actor=people["officer"], priority=priority, expected_version=priority.version
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_refused_change_sends_nothing(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    priority = people["priority"]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="Someone else"),
    ):
        priority_adopt(actor=people["officer"], priority=priority, expected_version=99)
    assert callbacks == []
    assert mail.outbox == []


def test_followers_get_a_link_to_stop_and_those_who_only_raised_it_do_not(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _adopt(people, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "To stop following it" in by_address["follower@example.org"].body
    assert "because you follow" in by_address["follower@example.org"].body
    reporter = by_address["reporter@example.org"].body
    assert "To stop following it" not in reporter
    assert "because you raised" in reporter


def test_news_goes_out_in_the_language_the_person_used(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _adopt(people, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert '<html lang="ru">' in _html(by_address["russian@example.org"])
    assert '<html lang="en">' in _html(by_address["follower@example.org"])


def test_hostile_titles_are_escaped_in_html_and_kept_on_one_subject_line(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    Priority.objects.filter(pk=people["priority"].pk).update(title="Evil\r\nBcc: x@evil <script>")
    _adopt(people, django_capture_on_commit_callbacks)
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert "\r" not in message.subject
        assert "<script>" not in _html(message)
        assert "&lt;script&gt;" in _html(message)
        assert message.bcc == []


def test_every_lifecycle_step_and_action_change_is_news(
    people: dict[str, Any], town: Any, django_capture_on_commit_callbacks: Any
) -> None:
    officer, priority = people["officer"], people["priority"]
    expected = len(people["expected"])
    with django_capture_on_commit_callbacks(execute=True):
        priority = bring_to(priority, PriorityStatus.ACTIVE, officer)
    assert len(mail.outbox) == 2 * expected
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action = action_add(
            actor=officer,
            priority=priority,
            title="Average speed cameras",
            owner_organisation=town.council,
            due_on=timezone.localdate() + timedelta(days=20),
        )
    assert len(mail.outbox) == expected
    assert "New action" in mail.outbox[0].subject
    assert "Average speed cameras" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action_update(
            actor=officer,
            action=action,
            expected_version=action.version,
            status=ActionStatus.DONE,
            result="Cameras live since Monday",
        )
    assert len(mail.outbox) == expected
    assert "Cameras live since Monday" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        priority = priority_transition(
            actor=officer,
            priority=priority,
            to=PriorityStatus.DROPPED,
            expected_version=priority.version,
            reason="Merged with the county road-safety plan",
        )
    assert len(mail.outbox) == expected
    assert "Merged with the county road-safety plan" in mail.outbox[0].body


def test_a_follower_who_also_raised_it_is_counted_once(people: dict[str, Any]) -> None:
    found = recipients(people["priority"])
    emails = [r.email.lower() for r in found]
    assert len(emails) == len(set(emails)) == len(people["expected"])
    proposer = next(r for r in found if r.email == "resident@example.org")
    assert proposer.follower_user_id is not None
    assert proposer.reasons == {"raised", "follows"}


def test_inactive_accounts_are_not_told(people: dict[str, Any]) -> None:
    from ourbeat.accounts.models import User

    User.objects.filter(email="follower@example.org").update(is_active=False)
    assert "follower@example.org" not in {r.email for r in recipients(people["priority"])}


def test_the_stop_following_link_is_signed(people: dict[str, Any]) -> None:
    token = unfollow_token(people["priority"].pk, 42)
    assert read_unfollow_token(token) == (people["priority"].pk, 42)
    assert read_unfollow_token(token[:-2] + "xx") is None
    assert read_unfollow_token("") is None
    assert read_unfollow_token("not-a-token") is None


def test_one_failing_delivery_does_not_stop_the_others(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives.send

    def flaky(self: Any, fail_silently: bool = False) -> int:
        if self.to == ["reporter@example.org"]:
            raise OSError("mailbox unavailable")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    _adopt(people, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == len(people["expected"]) - 1


def test_a_new_channel_is_a_class_with_a_send_method(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    received: list[Notice] = []

    class Recorder:
        name = "recorder"

        def send(self, notices: list[Notice]) -> int:
            received.extend(notices)
            return len(notices)

    monkeypatch.setattr("ourbeat.engagement.notifications.CHANNELS", [*CHANNELS, Recorder()])
    _adopt(people, django_capture_on_commit_callbacks)
    assert {n.recipient.email for n in received} == people["expected"]
