"""Contact points repeat by their RRULE in the area's local wall-clock time: a monthly
"second Tuesday 18:00–19:00" stays at 18:00 across the change from BST to GMT."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ourbeat.teams.models import ContactPoint
from ourbeat.teams.schedule import occurrences

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def _point(town: Any, starts_at: datetime, rrule: str) -> ContactPoint:
    return ContactPoint.objects.create(
        area=town.home,
        kind="surgery",
        title="Surgery",
        venue="Library",
        starts_at=starts_at,
        duration_minutes=60,
        rrule=rrule,
    )


def test_a_monthly_second_tuesday_stays_at_six_in_the_evening_across_the_clock_change(
    town: Any,
) -> None:
    point = _point(town, datetime(2025, 9, 9, 18, 0, tzinfo=LONDON), "FREQ=MONTHLY;BYDAY=2TU")
    found = occurrences(point, datetime(2025, 9, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    local = [o.start.astimezone(LONDON) for o in found]
    assert [d.date().isoformat() for d in local] == [
        "2025-09-09",
        "2025-10-14",
        "2025-11-11",
        "2025-12-09",
    ]
    assert {(d.hour, d.minute) for d in local} == {(18, 0)}
    assert all((o.end - o.start).total_seconds() == 3600 for o in found)
    # In UTC the surgery moves by an hour when British Summer Time ends (26 October).
    assert [o.start.astimezone(UTC).hour for o in found] == [17, 17, 18, 18]


def test_every_other_week_repeats_fortnightly(town: Any) -> None:
    point = _point(town, datetime(2025, 3, 3, 10, 30, tzinfo=LONDON), "FREQ=WEEKLY;INTERVAL=2")
    found = occurrences(point, datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 15, tzinfo=UTC))
    days = [o.start.astimezone(LONDON).date().isoformat() for o in found]
    assert days == ["2025-03-03", "2025-03-17", "2025-03-31", "2025-04-14"]
    # 30 March is the start of BST: still 10:30 on the wall clock.
    assert {o.start.astimezone(LONDON).strftime("%H:%M") for o in found} == {"10:30"}


def test_a_one_off_happens_once(town: Any) -> None:
    when = datetime(2025, 6, 1, 14, 0, tzinfo=LONDON)
    point = _point(town, when, "")
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert [o.start for o in occurrences(point, *window)] == [when]
    assert occurrences(point, datetime(2025, 7, 1, tzinfo=UTC), window[1]) == []
