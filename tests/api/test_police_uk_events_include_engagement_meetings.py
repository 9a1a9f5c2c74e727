"""The police.uk events of a neighbourhood include the meetings of the forums its residents
attend (its beat meeting or PACT panel, the district's youth forum, the town's safety
council) in the next 90 days, as police.uk "meeting"s among the team's surgeries and
stalls, in time order; cancelled meetings are left out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.engagement.models import Meeting, MeetingStatus
from ourbeat.teams.schedule import local_zone

pytestmark = pytest.mark.django_db

BASE = "/api/police-uk"


def events(client: Any, town: Any, area: Any) -> list[dict[str, Any]]:
    response = client.get(f"{BASE}/{town.force.slug}/{area.code}/events")
    assert response.status_code == 200
    return list(response.json())


def local(value: Any) -> str:
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M:%S")


def upcoming_meetings(area: Any) -> Any:
    now = timezone.now()
    return (
        Meeting.objects.filter(
            forum__area__in=[a for a in (area, area.parent, area.parent.parent) if a],
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=90),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )


def test_forum_meetings_are_police_uk_meetings_in_the_events(client_for: Any, town: Any) -> None:
    client = client_for(None)
    for area in town.neighbourhoods:
        found = events(client, town, area)
        meetings = list(upcoming_meetings(area))
        assert meetings
        shown = {(e["title"], e["start_date"]): e for e in found}
        for meeting in meetings:
            event = shown[meeting.title, local(meeting.starts_at)]
            assert event["type"] == "meeting"
            assert event["end_date"] == local(meeting.ends_at)
            assert meeting.venue in event["address"] or event["address"] == meeting.online_url
        starts = [e["start_date"] for e in found]
        assert starts == sorted(starts)


def test_a_cancelled_meeting_is_left_out(client_for: Any, town: Any) -> None:
    meeting = upcoming_meetings(town.home).first()
    assert meeting is not None
    key = (meeting.title, local(meeting.starts_at))
    assert key in {(e["title"], e["start_date"]) for e in events(client_for(None), town, town.home)}
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CANCELLED, cancel_reason="The hall is closed."
    )
    assert key not in {
        (e["title"], e["start_date"]) for e in events(client_for(None), town, town.home)
    }


def test_an_online_only_meeting_gives_its_link_as_the_address(client_for: Any, town: Any) -> None:
    meeting = upcoming_meetings(town.home).first()
    assert meeting is not None
    Meeting.objects.filter(pk=meeting.pk).update(
        venue="", address="", online_url="https://meet.example/beat"
    )
    event = next(
        e
        for e in events(client_for(None), town, town.home)
        if (e["title"], e["start_date"]) == (meeting.title, local(meeting.starts_at))
    )
    assert event["address"] == "https://meet.example/beat"
