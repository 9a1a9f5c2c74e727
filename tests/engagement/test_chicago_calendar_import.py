"""Done-when 2: the Chicago community-policing calendar (CAPS, 2017) imports into forums and
meetings: one beat-meeting forum per beat (or beats meeting together), one advisory committee
per district, each with its meetings, venues split from addresses and the recurring pattern
kept as an RRULE that reproduces the imported dates. Importing again changes nothing; a bad
file writes nothing.

The expected numbers are computed here independently of the importer: from the titles, by
tokenising them rather than by the importer's regular expressions."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.core.management import CommandError, call_command

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Forum, ForumKind, Frequency, Meeting, MeetingStatus

CALENDAR = Path(__file__).resolve().parents[3] / "shared" / "data" / "chicago"
DATA = CALENDAR / "cpd_caps_calendar_events_2017.json"
CHICAGO = ZoneInfo("America/Chicago")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not DATA.is_file(), reason="the shared Chicago calendar is not here"),
]


def _run(path: Path | str, area: Any, organisation: Any, *extra: str) -> str:
    out = StringIO()
    call_command(
        "import_meetings",
        str(path),
        "--format",
        "chicago",
        "--area",
        area.slug,
        "--organisation",
        organisation.slug,
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _words(title: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+", title.lower())


def _expected() -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[tuple[str, str]]]]:
    """Beat forums keyed by the title's beat numbers and DAC forums by district, each with
    the set of (start, title) they meet at, worked out word by word."""
    events = json.loads(DATA.read_text())
    beats: dict[str, set[tuple[str, str]]] = defaultdict(set)
    dacs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    ignore_beat = {
        "facilitator",
        "facilitators",
        "factilitator",
        "night",
        "roll",
        "walk",
        "jury",
        "all",
    }
    for event in events:
        words = _words(event["title"])
        district = event["calendarId"]
        beat_words = {"beat", "beats", "bt"} & set(words)
        if beat_words:
            if words[0] == "no" or any(w.startswith("cancel") for w in words):
                continue
            if ignore_beat & set(words):
                continue
            numbers: list[str] = []
            for i, word in enumerate(words):
                if not word.isdigit():
                    continue
                following = words[i + 1] if i + 1 < len(words) else ""
                if following in {"sector", "st", "nd", "rd", "th"}:
                    continue
                number = str(int(word))
                if len(number) <= 2 and numbers:
                    # "1133/34": the short form repeats the previous beat's first digits.
                    previous = numbers[-1].rstrip("NS")
                    number = previous[: len(previous) - len(number)] + number
                if len(number) not in (3, 4) or int(number) // 100 != district:
                    numbers = []
                    break
                # Sub-beats ("1513N", "1513 S"), not a possessive ("1723's").
                attached = re.search(rf"\b0*{word}\s?([NSns])\b", event["title"])
                suffix = attached[1].upper() if attached and following in {"n", "s"} else ""
                if number + suffix not in numbers:
                    numbers.append(number + suffix)
            if numbers:
                key = "-".join(sorted(numbers, key=lambda b: (int(b.rstrip("NS")), b)))
                beats[key].add((event["start"], " ".join(event["title"].split())))
            continue
        joined = " ".join(words)
        if ("dac" in words or "district advisory" in joined) and not (
            words[0] == "no"
            or any(
                w in joined
                for w in (
                    "facilitat",
                    "subcommittee",
                    "sub committee",
                    "youth",
                    "party",
                    "movie",
                    "senior",
                )
            )
        ):
            dacs[str(district)].add((event["start"], " ".join(event["title"].split())))
    return beats, dacs


@pytest.fixture(scope="module")
def expected() -> Any:
    return _expected()


@pytest.fixture
def imported(town: Any) -> tuple[str, Any]:
    output = _run(DATA, town.service, town.force)
    return output, town


def test_the_calendar_imports_one_forum_per_beat_and_per_district_committee(
    imported: Any, expected: Any
) -> None:
    output, town = imported
    beats, dacs = expected
    forums = Forum.objects.filter(external_id__startswith="chicago:")
    assert forums.filter(kind=ForumKind.BEAT_MEETING).count() == len(beats)
    assert forums.filter(kind=ForumKind.ADVISORY_COMMITTEE).count() == len(dacs)
    assert set(
        forums.filter(kind=ForumKind.BEAT_MEETING).values_list("external_id", flat=True)
    ) == {f"chicago:beat:{key}" for key in beats}
    assert all(f.area_id == town.service.pk and f.organisation_id == town.force.pk for f in forums)
    # One meeting per forum and start: the same forum listed twice at one time is one meeting.
    per_start = sum(len({start for start, _t in s}) for s in [*beats.values(), *dacs.values()])
    assert Meeting.objects.filter(forum__in=forums).count() == per_start
    assert f"Forums: {len(beats) + len(dacs)} created" in output
    assert f"Meetings: {per_start} created" in output
    assert "Skipped" in output


def test_every_simple_nnnn_beat_meeting_title_is_imported_at_its_local_time(
    imported: Any,
) -> None:
    events = json.loads(DATA.read_text())
    simple = [e for e in events if re.fullmatch(r"\d{3,4} Beat Meeting", e["title"].strip())]
    assert len(simple) > 500
    for event in simple:
        beat = event["title"].split()[0]
        start = datetime.fromisoformat(event["start"]).replace(tzinfo=CHICAGO)
        assert Meeting.objects.filter(
            forum__external_id=f"chicago:beat:{beat}", starts_at=start
        ).exists(), event


def test_beat_2514_meets_every_other_month_on_the_fourth_thursday_at_st_ferdinands(
    imported: Any,
) -> None:
    forum = Forum.objects.get(external_id="chicago:beat:2514")
    assert forum.name == "Beat 2514 community meeting"
    assert forum.rrule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=+4TH"
    assert forum.frequency == Frequency.BIMONTHLY
    assert forum.usual_venue == "St. Ferdinand's"
    assert forum.usual_address == "3115 N. Mason"
    starts = [m.starts_at.astimezone(CHICAGO) for m in forum.meetings.order_by("starts_at")]
    assert starts[-1] == datetime(2017, 12, 28, 18, 30, tzinfo=CHICAGO)
    assert all(s.weekday() == 3 and 22 <= s.day <= 28 for s in starts)
    first = starts[0].replace(tzinfo=None)
    rule = rrulestr(forum.rrule, dtstart=first)
    assert [d.date() for d in rule.between(first, starts[-1].replace(tzinfo=None), inc=True)] == [
        s.date() for s in starts
    ]
    last = forum.meetings.get(starts_at=datetime(2017, 12, 28, 18, 30, tzinfo=CHICAGO))
    assert (last.venue, last.address) == ("St. Ferdinand's", "3115 N. Mason")
    assert last.ends_at.astimezone(CHICAGO).hour == 19
    assert last.status == MeetingStatus.HELD


def test_every_inferred_rule_reproduces_its_forums_dates(imported: Any) -> None:
    forums = Forum.objects.filter(external_id__startswith="chicago:").exclude(rrule="")
    assert forums.count() > 100
    for forum in forums:
        days = sorted({m.starts_at.astimezone(CHICAGO).date() for m in forum.meetings.all()})
        first = datetime.combine(days[0], datetime.min.time())
        last = datetime.combine(days[-1], datetime.max.time())
        expanded = [
            d.date() for d in rrulestr(forum.rrule, dtstart=first).between(first, last, inc=True)
        ]
        assert expanded == days, forum.external_id
    irregular = Forum.objects.filter(external_id__startswith="chicago:", rrule="")
    assert set(irregular.values_list("frequency", flat=True)) == {Frequency.IRREGULAR}


def test_short_and_combined_beat_numbers_make_one_forum(imported: Any) -> None:
    forum = Forum.objects.get(external_id="chicago:beat:1113-1114-1115")
    titles = set(forum.meetings.values_list("title", flat=True))
    assert {"Beat Meeting: 1113,14,15", "Beat Meeting:1113/14/15"} <= titles
    assert forum.name == "Beats 1113, 1114 and 1115 community meeting"


def test_importing_the_same_file_again_changes_nothing(imported: Any) -> None:
    _output, town = imported
    forums = list(Forum.objects.filter(external_id__startswith="chicago:").values().order_by("pk"))
    meetings = list(
        Meeting.objects.filter(external_id__startswith="chicago:").values().order_by("pk")
    )
    events = AuditEvent.objects.count()
    output = _run(DATA, town.service, town.force)
    assert "0 created, 0 updated" in output
    assert (
        list(Forum.objects.filter(external_id__startswith="chicago:").values().order_by("pk"))
        == forums
    )
    assert (
        list(Meeting.objects.filter(external_id__startswith="chicago:").values().order_by("pk"))
        == meetings
    )
    assert AuditEvent.objects.count() == events


def test_the_import_is_one_audit_event(imported: Any) -> None:
    event = AuditEvent.objects.filter(action="engagement.meetings.import").latest("id")
    assert (
        event.data["meetings_created"]
        == Meeting.objects.filter(external_id__startswith="chicago:").count()
    )
    assert event.actor_id is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"events": []}', "expected a JSON list"),
        (b'[{"calendarId": 1, "title": "2514 Beat Meeting"}]', "start"),
        (
            b'[{"calendarId": "x", "title": "2514 Beat Meeting", "start": "2017-01-01T10:00:00"}]',
            "calendarId",
        ),
        (b'[{"calendarId": 25, "title": "", "start": "2017-01-01T10:00:00"}]', "title"),
        (b'[{"calendarId": 25, "title": "2514 Beat Meeting", "start": "yesterday"}]', "start"),
        (b'["just a string"]', "not an object"),
        ("\ufeff[".encode("utf-16"), "not JSON"),
    ],
)
def test_a_malformed_file_is_refused_and_writes_nothing(
    town: Any, tmp_path: Path, content: bytes, message: str
) -> None:
    valid = json.loads(DATA.read_text())[:50]
    path = tmp_path / "calendar.json"
    # A bad event after good ones: the good ones must not be written either.
    if content.startswith(b"[{") or content.startswith(b'["'):
        bad = json.loads(content)
        path.write_text(json.dumps(valid + bad))
    else:
        path.write_bytes(content)
    before = (Forum.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match=message):
        _run(path, town.service, town.force)
    assert (Forum.objects.count(), Meeting.objects.count(), AuditEvent.objects.count()) == before


def test_a_missing_file_an_unknown_area_and_an_unknown_zone_are_refused(
    town: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="no such file"):
        _run(tmp_path / "missing.json", town.service, town.force)
    with pytest.raises(CommandError, match="time zone"):
        _run(DATA, town.service, town.force, "--time-zone", "Mars/Olympus")
    out = StringIO()
    with pytest.raises(CommandError, match="No single area"):
        call_command(
            "import_meetings",
            str(DATA),
            "--area",
            "nowhere",
            "--organisation",
            town.force.slug,
            stdout=out,
        )
    assert not Forum.objects.filter(external_id__startswith="chicago:").exists()


def test_a_dry_run_reports_and_writes_nothing(town: Any) -> None:
    output = _run(DATA, town.service, town.force, "--dry-run")
    assert "5006 events read" in output
    assert "Dry run" in output
    assert not Forum.objects.filter(external_id__startswith="chicago:").exists()
