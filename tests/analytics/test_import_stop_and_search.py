"""A police.uk stop-and-search month: Latitude comes before Longitude in this file (the
reverse of the street file), and each search is an incident of category stop-and-search at
its minute, with its fields kept in ``extra``."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource


def test_searches_keep_their_latitude_and_longitude_the_right_way_round(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "stop_and_search" / "2026-02-city-of-london-stop-and-search.csv"
    with open(path, newline="", encoding="utf-8") as text:
        header = next(csv.reader(text))
    assert header.index("Latitude") < header.index("Longitude")
    with open(path, newline="", encoding="utf-8") as text:
        rows = list(csv.DictReader(text))

    done = import_file(path, town.force, IncidentSource.POLICEUK_STOP_SEARCH)

    assert (done.rows_added, done.rows_rejected) == (len(rows), 0)
    stored = Incident.objects.filter(imported_by=done)
    located = [row for row in rows if row["Latitude"]]
    assert sorted(stored.exclude(latitude=None).values_list("latitude", "longitude")) == sorted(
        (float(row["Latitude"]), float(row["Longitude"])) for row in located
    )
    # London: latitudes near 51.5°N, longitudes just west of Greenwich (negative).
    points: list[tuple[Any, Any]] = list(
        stored.exclude(latitude=None).values_list("latitude", "longitude")
    )
    assert all(51.3 < lat < 51.7 and -0.5 < lng < 0.0 for lat, lng in points)
    assert stored.filter(latitude=None).count() == len(rows) - len(located)


def test_each_search_is_a_stop_and_search_incident_at_its_minute(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "stop_and_search" / "2026-02-city-of-london-stop-and-search.csv"
    with open(path, newline="", encoding="utf-8") as text:
        rows = list(csv.DictReader(text))

    done = import_file(path, town.force, IncidentSource.POLICEUK_STOP_SEARCH)

    stored = list(Incident.objects.filter(imported_by=done))
    assert {i.category for i in stored} == {"stop-and-search"}
    assert {i.date_precision for i in stored} == {DatePrecision.TIME}
    assert sorted(i.occurred_at for i in stored if i.occurred_at) == sorted(
        datetime.fromisoformat(row["Date"]) for row in rows
    )
    assert sorted(
        (i.extra["object_of_search"], i.extra["legislation"], i.outcome) for i in stored
    ) == sorted((row["Object of search"], row["Legislation"], row["Outcome"]) for row in rows)
    assert sorted(
        (i.extra["type"], i.extra["age_range"], i.extra["officer_defined_ethnicity"])
        for i in stored
    ) == sorted((row["Type"], row["Age range"], row["Officer-defined ethnicity"]) for row in rows)
    assert all(i.month == i.occurred_on.replace(day=1) for i in stored)
