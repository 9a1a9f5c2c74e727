"""Meetings as iCalendar (RFC 5545): one VEVENT per meeting, with a UID that never changes
(so a calendar app updates the event in place when a meeting moves or is cancelled), its
place, its public page and ``STATUS:CANCELLED`` for a cancelled meeting."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from ourbeat.engagement.models import Meeting, MeetingStatus
from ourbeat.teams.schedule import local_zone

PRODID = "-//ourbeat//neighbourhood meetings//EN"


def _site() -> tuple[str, str]:
    base = settings.OURBEAT_SITE_URL.rstrip("/")
    return base, urlsplit(base).hostname or "ourbeat"


def meeting_uid(meeting: Meeting, host: str | None = None) -> str:
    return f"meeting-{meeting.pk}@{host or _site()[1]}"


def meeting_event(meeting: Meeting, *, base_url: str, host: str) -> Event:
    zone = local_zone()
    event = Event()
    event.add("uid", meeting_uid(meeting, host))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    summary = meeting.title
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": meeting.title}
    event.add("summary", summary)
    location = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    if not location and meeting.online_url:
        location = meeting.online_url
    if location:
        event.add("location", location)
    parts = []
    if cancelled and meeting.cancel_reason:
        parts.append(meeting.cancel_reason)
    if meeting.agenda:
        parts.append(meeting.agenda)
    if meeting.accessibility:
        parts.append(f"{_('Accessibility')}: {meeting.accessibility}")
    if meeting.online_url:
        parts.append(f"{_('Join online')}: {meeting.online_url}")
    if parts:
        event.add("description", "\n\n".join(parts))
    event.add("url", f"{base_url}{meeting.get_absolute_url()}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def meetings_calendar(meetings: Iterable[Meeting], *, base_url: str = "", name: str = "") -> bytes:
    """The meetings as one iCalendar document. ``base_url`` (default: the site's address)
    makes each meeting's URL absolute."""
    site_base, host = _site()
    base = (base_url or site_base).rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(local_zone()))
    calendar.add("x-published-ttl", "PT6H")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url=base, host=host))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
