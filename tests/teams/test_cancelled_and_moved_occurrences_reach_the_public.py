"""Cancelling, moving and restoring one occurrence, through the services and the staff
pages: the neighbourhood page and its iCalendar feed show the change at once, and a
calendar app expanding the feed sees what ourbeat's own schedule sees."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone

from ourbeat.teams import services
from ourbeat.teams.models import ContactPoint
from ourbeat.teams.schedule import local_zone, occurrences


@pytest.fixture
def surgery(town: Any) -> ContactPoint:
    now = timezone.localtime()
    first = now.replace(hour=18, minute=0, second=0, microsecond=0) - timedelta(days=40)
    return ContactPoint.objects.create(
        area=town.home,
        kind="surgery",
        title="Zeta surgery",
        venue="Old Library",
        starts_at=first,
        duration_minutes=60,
        rrule="FREQ=WEEKLY",
    )


def _upcoming(point: ContactPoint) -> list[Any]:
    now = timezone.now()
    return occurrences(point, now, now + timedelta(days=50))


def _feed(client: Any, town: Any) -> icalendar.Calendar:
    response = client.get(f"/en/n/{town.home.slug}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events_of(calendar: icalendar.Calendar, point: ContactPoint) -> list[Any]:
    return [
        c for c in calendar.walk("VEVENT") if str(c["UID"]).startswith(f"contact-point-{point.pk}@")
    ]


def test_cancel_move_and_restore_through_the_services(
    surgery: ContactPoint, personas: dict[str, Any], client_for: Any, town: Any
) -> None:
    officer = personas["officer"]
    first, second = _upcoming(surgery)[:2]
    services.occurrence_change(
        contact_point=surgery,
        actor=officer,
        original_start=first.original_start,
        status="cancelled",
        reason="Officer on leave",
    )
    new_start = second.original_start + timedelta(days=1, hours=-1)
    services.occurrence_change(
        contact_point=surgery,
        actor=officer,
        original_start=second.original_start,
        status="moved",
        reason="Library closed",
        new_start=new_start,
        new_venue="Town Hall",
    )
    statuses = {o.original_start: (o.status, o.start, o.venue) for o in _upcoming(surgery)}
    assert statuses[first.original_start][0] == "cancelled"
    assert statuses[second.original_start] == ("moved", new_start, "Town Hall")

    anonymous = client_for(None)
    page = anonymous.get(f"/en/n/{town.home.slug}/").content.decode()
    assert "Officer on leave" in page or "Cancelled" in page or "cancelled" in page
    assert "Town Hall" in page

    calendar = _feed(anonymous, town)
    events = _events_of(calendar, surgery)
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    assert "WEEKLY" in master["RRULE"].to_ical().decode()
    overrides = {e["RECURRENCE-ID"].dt: e for e in events if "RECURRENCE-ID" in e}
    cancelled = overrides[first.original_start]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    moved = overrides[second.original_start]
    assert moved["DTSTART"].dt == new_start
    assert "Town Hall" in str(moved["LOCATION"])

    # A calendar app's expansion agrees with ourbeat's schedule.
    window = (timezone.now(), timezone.now() + timedelta(days=50))
    expanded = recurring_ical_events.of(calendar).between(*window)
    theirs = sorted(
        (e["DTSTART"].dt, str(e.get("STATUS", "")))
        for e in expanded
        if str(e["UID"]).startswith(f"contact-point-{surgery.pk}@")
    )
    ours = sorted(
        (o.start, "CANCELLED" if o.is_cancelled else "CONFIRMED")
        for o in occurrences(surgery, *window)
    )
    assert theirs == ours

    services.occurrence_restore(
        contact_point=surgery, actor=officer, original_start=first.original_start
    )
    assert {o.original_start: o.status for o in _upcoming(surgery)}[first.original_start] == (
        "scheduled"
    )
    remaining = {
        e["RECURRENCE-ID"].dt
        for e in _events_of(_feed(anonymous, town), surgery)
        if "RECURRENCE-ID" in e
    }
    assert remaining == {second.original_start}


def test_cancel_move_and_restore_through_the_staff_page(
    surgery: ContactPoint, personas: dict[str, Any], client_for: Any, town: Any
) -> None:
    officer = client_for(personas["officer"])
    url = f"/en/staff/contact-points/{surgery.pk}/occurrences/"
    first, second = _upcoming(surgery)[:2]
    assert officer.get(url).status_code == 200
    response = officer.post(
        url,
        {"occurrence": first.original_start.isoformat(), "action": "cancelled", "reason": "Ill"},
    )
    assert response.status_code == 302
    new_start = (second.original_start + timedelta(hours=1)).astimezone(local_zone())
    response = officer.post(
        url,
        {
            "occurrence": second.original_start.isoformat(),
            "action": "moved",
            "new_start": new_start.strftime("%Y-%m-%dT%H:%M"),
            "new_venue": "Community Centre",
        },
    )
    assert response.status_code == 302
    now = {o.original_start: o for o in _upcoming(surgery)}
    assert now[first.original_start].status == "cancelled"
    assert now[second.original_start].start == new_start
    assert now[second.original_start].venue == "Community Centre"
    # Moving without a new time is a form error.
    response = officer.post(
        url, {"occurrence": first.original_start.isoformat(), "action": "moved"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_start"]
    response = officer.post(
        url, {"occurrence": first.original_start.isoformat(), "action": "restore"}
    )
    assert response.status_code == 302
    assert {o.original_start: o.status for o in _upcoming(surgery)}[first.original_start] == (
        "scheduled"
    )


def test_an_occurrence_that_does_not_exist_cannot_be_changed(
    surgery: ContactPoint, personas: dict[str, Any]
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.occurrence_change(
            contact_point=surgery,
            actor=personas["officer"],
            original_start=datetime(2031, 1, 1, 3, 17, tzinfo=local_zone()),
            status="cancelled",
            reason="",
        )
