"""Importing an existing meetings calendar into forums and meetings.

The format read here is the Chicago Police Department's community-policing calendar (CAPS):
a JSON list of events with ``calendarId`` (the police district), ``start``/``end`` (local
wall-clock time without a zone), ``title``, ``eventDetails``, ``eventUrl``,
``contactDetails``, ``location`` and ``modifiedDate``.

- Beat meetings ("2514 Beat Meeting", "Beat Meeting: 1133/34", "Bt. 931-933 Community
  Meeting", …) become one beat-meeting forum per beat or group of beats meeting together
  (external id ``chicago:beat:2514``, ``chicago:beat:1711-1712``), and its meetings.
- District advisory committee meetings ("DAC Meeting", "District Advisory Council") become
  one advisory-committee forum per district (``chicago:dac:3``).
- Everything else (peer juries, seniors' meetings, one-off events, cancellation notices…) is
  skipped and counted by reason.

Each meeting's external id is a digest of the event's calendar, start and title, so running
the import again changes nothing. The usual pattern of each forum is inferred from its
meeting dates as an RRULE, and kept only when ``dateutil`` reproduces exactly those dates
from it; otherwise the forum meets "when needed".

``parse_chicago`` reads and checks (no database); ``import_plan`` writes, in one transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from ourbeat.core import audit
from ourbeat.core.text import CONTROL
from ourbeat.engagement.models import Forum, ForumKind, Frequency, Meeting, MeetingStatus
from ourbeat.engagement.services.meetings import _unique_slug
from ourbeat.places.models import Area, Organisation
from ourbeat.places.services import area_touch

MAX_BYTES = 50 * 1024 * 1024
DEFAULT_LENGTH = timedelta(hours=1)
MAX_LENGTH = timedelta(hours=24)
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Why an event was not imported: a code and the words the summary prints.
SKIP_REASONS = {
    "other_event": "not a beat meeting or a district advisory committee meeting",
    "cancellation": "a notice that a meeting is cancelled or not held",
    "no_beat_number": "a beat meeting that names no beat",
    "bad_beat_number": "a beat number that does not belong to the calendar's district",
    "duplicate": "the same forum already meets at that time in the file",
}


class ImportFileError(ValueError):
    """The file cannot be imported at all; nothing is written."""


# ---- the plan --------------------------------------------------------------------------------


@dataclass
class MeetingPlan:
    external_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    address: str
    agenda: str
    online_url: str


@dataclass
class ForumPlan:
    external_id: str
    kind: str
    name: str
    slug: str
    meetings: list[MeetingPlan] = field(default_factory=list)
    contacts: Counter[str] = field(default_factory=Counter)
    details: Counter[str] = field(default_factory=Counter)
    rrule: str = ""
    frequency: str = Frequency.IRREGULAR
    usual_venue: str = ""
    usual_address: str = ""
    contact: str = ""
    description: str = ""


@dataclass
class ImportPlan:
    forums: list[ForumPlan]
    skipped: Counter[str]
    events: int
    ends_assumed: int = 0

    @property
    def meetings(self) -> int:
        return sum(len(f.meetings) for f in self.forums)


@dataclass
class ImportReport:
    forums_created: int = 0
    forums_updated: int = 0
    forums_unchanged: int = 0
    meetings_created: int = 0
    meetings_updated: int = 0
    meetings_unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    events: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.forums_created
            + self.forums_updated
            + self.meetings_created
            + self.meetings_updated
        )


# ---- reading ---------------------------------------------------------------------------------


def read_events(path: Path) -> list[dict[str, Any]]:
    """The file's events, or ImportFileError saying what is wrong with it."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise ImportFileError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path}: not JSON ({error})") from error
    if not isinstance(data, list):
        raise ImportFileError(f"{path}: expected a JSON list of events")
    for index, event in enumerate(data):
        problem = _shape_problem(event)
        if problem:
            raise ImportFileError(f"{path}: event {index}: {problem}")
    return data


def _shape_problem(event: Any) -> str:
    if not isinstance(event, dict):
        return "not an object"
    if not isinstance(event.get("calendarId"), int) or isinstance(event.get("calendarId"), bool):
        return "calendarId must be a number"
    if not isinstance(event.get("title"), str) or not event["title"].strip():
        return "title must be a non-empty text"
    for key in ("start", "end"):
        value = event.get(key)
        if key == "end" and value is None:
            continue
        if not isinstance(value, str):
            return f"{key} must be a date and time"
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"{key} is not a date and time: {value[:40]!r}"
    for key in ("eventDetails", "eventUrl", "contactDetails", "location"):
        if event.get(key) is not None and not isinstance(event[key], str):
            return f"{key} must be text"
    return ""


def _clean(value: Any, limit: int) -> str:
    text = CONTROL.sub("", value or "").strip()
    return text[:limit].strip()


def _one_line(value: Any, limit: int) -> str:
    return _clean(" ".join((value or "").split()), limit)


# ---- classifying titles ----------------------------------------------------------------------

BEAT_WORD = re.compile(r"\b(?:beats?|bt)\b", re.IGNORECASE)
CANCELLED = re.compile(r"^\s*no\b|\bcancel", re.IGNORECASE)
NOT_A_BEAT_MEETING = re.compile(
    r"facilitat|factilitat|national night out|roll call|walk the beat|peer jury|all beats",
    re.IGNORECASE,
)
DAC = re.compile(r"\bdac\b|district\s+advisory", re.IGNORECASE)
NOT_A_DAC_MEETING = re.compile(
    r"facilitat|sub-?\s?committee|youth|party|movie|senior", re.IGNORECASE
)
ORDINAL = re.compile(r"\b\d+\s*(?:st|nd|rd|th)\b", re.IGNORECASE)
SECTOR = re.compile(r"\b\d+\s+sector\b", re.IGNORECASE)
NUMBER = re.compile(r"(\d+)(?:\s?([NS])(?![A-Za-z]))?")


def beats_in(title: str, district: int) -> list[str] | str:
    """The beats a beat meeting's title names ("Beat Meeting: 1113,14,15" → 1113, 1114,
    1115), or the code of the reason it names none that fit."""
    text = SECTOR.sub(" ", ORDINAL.sub(" ", title))
    beats: list[str] = []
    previous = ""
    for match in NUMBER.finditer(text):
        digits = match[1].lstrip("0") or "0"
        if len(digits) in (3, 4):
            beat = digits
        elif len(digits) <= 2 and len(previous) > len(digits):
            # "1133/34": the short form repeats the previous beat's leading digits.
            beat = previous[: -len(digits)] + digits
        else:
            return "bad_beat_number"
        previous = beat
        if int(beat) // 100 != district:
            return "bad_beat_number"
        beat += (match[2] or "").upper()
        if beat not in beats:
            beats.append(beat)
    if not beats:
        return "no_beat_number"
    return sorted(beats, key=lambda b: (int(b.rstrip("NS")), b))


def classify(event: dict[str, Any]) -> tuple[str, str, str]:
    """("forum", external id, name) for a forum's meeting, or ("skip", reason, "")."""
    title = " ".join(event["title"].split())
    district = int(event["calendarId"])
    if BEAT_WORD.search(title):
        if CANCELLED.search(title):
            return ("skip", "cancellation", "")
        if NOT_A_BEAT_MEETING.search(title):
            return ("skip", "other_event", "")
        beats = beats_in(title, district)
        if isinstance(beats, str):
            return ("skip", beats, "")
        key = "-".join(beats)
        if len(beats) == 1:
            name = f"Beat {beats[0]} community meeting"
        else:
            name = f"Beats {', '.join(beats[:-1])} and {beats[-1]} community meeting"
        return ("beat", f"chicago:beat:{key}", name)
    if DAC.search(title):
        if CANCELLED.search(title):
            return ("skip", "cancellation", "")
        if NOT_A_DAC_MEETING.search(title):
            return ("skip", "other_event", "")
        return ("dac", f"chicago:dac:{district}", f"District {district} advisory committee")
    return ("skip", "other_event", "")


# ---- places and times ------------------------------------------------------------------------

# A Chicago street address: a house number and a direction ("3115 N. Mason", "1438 w 63rd").
STREET = re.compile(r"(?<!\d)\d{1,5}\s+[NSEW]\.?\s+\S", re.IGNORECASE)
CITY_LINE = re.compile(r"^(?:chicago\b|il\.?\b|\d{5}\b)", re.IGNORECASE)
PREAMBLE = re.compile(r"^the meeting is (?:held )?at\s+(?:the\s+)?", re.IGNORECASE)


def split_location(location: str | None) -> tuple[str, str]:
    """(venue, address) from the free text of ``location``: the street address starts at
    the first house number followed by a direction; what comes before it (or on the other
    lines) names the venue."""
    lines = [" ".join(line.split()) for line in (location or "").splitlines()]
    lines = [PREAMBLE.sub("", line) for line in lines if line]
    for index, line in enumerate(lines):
        match = STREET.search(line)
        if match is None:
            continue
        before = line[: match.start()].strip(" ,-–:;@")
        before = re.sub(r"\s+at$", "", before, flags=re.IGNORECASE).strip(" ,-–:;")
        address = [line[match.start() :].strip(" ,")]
        venue = [*lines[:index], *([before] if before else [])]
        for rest in lines[index + 1 :]:
            (address if CITY_LINE.match(rest) else venue).append(rest)
        return _clean(", ".join(venue), 200), _clean(", ".join(address), 300)
    return _clean(", ".join(lines), 200), ""


def _times(event: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime, bool]:
    """The meeting's start and end, aware; and whether the end was assumed (missing, before
    the start, or more than a day later: then the end's time on the start's day if that
    fits, else an hour after the start)."""
    start = datetime.fromisoformat(event["start"]).replace(tzinfo=None)
    end = datetime.fromisoformat(event["end"]).replace(tzinfo=None) if event.get("end") else None
    assumed = False
    if end is None or not (start < end <= start + MAX_LENGTH):
        assumed = True
        same_day = datetime.combine(start.date(), end.time()) if end is not None else None
        end = (
            same_day
            if same_day is not None and start < same_day <= start + MAX_LENGTH
            else start + DEFAULT_LENGTH
        )
    return start.replace(tzinfo=zone), end.replace(tzinfo=zone), assumed


def _meeting_id(event: dict[str, Any]) -> str:
    source = f"{event['calendarId']}|{event['start']}|{' '.join(event['title'].split())}"
    return "chicago:event:" + hashlib.sha256(source.encode()).hexdigest()[:32]


_url = URLValidator(schemes=["http", "https"])


def _online_url(value: Any) -> str:
    text = (value or "").strip()
    try:
        _url(text)
    except Exception:
        return ""
    return text if len(text) <= 500 else ""


# ---- recurring patterns ----------------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _candidate_rules(days: list[date]) -> list[tuple[str, str]]:
    """Simple rules that might describe the dates, with the frequency each means."""
    candidates: list[tuple[str, str]] = []
    gaps = {(b - a).days for a, b in itertools.pairwise(days)}
    weekdays = {d.weekday() for d in days}
    weekly = {7: Frequency.WEEKLY, 14: Frequency.FORTNIGHTLY}
    if len(gaps) == 1 and (gap := next(iter(gaps))) in weekly and len(weekdays) == 1:
        interval = f";INTERVAL={gap // 7}" if gap > 7 else ""
        candidates.append(
            (f"FREQ=WEEKLY{interval};BYDAY={WEEKDAYS[days[0].weekday()]}", weekly[gap])
        )
    month_gaps = {_month_index(b) - _month_index(a) for a, b in itertools.pairwise(days)}
    monthly = {1: Frequency.MONTHLY, 2: Frequency.BIMONTHLY, 3: Frequency.QUARTERLY}
    if len(month_gaps) == 1 and (step := next(iter(month_gaps))) in monthly:
        interval = f";INTERVAL={step}" if step > 1 else ""
        if len(weekdays) == 1:
            day_code = WEEKDAYS[days[0].weekday()]
            nths = {(d.day - 1) // 7 + 1 for d in days}
            if len(nths) == 1:
                candidates.append(
                    (f"FREQ=MONTHLY{interval};BYDAY=+{next(iter(nths))}{day_code}", monthly[step])
                )
            if all((d + timedelta(days=7)).month != d.month for d in days):
                candidates.append((f"FREQ=MONTHLY{interval};BYDAY=-1{day_code}", monthly[step]))
        if len({d.day for d in days}) == 1:
            candidates.append((f"FREQ=MONTHLY{interval};BYMONTHDAY={days[0].day}", monthly[step]))
    # The same day of the month in some months of the year only ("the third Thursday,
    # except in December"; "the second Tuesday of the odd months, but not September").
    months = sorted({d.month for d in days})
    if len(months) < 12 and len(weekdays) == 1:
        by_month = f";BYMONTH={','.join(str(m) for m in months)}"
        frequency = (
            Frequency.MONTHLY
            if len(months) >= 9
            else Frequency.BIMONTHLY
            if len(months) >= 5
            else Frequency.QUARTERLY
            if len(months) >= 3
            else Frequency.IRREGULAR
        )
        day_code = WEEKDAYS[days[0].weekday()]
        nths = {(d.day - 1) // 7 + 1 for d in days}
        if len(nths) == 1:
            candidates.append(
                (f"FREQ=MONTHLY;BYDAY=+{next(iter(nths))}{day_code}{by_month}", frequency)
            )
        if all((d + timedelta(days=7)).month != d.month for d in days):
            candidates.append((f"FREQ=MONTHLY;BYDAY=-1{day_code}{by_month}", frequency))
    return candidates


def infer_rule(starts: list[datetime]) -> tuple[str, str]:
    """(RRULE, frequency) describing the meetings' dates, checked by expanding the rule from
    the first meeting to the last: it must give exactly those dates. ("", "irregular") when
    no simple rule does, or there are fewer than three meetings to judge by."""
    days = sorted({start.date() for start in starts})
    if len(days) < 3:
        return "", Frequency.IRREGULAR
    first = datetime.combine(days[0], datetime.min.time())
    last = datetime.combine(days[-1], datetime.max.time())
    for rule, frequency in _candidate_rules(days):
        expanded = rrulestr(rule, dtstart=first).between(first, last, inc=True)
        if [d.date() for d in expanded] == days:
            return rule, frequency
    return "", Frequency.IRREGULAR


# ---- parsing the whole file ------------------------------------------------------------------


def parse_chicago(events: list[dict[str, Any]], *, zone: ZoneInfo) -> ImportPlan:
    forums: dict[str, ForumPlan] = {}
    skipped: Counter[str] = Counter()
    seen: set[tuple[str, datetime]] = set()
    seen_ids: set[str] = set()
    ends_assumed = 0
    ordered = sorted(events, key=lambda e: (e["start"], e["calendarId"], e["title"]))
    for event in ordered:
        kind, key, name = classify(event)
        if kind == "skip":
            skipped[key] += 1
            continue
        starts_at, ends_at, assumed = _times(event, zone)
        external_id = _meeting_id(event)
        if (key, starts_at) in seen or external_id in seen_ids:
            skipped["duplicate"] += 1
            continue
        seen.add((key, starts_at))
        seen_ids.add(external_id)
        ends_assumed += assumed
        forum = forums.get(key)
        if forum is None:
            forum = forums[key] = ForumPlan(
                external_id=key,
                kind=ForumKind.BEAT_MEETING if kind == "beat" else ForumKind.ADVISORY_COMMITTEE,
                name=name,
                slug=key.replace(":", "-"),
            )
        venue, address = split_location(event.get("location"))
        forum.meetings.append(
            MeetingPlan(
                external_id=external_id,
                title=_one_line(event["title"], 200),
                starts_at=starts_at,
                ends_at=ends_at,
                venue=venue,
                address=address,
                agenda=_clean(event.get("eventDetails"), 8000),
                online_url=_online_url(event.get("eventUrl")),
            )
        )
        if event.get("contactDetails"):
            forum.contacts[_one_line(event["contactDetails"], 300)] += 1
        if event.get("eventDetails"):
            forum.details[_clean(event["eventDetails"], 4000)] += 1
    for forum in forums.values():
        forum.rrule, forum.frequency = infer_rule(
            [m.starts_at.astimezone(zone).replace(tzinfo=None) for m in forum.meetings]
        )
        # The usual place: the commonest address, named by the commonest venue given with it
        # (the calendar often names the venue only now and then).
        addresses = Counter(m.address for m in forum.meetings if m.address)
        if addresses:
            forum.usual_address = addresses.most_common(1)[0][0]
        venues = Counter(
            m.venue for m in forum.meetings if m.venue and m.address == forum.usual_address
        )
        if venues:
            forum.usual_venue = venues.most_common(1)[0][0]
        if forum.contacts:
            forum.contact = forum.contacts.most_common(1)[0][0]
        if forum.details:
            forum.description = forum.details.most_common(1)[0][0]
    return ImportPlan(
        forums=sorted(forums.values(), key=lambda f: f.external_id),
        skipped=skipped,
        events=len(events),
        ends_assumed=ends_assumed,
    )


# ---- writing ---------------------------------------------------------------------------------

FORUM_FIELDS = (
    "kind",
    "name",
    "rrule",
    "frequency",
    "usual_venue",
    "usual_address",
    "contact",
    "description",
)
MEETING_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "agenda",
    "online_url",
)


def import_plan(
    *, actor: Any, plan: ImportPlan, area: Area, organisation: Organisation, source: str = ""
) -> ImportReport:
    """Write the plan: forums and meetings new to ourbeat are created, those imported before
    updated where the file now says otherwise, the rest left alone. One transaction; one
    audit event when anything changed."""
    report = ImportReport(skipped=Counter(plan.skipped), events=plan.events)
    now = timezone.now()
    with transaction.atomic():
        existing_forums = {
            f.external_id: f
            for f in Forum.objects.filter(external_id__in=[p.external_id for p in plan.forums])
        }
        meeting_ids = [m.external_id for p in plan.forums for m in p.meetings]
        existing_meetings: dict[str, Meeting] = {}
        for chunk in range(0, len(meeting_ids), 500):
            for found in Meeting.objects.filter(external_id__in=meeting_ids[chunk : chunk + 500]):
                existing_meetings[str(found.external_id)] = found
        new_meetings: list[Meeting] = []
        for forum_plan in plan.forums:
            values = {name: getattr(forum_plan, name) for name in FORUM_FIELDS}
            forum = existing_forums.get(forum_plan.external_id)
            if forum is None:
                forum = Forum.objects.create(
                    area=area,
                    organisation=organisation,
                    external_id=forum_plan.external_id,
                    slug=_unique_slug(forum_plan.slug),
                    **values,
                )
                report.forums_created += 1
            elif any(getattr(forum, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(forum, k, v)
                forum.save()
                report.forums_updated += 1
            else:
                report.forums_unchanged += 1
            for meeting_plan in forum_plan.meetings:
                fields = {name: getattr(meeting_plan, name) for name in MEETING_FIELDS}
                meeting = existing_meetings.get(meeting_plan.external_id)
                if meeting is None:
                    status = (
                        MeetingStatus.HELD
                        if meeting_plan.ends_at < now
                        else MeetingStatus.SCHEDULED
                    )
                    new_meetings.append(
                        Meeting(
                            forum=forum,
                            external_id=meeting_plan.external_id,
                            status=status,
                            **fields,
                        )
                    )
                    report.meetings_created += 1
                elif meeting.forum_id != forum.pk or any(
                    getattr(meeting, k) != v for k, v in fields.items()
                ):
                    for k, v in fields.items():
                        setattr(meeting, k, v)
                    meeting.forum = forum
                    meeting.save()
                    report.meetings_updated += 1
                else:
                    report.meetings_unchanged += 1
        Meeting.objects.bulk_create(new_meetings, batch_size=500)
        if report.changed:
            audit.record(
                "engagement.meetings.import",
                actor=actor,
                obj=area,
                data={
                    "source": source,
                    "organisation": organisation.pk,
                    "forums_created": report.forums_created,
                    "forums_updated": report.forums_updated,
                    "meetings_created": report.meetings_created,
                    "meetings_updated": report.meetings_updated,
                    "skipped": dict(report.skipped),
                },
            )
            area_touch([area.pk])
    return report
