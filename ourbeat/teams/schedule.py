"""Expanding contact points into dated occurrences, in the area's local wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.conf import settings
from django.utils.translation import gettext as _

from ourbeat.teams.models import ContactPoint, OccurrenceChange

# Rules that fire more often than daily are not contact points; refusing them also keeps a
# hostile rule from expanding into millions of occurrences.
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


class RecurrenceError(ValueError):
    pass


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# The time of day comes from the first start; parts that multiply occurrences within a day
# are refused, as is an INTERVAL below 1 (dateutil loops forever on INTERVAL=0).
ALLOWED_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
}
MAX_INTERVAL = 366


def normalise_rrule(text: str) -> str:
    """The stored form of a rule: upper case, without the ``RRULE:`` prefix or blanks."""
    return "".join(text.split()).upper().removeprefix("RRULE:")


def parse_rrule(text: str, first_start: datetime) -> RRule | None:
    """Parse an RRULE anchored at ``first_start``; None when the item happens once."""
    text = normalise_rrule(text)
    if not text:
        return None
    if "DTSTART" in text:
        raise RecurrenceError(_("Give the first date in its own field, not in the rule."))
    pairs = [part.split("=", 1) for part in text.split(";") if part]
    if any(len(pair) != 2 or not pair[1] for pair in pairs):
        raise RecurrenceError(_("The repeat rule is not valid: write it as NAME=VALUE;…"))
    parts = {pair[0]: pair[1] for pair in pairs}
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(_("A contact point repeats daily, weekly, monthly or yearly."))
    unknown = sorted(set(parts) - ALLOWED_PARTS)
    if unknown:
        raise RecurrenceError(
            _("The repeat rule may not use %(parts)s; the time of day comes from the start.")
            % {"parts": ", ".join(unknown)}
        )
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        raise RecurrenceError(
            _("The interval must be a whole number from 1 to %(max)s.") % {"max": MAX_INTERVAL}
        )
    naive_start = first_start.astimezone(local_zone()).replace(tzinfo=None)
    try:
        rule = rrulestr(text, dtstart=naive_start)
    except (ValueError, TypeError) as error:
        raise RecurrenceError(
            _("The repeat rule is not valid: %(error)s") % {"error": error}
        ) from error
    if not isinstance(rule, RRule):
        raise RecurrenceError(_("Give a single repeat rule."))
    return rule


@dataclass(frozen=True)
class Occurrence:
    contact_point: ContactPoint
    original_start: datetime
    start: datetime
    end: datetime
    venue: str
    status: str  # "scheduled", "cancelled" or "moved"
    reason: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == OccurrenceChange.Status.CANCELLED


def _starts(point: ContactPoint, window_start: datetime, window_end: datetime) -> list[datetime]:
    zone = local_zone()
    rule = parse_rrule(point.rrule, point.starts_at)
    if rule is None:
        return [point.starts_at] if window_start <= point.starts_at < window_end else []
    naive = rule.between(
        window_start.astimezone(zone).replace(tzinfo=None),
        window_end.astimezone(zone).replace(tzinfo=None),
        inc=True,
    )
    return [dt.replace(tzinfo=zone) for dt in naive]


def occurrences(
    point: ContactPoint, window_start: datetime, window_end: datetime
) -> list[Occurrence]:
    """Occurrences whose (possibly moved) start falls in [window_start, window_end)."""
    if point.cancelled:
        return []
    changes = {c.original_start: c for c in point.changes.all()}
    result: list[Occurrence] = []
    # A moved occurrence may come into the window from outside it, so look a little wider.
    margin = timedelta(days=62)
    for start in _starts(point, window_start - margin, window_end + margin):
        change = changes.get(start)
        status, venue, when, reason = "scheduled", point.venue, start, ""
        if change is not None:
            status, reason = change.status, change.reason
            if change.status == OccurrenceChange.Status.MOVED:
                when = change.new_start or start
                venue = change.new_venue or point.venue
        if window_start <= when < window_end:
            result.append(
                Occurrence(point, start, when, when + point.duration, venue, status, reason)
            )
    return result


def upcoming(
    points: list[ContactPoint], now: datetime, days: int = 60, limit: int = 12
) -> list[Occurrence]:
    found: list[Occurrence] = []
    for point in points:
        found.extend(occurrences(point, now, now + timedelta(days=days)))
    found.sort(key=lambda o: (o.start, o.contact_point.pk))
    return found[:limit]
