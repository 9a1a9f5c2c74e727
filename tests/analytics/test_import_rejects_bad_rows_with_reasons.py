"""Rows that cannot be imported are rejected one by one, each with its row number (the header
is row 1) and the reason; the other rows of the file are imported. Every rejected row is
counted, the first 500 are kept with their reasons."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ourbeat.analytics import importing
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import ImportStatus, Incident, IncidentSource

GOOD = ["", "2024-05", "Millbrook", "Millbrook", "-1.48", "53.04", "On or near Mill Lane",
        "E01000001", "Millbrook 001A", "Anti-social behaviour", "", ""]  # fmt: skip


def changed(column: str, value: str) -> list[str]:
    out = list(GOOD)
    out[STREET_HEADER.index(column)] = value
    return out


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        writer.writerows(rows)
    return path


BAD_ROWS = [
    (changed("Month", "2024-13"), "The month “2024-13” is not a month"),
    (changed("Month", "May 2024"), "The month “May 2024” is not a month"),
    (changed("Latitude", "north"), "The latitude “north” is not a number"),
    (changed("Latitude", "91"), "The latitude “91” is not a number between -90 and 90"),
    (changed("Longitude", "nan"), "The longitude “nan” is not a number"),
    (changed("Longitude", ""), "one coordinate without the other"),
    (changed("Crime type", "Jaywalking"), "Unknown crime type “Jaywalking”"),
    (changed("Location", "x" * 300), "The location is longer than 255 characters"),
    (changed("Location", "Mill\x00Lane"), "NUL character"),
    (GOOD[:5], "The row has 5 fields; the header has 12"),
    ([*GOOD, "extra"], "The row has 13 fields; the header has 12"),
]


def test_each_bad_row_is_rejected_with_its_number_and_reason(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    rows = [GOOD]
    for bad, _reason in BAD_ROWS:
        rows += [bad, changed("Location", f"On or near Street {len(rows)}")]
    path = write(tmp_path / "month.csv", rows)

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert done.status == ImportStatus.DONE
    assert done.rows_total == len(rows)
    assert done.rows_rejected == len(BAD_ROWS)
    assert done.rows_added == len(rows) - len(BAD_ROWS)
    assert done.rows_present == 0
    # Data rows start at row 2; each bad row is at an odd position after the first good one.
    expected_rows = [3 + 2 * i for i in range(len(BAD_ROWS))]
    assert [item["row"] for item in done.rejected] == expected_rows
    for item, (_bad, reason) in zip(done.rejected, BAD_ROWS, strict=True):
        assert reason in item["reason"], (item, reason)
    assert Incident.objects.filter(imported_by=done).count() == done.rows_added


def test_a_blank_line_is_not_a_row(tmp_path: Path, import_file: Any, town: Any) -> None:
    path = tmp_path / "month.csv"
    write(path, [GOOD])
    path.write_text(path.read_text() + "\r\n\r\n")

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert (done.rows_total, done.rows_added, done.rows_rejected) == (1, 1, 0)


def test_all_rejected_rows_are_counted_and_the_first_ones_kept(
    tmp_path: Path, import_file: Any, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several chunks, so that the rows kept are the first ones across chunks.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 128)
    rows = [changed("Month", "someday") if n % 2 else GOOD for n in range(1500)]
    path = write(tmp_path / "month.csv", rows)

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert done.rows_rejected == 750
    assert len(done.rejected) == importing.REJECTED_KEPT == 500
    assert [item["row"] for item in done.rejected] == [3 + 2 * i for i in range(500)]
    assert done.rows_added == 750
