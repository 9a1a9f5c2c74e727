"""Meetings as iCalendar: a calendar app reads back each meeting with a stable UID, its
place, its public page and, for a cancelled meeting, STATUS:CANCELLED."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest

from ourbeat.engagement.calendar import meetings_calendar
from ourbeat.engagement.services import meetings
from tests.engagement.meetings_helpers import new_forum, schedule

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_meetings_read_back_with_place_link_times_and_cancellation(town: Any) -> None:
    forum = new_forum(town.home)
    kept = schedule(forum, agenda="Speeding; litter", accessibility="Step-free")
    dropped = schedule(forum, days=14, venue="Library", address="2 Mill Lane")
    online = schedule(
        forum, days=21, venue="", address="", online_url="https://meet.example.org/beat"
    )
    meetings.meeting_cancel(actor=None, meeting=dropped, reason="The library is closed")
    body = meetings_calendar([kept, dropped, online], base_url="https://ourbeat.example")
    events = _events(body)
    assert len(events) == 3
    first = next(e for e in events.values() if str(e["summary"]) == "Beat meeting")
    assert first["dtstart"].dt == kept.starts_at
    assert first["dtend"].dt == kept.ends_at
    assert str(first["location"]) == "Community Hall, 1 High Street"
    assert str(first["url"]) == f"https://ourbeat.example/en/meetings/{kept.pk}/"
    assert str(first["status"]) == "CONFIRMED"
    assert "Step-free" in str(first["description"])
    cancelled = next(e for e in events.values() if str(e["status"]) == "CANCELLED")
    assert str(cancelled["location"]) == "Library, 2 Mill Lane"
    assert "The library is closed" in str(cancelled["description"])
    assert str(cancelled["summary"]).startswith("Cancelled")
    link = next(e for e in events.values() if "meet.example.org" in str(e.get("location")))
    assert "https://meet.example.org/beat" in str(link["description"])


def test_the_uid_of_a_meeting_stays_the_same_when_it_changes(town: Any) -> None:
    forum = new_forum(town.home)
    meeting = schedule(forum)
    before = set(_events(meetings_calendar([meeting])))
    meetings.meeting_cancel(actor=None, meeting=meeting, reason="Snow")
    after = set(_events(meetings_calendar([meeting])))
    assert before == after == {f"meeting-{meeting.pk}@127.0.0.1"}


def test_an_empty_calendar_is_still_a_valid_calendar() -> None:
    calendar = icalendar.Calendar.from_ical(meetings_calendar([]))
    assert str(calendar["version"]) == "2.0"
    assert list(calendar.walk("VEVENT")) == []
