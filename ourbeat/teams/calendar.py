"""The neighbourhood calendar as iCalendar (RFC 5545): each contact point is one VEVENT with
its RRULE, and each cancelled or moved occurrence an override with its RECURRENCE-ID, so a
calendar app expands the series itself and shows the cancellations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from ourbeat.places.models import Area
from ourbeat.teams.models import ContactPoint, OccurrenceChange
from ourbeat.teams.schedule import local_zone

PRODID = "-//ourbeat//neighbourhood calendar//EN"


def _uid(point: ContactPoint, host: str) -> str:
    return f"contact-point-{point.pk}@{host}"


def _base_event(point: ContactPoint, host: str, start: datetime, venue: str) -> Event:
    event = Event()
    event.add("uid", _uid(point, host))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", point.updated_at)
    event.add("dtstart", start.astimezone(local_zone()))
    event.add("dtend", (start + point.duration).astimezone(local_zone()))
    event.add("summary", point.title)
    location = ", ".join(part for part in (venue, point.address) if part)
    event.add("location", location)
    description = point.description
    if point.accessibility:
        description = f"{description}\n\n{_('Accessibility')}: {point.accessibility}".strip()
    if description:
        event.add("description", description)
    event.add("categories", [str(point.get_kind_display())])
    if point.latitude is not None and point.longitude is not None:
        event.add("geo", (point.latitude, point.longitude))
    return event


def area_calendar(area: Area, points: list[ContactPoint], host: str, url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(area)s neighbourhood team") % {"area": area.name})
    calendar.add("x-wr-timezone", str(local_zone()))
    calendar.add("x-published-ttl", "PT6H")
    calendar.add("url", url)
    horizon = timezone.now() - timedelta(days=90)
    for point in points:
        if not point.rrule and point.starts_at < horizon:
            continue
        master = _base_event(point, host, point.starts_at, point.venue)
        master.add("status", "CANCELLED" if point.cancelled else "CONFIRMED")
        if point.rrule:
            master.add("rrule", vRecur.from_ical(point.rrule.removeprefix("RRULE:")))
        calendar.add_component(master)
        for change in point.changes.all():
            moved = change.status == OccurrenceChange.Status.MOVED
            start = change.new_start if moved and change.new_start else change.original_start
            override = _base_event(
                point, host, start, change.new_venue or point.venue if moved else point.venue
            )
            override.add("recurrence-id", change.original_start.astimezone(local_zone()))
            override.add("status", "CONFIRMED" if moved else "CANCELLED")
            if change.reason:
                override["description"] = (
                    f"{change.reason}\n\n{override.get('description', '')}".strip()
                )
            if not moved:
                override["summary"] = _("Cancelled: %(title)s") % {"title": point.title}
            calendar.add_component(override)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
