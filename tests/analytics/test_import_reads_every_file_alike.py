"""However a file is read, the same rows are stored: a plain file (no quote character) is split
at its commas in C, any other by the csv module; a second process reads ahead, or the one
process does everything. And when the reading process dies, the import fails whole."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from ourbeat.analytics import importing
from ourbeat.analytics.models import ImportStatus, Incident, IncidentSource

pytestmark = pytest.mark.django_db

FIELDS = (
    "row_key",
    "crime_id",
    "category",
    "month",
    "occurred_on",
    "latitude",
    "longitude",
    "location_text",
    "lsoa_code",
    "lsoa_name",
    "area_id",
    "outcome",
    "context",
    "location_key",
    "extra",
)


def _stored(done: Any) -> list[tuple[Any, ...]]:
    return sorted(Incident.objects.filter(imported_by=done).values_list(*FIELDS))


def _street_rows(policeuk: Path, count: int) -> tuple[list[str], list[list[str]]]:
    with open(policeuk / "street" / "2018-03-essex-street.csv", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        return header, [row for _n, row in zip(range(count), reader, strict=False)]


def _write(path: Path, header: list[str], rows: list[list[str]], **options: Any) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, **options)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_plain_file_and_a_quoted_copy_store_the_same_rows(
    tmp_path: Path, policeuk: Path, import_file: Any, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks: many of them, one with a blank line, a short row and a long one.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100)
    header, rows = _street_rows(policeuk, 450)
    odd = [*rows[:120], [], rows[120][:5], [*rows[121], "extra"], *rows[122:]]
    plain = _write(tmp_path / "plain.csv", header, odd)
    quoted = _write(tmp_path / "quoted.csv", header, odd, quoting=csv.QUOTE_ALL)
    assert b'"' not in plain.read_bytes()
    assert b"\r\n" in plain.read_bytes()

    first = import_file(plain, town.force, IncidentSource.POLICEUK_STREET)
    # The same rows for another organisation (a row key is per organisation).
    second = import_file(quoted, town.council, IncidentSource.POLICEUK_STREET)

    for done in (first, second):
        assert done.status == ImportStatus.DONE, done.error
        assert (done.rows_total, done.rows_added, done.rows_rejected) == (450, 448, 2)
        assert [r["row"] for r in done.rejected] == [123, 124]
    assert first.rejected == second.rejected
    assert len(_stored(first)) == 448
    strip_area = [row[:10] + row[11:] for row in _stored(first)]
    assert strip_area == [row[:10] + row[11:] for row in _stored(second)]


def test_reading_ahead_in_a_second_process_changes_nothing_stored(
    tmp_path: Path, policeuk: Path, import_file: Any, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 50)
    header, rows = _street_rows(policeuk, 300)
    path = _write(tmp_path / "month.csv", header, rows)

    monkeypatch.setattr(importing, "READ_AHEAD", True)
    ahead = import_file(path, town.force, IncidentSource.POLICEUK_STREET)
    monkeypatch.setattr(importing, "READ_AHEAD", False)
    alone = import_file(path, town.council, IncidentSource.POLICEUK_STREET)

    assert ahead.rows_added == alone.rows_added == 300
    assert [row[:10] for row in _stored(ahead)] == [row[:10] for row in _stored(alone)]


def test_a_reading_process_that_dies_fails_the_import_and_adds_nothing(
    tmp_path: Path, policeuk: Path, import_file: Any, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 50)
    monkeypatch.setattr(importing, "READ_AHEAD", True)
    header, rows = _street_rows(policeuk, 300)
    path = _write(tmp_path / "month.csv", header, rows)
    real_check = importing._check_chunk
    parent = os.getpid()

    def check_then_die(context: Any, raw: Any, first_row: int, *args: Any) -> Any:
        # In the reading process, after two chunks have been handed over.
        if os.getpid() != parent and first_row > 100:
            os._exit(3)
        return real_check(context, raw, first_row, *args)

    monkeypatch.setattr(importing, "_check_chunk", check_then_die)
    before = Incident.objects.count()

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert done.status == ImportStatus.FAILED
    assert "nothing was added" in done.error
    assert Incident.objects.count() == before
