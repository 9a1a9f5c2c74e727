"""A whole police.uk street month (Essex, March 2018) imports every row, each with its
category, month, place and outcome; the expectations are counted from the file with the csv
module, independently of the importer."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import Count

from ourbeat.analytics.models import DatePrecision, ImportStatus, Incident, IncidentSource

# The police.uk API's slugs for its crime types (https://data.police.uk/docs/method/crime-categories/).
API_SLUGS = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other crime": "other-crime",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def test_the_essex_month_imports_every_row_with_its_category(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    rows = read_rows(path)
    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert done.status == ImportStatus.DONE, done.error
    assert len(rows) == 16_014
    assert (done.rows_total, done.rows_added, done.rows_present, done.rows_rejected) == (
        16_014,
        16_014,
        0,
        0,
    )
    incidents = Incident.objects.filter(imported_by=done)
    assert incidents.count() == 16_014
    expected = Counter(API_SLUGS[row["Crime type"]] for row in rows)
    stored = dict(incidents.values_list("category").annotate(n=Count("pk")).order_by())
    assert stored == dict(expected)


def test_anti_social_behaviour_rows_without_a_crime_id_are_each_an_incident(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    rows = read_rows(path)
    asb = [row for row in rows if row["Crime type"] == "Anti-social behaviour"]
    # Some of them are identical rows (same month, place and everything): still incidents.
    assert len({tuple(row.values()) for row in asb}) < len(asb)
    assert all(not row["Crime ID"] for row in asb)

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    stored = Incident.objects.filter(imported_by=done, category="anti-social-behaviour")
    assert stored.count() == len(asb)
    assert set(stored.values_list("crime_id", flat=True)) == {""}
    assert stored.values("row_key").distinct().count() == len(asb)
    crimes = Incident.objects.filter(imported_by=done).exclude(category="anti-social-behaviour")
    assert set(crimes.values_list("crime_id", flat=True)) == {
        row["Crime ID"] for row in rows if row["Crime ID"]
    }
    # Each crime is one incident, told apart by a key of its own.
    assert crimes.values("row_key").distinct().count() == crimes.count()


def test_rows_with_no_location_are_kept_without_coordinates(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    rows = read_rows(path)
    unlocated = [row for row in rows if not row["Latitude"] and not row["Longitude"]]
    assert {row["Location"] for row in unlocated} == {"No Location"}

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    stored = Incident.objects.filter(imported_by=done, latitude__isnull=True)
    assert stored.count() == len(unlocated) == 17
    assert not stored.filter(longitude__isnull=False).exists()
    assert set(stored.values_list("location_key", flat=True)) == {""}
    assert not stored.filter(area__isnull=False).exists()
    # They still count in totals by category and month.
    assert Counter(stored.values_list("category", flat=True)) == Counter(
        API_SLUGS[row["Crime type"]] for row in unlocated
    )


def test_each_incident_keeps_the_month_place_and_outcome_of_its_row(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    rows = {row["Crime ID"]: row for row in read_rows(path) if row["Crime ID"]}
    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    incidents = Incident.objects.filter(imported_by=done)
    assert set(incidents.values_list("month", "occurred_on", "date_precision")) == {
        (date(2018, 3, 1), date(2018, 3, 1), DatePrecision.MONTH)
    }
    assert not incidents.filter(occurred_at__isnull=False).exists()
    stored = incidents.exclude(crime_id="").values_list(
        "crime_id", "latitude", "longitude", "location_text", "lsoa_code", "lsoa_name", "outcome"
    )
    assert len(stored) == len(rows)
    for crime_id, lat, lng, place, lsoa_code, lsoa_name, outcome in stored:
        row = rows[crime_id]
        assert lat == (float(row["Latitude"]) if row["Latitude"] else None)
        assert lng == (float(row["Longitude"]) if row["Longitude"] else None)
        assert place == row["Location"]
        assert (lsoa_code, lsoa_name) == (row["LSOA code"], row["LSOA name"])
        assert outcome == row["Last outcome category"]


def test_the_same_map_point_has_the_same_location_key(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    points = {(row["Latitude"], row["Longitude"]) for row in read_rows(path) if row["Latitude"]}
    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    pairs = set(
        Incident.objects.filter(imported_by=done, latitude__isnull=False).values_list(
            "latitude", "longitude", "location_key"
        )
    )
    keys_by_point: dict[tuple[Any, Any], set[str]] = {}
    for lat, lng, key in pairs:
        keys_by_point.setdefault((lat, lng), set()).add(key)
    assert len(keys_by_point) == len(points)
    assert all(len(keys) == 1 for keys in keys_by_point.values())
    assert len({key for keys in keys_by_point.values() for key in keys}) == len(points)
    assert all(len(key) == 16 for keys in keys_by_point.values() for key in keys)
