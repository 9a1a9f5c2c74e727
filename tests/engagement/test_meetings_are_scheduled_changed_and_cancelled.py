"""Scheduling, changing and cancelling a meeting: each refusal (a start in the past, an end
before the start, no venue and no link, another meeting in the same venue at the same time,
a hostile link) is clear and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Meeting, MeetingStatus
from ourbeat.engagement.services import meetings
from ourbeat.places.models import Area
from tests.engagement.meetings_helpers import events, new_forum, past_meeting, schedule, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(town: Any) -> Any:
    return new_forum(town.home)


def test_a_meeting_is_scheduled_published_and_audited(forum: Any, town: Any, personas: Any) -> None:
    version = Area.objects.get(pk=town.home.pk).content_version
    meeting = schedule(
        forum,
        personas["officer"],
        accessibility="Step-free entrance",
        registration_required=True,
        capacity=40,
    )
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.capacity == 40
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id) == ("engagement.meeting.schedule", str(meeting.pk))
    assert Area.objects.get(pk=town.home.pk).content_version > version


def _refused(forum: Any, **fields: Any) -> ValidationError:
    before = (Meeting.objects.count(), events())
    with pytest.raises(ValidationError) as refused:
        schedule(forum, **fields)
    assert (Meeting.objects.count(), events()) == before
    return refused.value


def test_a_meeting_in_the_past_is_refused(forum: Any) -> None:
    error = _refused(forum, starts_at=timezone.now() - timedelta(hours=1))
    assert "past" in error.message_dict["starts_at"][0]


def test_a_meeting_that_ends_before_it_starts_is_refused(forum: Any) -> None:
    starts = soon()
    error = _refused(forum, starts_at=starts, ends_at=starts)
    assert "end after it starts" in error.message_dict["ends_at"][0]


def test_a_meeting_with_neither_venue_nor_online_link_is_refused(forum: Any) -> None:
    error = _refused(forum, venue="", address="  ")
    assert "venue" in error.message_dict


def test_an_online_only_meeting_is_accepted(forum: Any) -> None:
    meeting = schedule(forum, venue="", address="", online_url="https://meet.example.org/beat")
    assert meeting.online_url == "https://meet.example.org/beat"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/x", "not a link", "https://"]
)
def test_a_link_that_is_not_a_web_address_is_refused(forum: Any, link: str) -> None:
    error = _refused(forum, online_url=link)
    assert "online_url" in error.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("agenda", "x" * 8001),
        ("venue", "Hall\x07"),
        ("capacity", 0),
        ("capacity", -3),
    ],
)
def test_bad_details_are_refused(forum: Any, field: str, value: Any) -> None:
    error = _refused(forum, **{field: value})
    assert field in error.message_dict


def test_a_naive_time_and_a_meeting_years_ahead_are_refused(forum: Any) -> None:
    naive = soon().replace(tzinfo=None)
    _refused(forum, starts_at=naive, ends_at=naive + timedelta(hours=1))
    _refused(forum, starts_at=soon(days=4000))
    _refused(forum, starts_at=soon(), ends_at=soon() + timedelta(days=2))


def test_an_overlapping_meeting_in_the_same_venue_is_refused_whatever_the_spelling(
    forum: Any, town: Any
) -> None:
    first = schedule(forum, venue="Community Hall")
    other_forum = new_forum(town.elsewhere, name="Another forum")
    error = _refused(
        other_forum,
        venue="  community   HALL ",
        starts_at=first.starts_at + timedelta(minutes=30),
        ends_at=first.ends_at + timedelta(hours=1),
    )
    assert "Community Hall is taken" in " ".join(error.messages) or "taken" in str(error)


def test_meetings_back_to_back_or_in_other_venues_or_online_do_not_clash(forum: Any) -> None:
    first = schedule(forum, venue="Community Hall")
    schedule(forum, venue="Community Hall", starts_at=first.ends_at)
    schedule(forum, venue="Library", address="", starts_at=first.starts_at)
    schedule(
        forum,
        venue="",
        address="",
        online_url="https://meet.example.org/x",
        starts_at=first.starts_at,
    )


def test_a_cancelled_meeting_frees_its_venue(forum: Any) -> None:
    first = schedule(forum)
    meetings.meeting_cancel(actor=None, meeting=first, reason="The hall flooded")
    schedule(forum)


def test_a_meeting_is_changed_and_the_change_is_audited(forum: Any, personas: Any) -> None:
    meeting = schedule(forum)
    later = meeting.starts_at + timedelta(days=1)
    meetings.meeting_update(
        actor=personas["officer"],
        meeting=meeting,
        title="Moved beat meeting",
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        venue="Library",
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at, meeting.venue) == (
        "Moved beat meeting",
        later,
        "Library",
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "engagement.meeting.update"
    assert event.data["changed"]["venue"] == ["Community Hall", "Library"]


def test_changing_a_meeting_into_another_ones_slot_in_its_venue_is_refused(forum: Any) -> None:
    first = schedule(forum, days=7)
    second = schedule(forum, days=8)
    with pytest.raises(ValidationError, match="taken"):
        meetings.meeting_update(
            actor=None,
            meeting=second,
            title=second.title,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            venue="COMMUNITY HALL",
        )
    second.refresh_from_db()
    assert second.starts_at != first.starts_at


def test_a_meeting_that_has_started_or_is_cancelled_cannot_be_changed(forum: Any) -> None:
    started = past_meeting(forum)
    with pytest.raises(ValidationError, match="already started"):
        meetings.meeting_update(
            actor=None, meeting=started, title="x", starts_at=soon(), ends_at=soon(1, 21), venue="x"
        )
    cancelled = schedule(forum)
    meetings.meeting_cancel(actor=None, meeting=cancelled, reason="Snow")
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.meeting_update(
            actor=None,
            meeting=cancelled,
            title="x",
            starts_at=soon(),
            ends_at=soon(7, 21),
            venue="x",
        )


def test_the_capacity_cannot_drop_below_the_people_registered(forum: Any) -> None:
    meeting = schedule(forum, registration_required=True, capacity=10)
    for n in range(3):
        meetings.meeting_register(meeting=meeting, name=f"P{n}", email=f"p{n}@example.org")
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_update(
            actor=None,
            meeting=meeting,
            title=meeting.title,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            venue=meeting.venue,
            registration_required=True,
            capacity=2,
        )
    assert "3 people" in refused.value.message_dict["capacity"][0]


def test_a_meeting_is_cancelled_with_a_public_reason_once(forum: Any, personas: Any) -> None:
    meeting = schedule(forum)
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="  ")
    assert "reason" in refused.value.message_dict
    meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="The hall flooded")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (MeetingStatus.CANCELLED, "The hall flooded")
    assert AuditEvent.objects.latest("id").action == "engagement.meeting.cancel"
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.meeting_cancel(actor=personas["officer"], meeting=meeting, reason="Again")


def test_an_inactive_forum_schedules_nothing(forum: Any) -> None:
    forum.active = False
    forum.save()
    with pytest.raises(ValidationError, match="no longer meets"):
        schedule(forum)
