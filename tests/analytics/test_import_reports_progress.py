"""An import reports its progress as it goes (rows read, bytes read of the file) in the
progress cache, where the page reads it while the import's transaction is still open, and
stores its final counts on the import when it is done; the background task runs it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches

from ourbeat.analytics import importing, services
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import ImportStatus, IncidentSource
from ourbeat.analytics.tasks import run_incident_import


def month(path: Path, rows: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        for n in range(rows):
            writer.writerow([f"{n:064x}", "2024-05", "x", "x", "-1.48", "53.04", "Mill Lane",
                             "", "", "Burglary", "", ""])  # fmt: skip
    return path


def queue(path: Path, organisation: Any) -> Any:
    with open(path, "rb") as content:
        [queued] = services.import_create(
            actor=None,
            organisation=organisation,
            source=IncidentSource.POLICEUK_STREET,
            uploads=[services.Upload(path.name, content)],
            run=False,
        )
    return queued


def test_progress_is_reported_after_each_chunk(
    tmp_path: Path, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100)
    path = month(tmp_path / "month.csv", 250)
    calls: list[tuple[int, int, int]] = []

    counts = importing.import_file(
        path=path,
        organisation_id=town.force.pk,
        source=IncidentSource.POLICEUK_STREET,
        on_progress=lambda *args: calls.append(args),
    )

    size = path.stat().st_size
    assert [rows for rows, _done, _total in calls] == [100, 200, 250]
    assert all(total == size for _rows, _done, total in calls)
    assert calls[-1][1] == size
    assert counts.rows_added == 250


def test_a_running_import_keeps_its_progress_in_the_cache(
    tmp_path: Path, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100)
    queued = queue(month(tmp_path / "month.csv", 250), town.force)
    seen: list[Any] = []
    real_write = importing.Writer.write

    def write_and_look(self: Any, rows: Any) -> int:
        seen.append(services.import_progress(type(queued).objects.get(pk=queued.pk)))
        return real_write(self, rows)

    monkeypatch.setattr(importing.Writer, "write", write_and_look)

    done = services.import_run(incident_import_id=queued.pk)

    assert [s["rows_done"] for s in seen] == [0, 100, 200]
    assert (done.status, done.rows_done, done.rows_total, done.rows_added) == (
        ImportStatus.DONE,
        250,
        250,
        250,
    )
    assert caches["progress"].get(services.progress_key(queued.pk)) is None


def test_the_task_runs_a_queued_import_once(tmp_path: Path, town: Any) -> None:
    queued = queue(month(tmp_path / "month.csv", 20), town.force)

    result = run_incident_import.enqueue(import_id=queued.pk)
    again = run_incident_import.enqueue(import_id=queued.pk)

    queued.refresh_from_db()
    assert result.return_value == again.return_value == ImportStatus.DONE
    assert (queued.status, queued.rows_added, queued.stored_path) == (ImportStatus.DONE, 20, "")
