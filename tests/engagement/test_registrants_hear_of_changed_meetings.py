"""Everyone registered for a meeting hears, after the change commits, when it is cancelled
(with the published reason and a link to the forum's page) or moved (what it was and what
it is now, with a link to the meeting's page): each exactly one message, addressed to them
alone, in the language they registered in. A new title or agenda is no news, a refused
change sends nothing, and no registrant's address reaches the audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Meeting, Registration
from ourbeat.engagement.services import meetings
from tests.engagement.meetings_helpers import new_forum, schedule

pytestmark = pytest.mark.django_db

RESIDENTS = ("ada@example.org", "bob@example.net", "cleo@example.com")
RUSSIAN = "nina@example.org"


def _html(message: Any) -> str:
    return str(message.alternatives[0][0])


def _day(moment: Any, language: str) -> str:
    with translation.override(language):
        return date_format(timezone.localtime(moment), "j E Y")


def _time(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _details(meeting: Meeting, **changes: Any) -> dict[str, Any]:
    """Every field ``meeting_update`` names, as the meeting has them, with ``changes``."""
    fields = {
        name: getattr(meeting, name)
        for name in (
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "accessibility",
            "online_url",
            "agenda",
            "registration_required",
            "capacity",
        )
    }
    fields.update(changes)
    return fields


@pytest.fixture
def meeting(town: Any, client_for: Any) -> Meeting:
    """An upcoming beat meeting with three residents registered through the service and
    one through the Russian public page."""
    booked = schedule(
        new_forum(town.home),
        title="Beat meeting",
        registration_required=True,
        capacity=20,
        accessibility="Step-free entrance",
    )
    for n, email in enumerate(RESIDENTS):
        meetings.meeting_register(meeting=booked, name=f"Resident {n}", email=email)
    response = client_for(None).post(
        f"/ru/meetings/{booked.pk}/register/", {"name": "Нина", "email": RUSSIAN}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    translation.activate("en")  # the request left Russian active in this thread
    mail.outbox.clear()
    return booked


def _cancel(meeting: Meeting, officer: Any, capture: Any) -> None:
    with capture(execute=True):
        meetings.meeting_cancel(
            actor=officer, meeting=meeting, reason="The hall is flooded; we meet next month."
        )


def _update(meeting: Meeting, officer: Any, capture: Any, **changes: Any) -> None:
    meeting = Meeting.objects.get(pk=meeting.pk)
    with capture(execute=True):
        meetings.meeting_update(actor=officer, meeting=meeting, **_details(meeting, **changes))


def test_registering_on_the_russian_page_keeps_the_language(meeting: Meeting) -> None:
    assert Registration.objects.get(meeting=meeting, email=RUSSIAN).language == "ru"
    assert set(
        Registration.objects.filter(meeting=meeting, email__in=RESIDENTS).values_list(
            "language", flat=True
        )
    ) == {""}


def test_a_language_the_site_does_not_speak_is_not_kept(meeting: Meeting) -> None:
    registration = meetings.meeting_register(
        meeting=meeting, name="Xu", email="xu@example.org", language="xx-klingon"
    )
    assert registration.language == ""


def test_a_cancellation_tells_each_registrant_once_and_alone_with_the_reason(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    everyone = {*RESIDENTS, RUSSIAN}
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted((e,) for e in everyone)
    forum_path = f"/forums/{meeting.forum.slug}/"
    for message in mail.outbox:
        assert not message.cc
        assert not message.bcc
        html = _html(message)
        for other in everyone - {message.to[0]}:
            assert other not in message.body
            assert other not in html
        assert "The hall is flooded; we meet next month." in message.body
        assert "The hall is flooded; we meet next month." in html
        assert "Beat meeting" in message.subject
        assert _time(meeting.starts_at) in message.body
        assert forum_path in message.body
        assert forum_path in html


def test_a_cancellation_reaches_each_person_in_the_language_they_registered_in(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    russian, english = by_address[RUSSIAN], by_address[RESIDENTS[0]]
    assert '<html lang="ru">' in _html(russian)
    assert '<html lang="en">' in _html(english)
    # The date is written in the reader's language ("4 декабря 2026") and the field labels
    # already have Russian translations. The new sentences of these e-mails ("Meeting
    # cancelled: …") read in English until the Russian catalogue has them.
    assert _day(meeting.starts_at, "ru") in russian.subject
    assert _day(meeting.starts_at, "en") in english.subject
    assert _day(meeting.starts_at, "ru") != _day(meeting.starts_at, "en")
    assert "Причина:" in russian.body
    assert "Reason:" in english.body
    assert "/ru/forums/" in russian.body
    assert "/en/forums/" in english.body


def test_nothing_is_sent_before_the_cancellation_commits(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="Snow")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_cancellation_rolled_back_sends_nothing(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    def cancel_then_fail() -> None:
        with transaction.atomic():
            meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="Snow")
            raise RuntimeError("something after it failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        cancel_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_a_move_tells_registrants_the_old_and_the_new_time(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old_start, old_end = meeting.starts_at, meeting.ends_at
    new_start = old_start + timedelta(days=1, hours=-1, minutes=-15)
    new_end = new_start + timedelta(hours=2)
    _update(
        meeting,
        personas["officer"],
        django_capture_on_commit_callbacks,
        starts_at=new_start,
        ends_at=new_end,
    )
    assert len(mail.outbox) == len(RESIDENTS) + 1
    assert all(len(m.to) == 1 for m in mail.outbox)
    english = next(m for m in mail.outbox if m.to == [RESIDENTS[0]])
    body, html = english.body, _html(english)
    was = f"{_day(old_start, 'en')}, {_time(old_start)}–{_time(old_end)}"
    now = f"{_day(new_start, 'en')}, {_time(new_start)}–{_time(new_end)}"
    assert f"Was: {was}" in body
    assert f"Now: {now}" in body
    assert was in html
    assert now in html
    assert _day(new_start, "en") in english.subject
    assert f"/en/meetings/{meeting.pk}/" in body
    russian = next(m for m in mail.outbox if m.to == [RUSSIAN])
    assert "Когда" in russian.body  # "When", already translated
    assert _day(new_start, "ru") in russian.body
    assert f"/ru/meetings/{meeting.pk}/" in russian.body


def test_a_new_venue_or_online_link_is_news_with_what_it_was(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _update(
        meeting,
        personas["officer"],
        django_capture_on_commit_callbacks,
        venue="Library, upstairs room",
        online_url="https://meet.example.org/beat",
    )
    assert len(mail.outbox) == len(RESIDENTS) + 1
    body = next(m for m in mail.outbox if m.to == [RESIDENTS[1]]).body
    assert "Venue\n  Was: Community Hall\n  Now: Library, upstairs room" in body
    assert "Online link\n  Was: —\n  Now: https://meet.example.org/beat" in body
    assert "When" not in body  # the time did not change
    russian = next(m for m in mail.outbox if m.to == [RUSSIAN]).body
    assert "Место проведения" in russian  # "Venue", already translated


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Beat meeting (spring)"},
        {"agenda": "1. Speeding on Mill Lane\n2. Any other business"},
        {"capacity": 30},
    ],
    ids=["title", "agenda", "capacity"],
)
def test_an_edit_that_changes_nothing_registrants_rely_on_sends_nothing(
    meeting: Meeting,
    personas: Any,
    django_capture_on_commit_callbacks: Any,
    changes: dict[str, Any],
) -> None:
    _update(meeting, personas["officer"], django_capture_on_commit_callbacks, **changes)
    updated = Meeting.objects.get(pk=meeting.pk)
    assert all(getattr(updated, k) == v for k, v in changes.items())
    assert mail.outbox == []


def test_the_same_time_written_in_another_time_zone_is_no_change(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    _update(
        meeting,
        personas["officer"],
        django_capture_on_commit_callbacks,
        title="Same time, other zone",
        starts_at=meeting.starts_at.astimezone(tokyo),
        ends_at=meeting.ends_at.astimezone(tokyo),
    )
    assert mail.outbox == []


def test_a_refused_update_sends_nothing(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = schedule(meeting.forum, days=9, title="Another meeting", venue="Library")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as refused,
    ):
        meetings.meeting_update(
            actor=personas["officer"],
            meeting=meeting,
            **_details(
                meeting,
                venue="library",
                starts_at=other.starts_at,
                ends_at=other.ends_at,
            ),
        )
    assert "is taken then: Another meeting" in " ".join(refused.value.messages)
    assert callbacks == []
    assert mail.outbox == []
    assert Meeting.objects.get(pk=meeting.pk).venue == "Community Hall"


def test_a_refused_cancellation_sends_nothing(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="Again")
    assert callbacks == []
    assert mail.outbox == []


def test_only_the_meetings_own_registrants_are_told(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = schedule(meeting.forum, days=9, registration_required=True, venue="Library")
    meetings.meeting_register(meeting=other, name="Dan", email="dan@example.org")
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    assert "dan@example.org" not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == len(RESIDENTS) + 1


def test_no_registrant_address_or_name_reaches_the_audit_log(
    meeting: Meeting, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = AuditEvent.objects.order_by("id").first()
    _update(
        meeting,
        personas["officer"],
        django_capture_on_commit_callbacks,
        venue="Library",
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2 * (len(RESIDENTS) + 1)
    logged = AuditEvent.objects.filter(id__gte=first.id if first else 0)
    text = json.dumps(
        [[e.action, e.actor_label, e.object_repr, e.data] for e in logged], ensure_ascii=False
    ).lower()
    for email in (*RESIDENTS, RUSSIAN):
        assert email not in text
        assert email.split("@")[0] + "@" not in text
    assert "нина" not in text
    assert "resident 0" not in text


def test_one_failing_address_does_not_stop_the_others(
    meeting: Meeting,
    personas: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives.send

    def flaky(self: Any, fail_silently: bool = False) -> int:
        if self.to == [RESIDENTS[1]]:
            raise OSError("mailbox unavailable")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    _cancel(meeting, personas["officer"], django_capture_on_commit_callbacks)
    assert {m.to[0] for m in mail.outbox} == {RESIDENTS[0], RESIDENTS[2], RUSSIAN}
    failed = [r for r in caplog.records if "meeting news" in r.getMessage()]
    assert len(failed) == 1
    assert RESIDENTS[1] not in failed[0].getMessage()
