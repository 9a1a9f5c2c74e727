"""Importing a file again changes nothing and says so; identical rows without a reference
are separate incidents, numbered in file order, so a re-import adds neither again and a
later file with one more copy adds exactly that one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ourbeat.analytics import importing
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import Incident, IncidentImport, IncidentSource

ASB = ["", "2024-05", "Millbrook", "Millbrook", "-1.48", "53.04", "On or near Mill Lane",
       "E01000001", "Millbrook 001A", "Anti-social behaviour", "", ""]  # fmt: skip
OTHER_ASB = [*ASB[:6], "On or near Church Street", *ASB[7:]]


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        writer.writerows(rows)
    return path


def test_a_second_import_of_the_month_adds_nothing(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "street" / "2018-03-essex-street.csv"
    first = import_file(path, town.force, IncidentSource.POLICEUK_STREET)
    before = list(
        Incident.objects.filter(organisation=town.force, source=IncidentSource.POLICEUK_STREET)
        .order_by("pk")
        .values()
    )

    again = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert (first.rows_added, first.rows_present) == (16_014, 0)
    assert (again.rows_total, again.rows_added, again.rows_present, again.rows_rejected) == (
        16_014,
        0,
        16_014,
        0,
    )
    after = list(
        Incident.objects.filter(organisation=town.force, source=IncidentSource.POLICEUK_STREET)
        .order_by("pk")
        .values()
    )
    assert after == before
    assert not Incident.objects.filter(imported_by=again).exists()


def test_identical_rows_are_separate_incidents_added_once(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    two = write(tmp_path / "two.csv", [ASB, OTHER_ASB, ASB])
    three = write(tmp_path / "three.csv", [ASB, ASB, ASB, OTHER_ASB])

    first = import_file(two, town.force, IncidentSource.POLICEUK_STREET)
    again = import_file(two, town.force, IncidentSource.POLICEUK_STREET)
    more = import_file(three, town.force, IncidentSource.POLICEUK_STREET)

    assert (first.rows_added, first.rows_present) == (3, 0)
    assert (again.rows_added, again.rows_present) == (0, 3)
    # The third copy of the same row is new; the first two and the other row are not.
    assert (more.rows_added, more.rows_present) == (1, 3)
    stored = Incident.objects.filter(organisation=town.force, source=IncidentSource.POLICEUK_STREET)
    assert stored.filter(location_text="On or near Mill Lane").count() == 3
    assert stored.filter(location_text="On or near Church Street").count() == 1


def test_the_same_file_for_another_organisation_is_its_own_data(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    path = write(tmp_path / "asb.csv", [ASB, ASB])
    ours = import_file(path, town.force, IncidentSource.POLICEUK_STREET)
    theirs = import_file(path, town.council, IncidentSource.POLICEUK_STREET)

    assert ours.rows_added == theirs.rows_added == 2
    assert Incident.objects.filter(organisation=town.council, imported_by=theirs).count() == 2


def test_a_stop_and_search_month_imported_again_adds_nothing(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "stop_and_search" / "2026-02-city-of-london-stop-and-search.csv"
    with open(path, newline="", encoding="utf-8") as text:
        rows = list(csv.DictReader(text))

    first = import_file(path, town.force, IncidentSource.POLICEUK_STOP_SEARCH)
    again = import_file(path, town.force, IncidentSource.POLICEUK_STOP_SEARCH)

    assert (first.rows_added, again.rows_added, again.rows_present) == (len(rows), 0, len(rows))
    assert IncidentImport.objects.filter(organisation=town.force).count() == 2


def test_identical_rows_far_apart_in_a_large_file_are_numbered_across_it(
    tmp_path: Path, import_file: Any, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file read in chunks of 4 rows: the copies of one row fall in different chunks.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 4)
    rows = [
        ASB if n % 3 == 0 else [*OTHER_ASB[:6], f"Street {n}", *OTHER_ASB[7:]] for n in range(30)
    ]
    path = write(tmp_path / "long.csv", rows)

    first = import_file(path, town.force, IncidentSource.POLICEUK_STREET)
    again = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert (first.rows_added, again.rows_added, again.rows_present) == (30, 0, 30)
    assert (
        Incident.objects.filter(imported_by=first, location_text="On or near Mill Lane").count()
        == 10
    )
