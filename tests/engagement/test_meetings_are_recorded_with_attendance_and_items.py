"""After a meeting: attendance (and, voluntarily, by group), minutes, and items. A concern
raised at a meeting is filed as a concern with the channel "meeting". A meeting that has not
started, or was cancelled, records nothing; groups never add up to more than the
attendance; a meeting due and not recorded shows as missed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.concerns.models import Category, Channel, Concern
from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import ItemKind, Meeting, MeetingItem, MeetingStatus, MeetingVote
from ourbeat.engagement.services import meetings
from tests.engagement.meetings_helpers import events, new_forum, past_meeting, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(town: Any) -> Any:
    return new_forum(town.home)


def test_a_meeting_is_recorded_as_held_with_attendance_groups_and_published_minutes(
    forum: Any, personas: Any
) -> None:
    meeting = past_meeting(forum)
    assert meeting.is_missed
    meetings.meeting_record(
        actor=personas["officer"],
        meeting=meeting,
        attendance=23,
        attendance_by_group={"young people": 4, "older people": 9, "empty": 0},
        minutes="We heard about speeding on Mill Lane.",
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert not meeting.is_missed
    assert meeting.attendance == 23
    assert meeting.attendance_by_group == {"young people": 4, "older people": 9}
    assert meeting.minutes_published_at is not None
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.data["attendance"]) == ("engagement.meeting.record", 23)


def test_recording_again_corrects_the_record_and_can_withhold_the_minutes(
    forum: Any, personas: Any
) -> None:
    meeting = past_meeting(forum)
    meetings.meeting_record(actor=None, meeting=meeting, attendance=10, minutes="Draft")
    meetings.meeting_record(
        actor=None, meeting=meeting, attendance=12, minutes="Draft", publish_minutes=False
    )
    meeting.refresh_from_db()
    assert (meeting.attendance, meeting.minutes_published_at) == (12, None)
    assert AuditEvent.objects.latest("id").action == "engagement.meeting.correct"


@pytest.mark.parametrize(
    ("attendance", "groups", "field"),
    [
        (10, {"young people": 6, "older people": 5}, "attendance_by_group"),
        (-1, None, "attendance"),
        (True, None, "attendance"),
        ("12", None, "attendance"),
        (10**9, None, "attendance"),
        (10, {"": 3}, "attendance_by_group"),
        (10, {"young": -2}, "attendance_by_group"),
        (10, {"young": "3"}, "attendance_by_group"),
        (10, ["young", 3], "attendance_by_group"),
        (50, {f"group {n}": 1 for n in range(21)}, "attendance_by_group"),
    ],
)
def test_bad_attendance_is_refused_and_nothing_changes(
    forum: Any, attendance: Any, groups: Any, field: str
) -> None:
    meeting = past_meeting(forum)
    before = events()
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_record(
            actor=None, meeting=meeting, attendance=attendance, attendance_by_group=groups
        )
    assert field in refused.value.message_dict
    meeting.refresh_from_db()
    assert (meeting.status, meeting.attendance, events()) == (MeetingStatus.SCHEDULED, None, before)


def test_a_meeting_that_has_not_started_or_was_cancelled_records_nothing(forum: Any) -> None:
    upcoming = schedule(forum)
    with pytest.raises(ValidationError, match="not started"):
        meetings.meeting_record(actor=None, meeting=upcoming, attendance=5)
    cancelled = past_meeting(forum, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.meeting_record(actor=None, meeting=cancelled, attendance=5)
    with pytest.raises(ValidationError, match="not started"):
        meetings.meeting_item_add(actor=None, meeting=upcoming, kind=ItemKind.DECISION, text="x")
    assert not Meeting.objects.filter(pk__in=[upcoming.pk, cancelled.pk], attendance__isnull=False)


def test_the_attendance_cannot_drop_below_a_vote_counted_at_the_meeting(
    forum: Any, town: Any
) -> None:
    from ourbeat.engagement.models import Priority

    meeting = past_meeting(forum)
    meetings.meeting_record(actor=None, meeting=meeting, attendance=30)
    priority = Priority.objects.create(area=town.home, title="Speeding")
    MeetingVote.objects.create(
        meeting=meeting, priority=priority, question="adopt", in_favour=15, against=5, abstained=2
    )
    with pytest.raises(ValidationError, match="22 people"):
        meetings.meeting_record(actor=None, meeting=meeting, attendance=20)


def test_a_concern_raised_at_a_meeting_is_filed_with_the_meeting_channel(
    forum: Any, town: Any, personas: Any
) -> None:
    meeting = past_meeting(forum)
    category = Category.objects.filter(active=True, organisation=town.force).first()
    before = Concern.objects.count()
    item = meetings.meeting_item_add(
        actor=personas["officer"],
        meeting=meeting,
        kind=ItemKind.CONCERN,
        text="Cars race along Mill Lane after dark.",
        category=category,
    )
    assert Concern.objects.count() == before + 1
    concern = item.concern
    assert concern is not None
    assert concern.channel == Channel.MEETING
    assert concern.area_id == town.home.pk
    assert (concern.latitude, concern.longitude) == (town.home.centre_lat, town.home.centre_lng)
    assert concern.confirmed_at is not None
    assert concern.reporter.user_id == personas["officer"].pk
    assert AuditEvent.objects.latest("id").action == "engagement.meeting_item.add"


def test_a_concern_item_at_a_given_point_is_located_there(
    forum: Any, town: Any, personas: Any
) -> None:
    meeting = past_meeting(forum)
    category = Category.objects.filter(active=True, organisation=town.force).first()
    item = meetings.meeting_item_add(
        actor=personas["officer"],
        meeting=meeting,
        kind=ItemKind.CONCERN,
        text="Broken street light",
        category=category,
        latitude=town.elsewhere.centre_lat,
        longitude=town.elsewhere.centre_lng,
    )
    assert item.concern is not None
    assert item.concern.area_id == town.elsewhere.pk


def test_decisions_and_reports_back_are_numbered_in_order(forum: Any) -> None:
    meeting = past_meeting(forum)
    first = meetings.meeting_item_add(
        actor=None, meeting=meeting, kind=ItemKind.REPORT_BACK, text="Patrols done"
    )
    second = meetings.meeting_item_add(
        actor=None, meeting=meeting, kind=ItemKind.DECISION, text="Speed watch in May"
    )
    assert (first.order, second.order) == (1, 2)
    assert first.concern is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": ItemKind.CONCERN, "text": "No category"}, "category"),
        ({"kind": "rumour", "text": "x"}, "kind"),
        ({"kind": ItemKind.DECISION, "text": "   "}, "text"),
        ({"kind": ItemKind.DECISION, "text": "x" * 4001}, "text"),
        ({"kind": ItemKind.CONCERN, "text": "x", "latitude": 51.0}, "latitude"),
        ({"kind": ItemKind.CONCERN, "text": "x", "latitude": 99.0, "longitude": 0.0}, "latitude"),
    ],
)
def test_bad_items_are_refused_and_file_no_concern(
    forum: Any, town: Any, fields: dict[str, Any], field: str
) -> None:
    meeting = past_meeting(forum)
    if field == "latitude":
        fields["category"] = Category.objects.filter(active=True).first()
    before = (Concern.objects.count(), MeetingItem.objects.count(), events())
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_item_add(actor=None, meeting=meeting, **fields)
    assert field in refused.value.message_dict
    assert (Concern.objects.count(), MeetingItem.objects.count(), events()) == before


def test_a_concern_outside_every_neighbourhood_files_nothing(forum: Any, personas: Any) -> None:
    meeting = past_meeting(forum)
    before = (Concern.objects.count(), MeetingItem.objects.count())
    with pytest.raises(ValidationError):
        meetings.meeting_item_add(
            actor=personas["officer"],
            meeting=meeting,
            kind=ItemKind.CONCERN,
            text="Somewhere far away",
            category=Category.objects.filter(active=True).first(),
            latitude=-45.0,
            longitude=170.0,
        )
    assert (Concern.objects.count(), MeetingItem.objects.count()) == before
