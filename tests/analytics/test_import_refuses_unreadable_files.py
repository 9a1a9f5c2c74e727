"""A file that cannot be read as the kind chosen is refused with a clear reason and leaves
nothing behind: at upload (no import queued, no stored copy), and when it fails half-way
through (rows already written are rolled back, the import is marked failed)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from ourbeat.analytics import importing, services
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import (
    ImportStatus,
    Incident,
    IncidentImport,
    IncidentOutcome,
    IncidentSource,
)
from ourbeat.core.models import AuditEvent

ROW = ["", "2024-05", "Millbrook", "Millbrook", "-1.48", "53.04", "On or near Mill Lane",
       "E01000001", "Millbrook 001A", "Anti-social behaviour", "", ""]  # fmt: skip


def stored_files() -> set[Path]:
    folder = Path(settings.VAR_DIR) / "imports"
    return set(folder.glob("*")) if folder.is_dir() else set()


def upload(organisation: Any, source: str, name: str, data: bytes) -> list[Any]:
    path = Path(settings.VAR_DIR) / "upload-under-test"
    path.write_bytes(data)
    with open(path, "rb") as content:
        return services.import_create(
            actor=None,
            organisation=organisation,
            source=source,
            uploads=[services.Upload(name=name, content=content)],
            run=False,
        )


@pytest.mark.parametrize(
    ("data", "source", "reason"),
    [
        (b"", IncidentSource.POLICEUK_STREET, "is empty"),
        (b"Date,Place,What\n2024-01-01,Here,Burglary\n", IncidentSource.POLICEUK_STREET,
         "not one of police.uk's"),
        (",".join(STREET_HEADER).encode() + b"\n", IncidentSource.POLICEUK_STOP_SEARCH,
         "not a police.uk stop and search file"),
        (",".join(STREET_HEADER).encode("utf-16"), IncidentSource.POLICEUK_STREET,
         "not a CSV text file"),
        ("Crime ID,Mois\n".encode("latin-1") + b"\xe9t\xe9\n", IncidentSource.POLICEUK_STREET,
         "not UTF-8"),
        (b"\xff\xfe\xfa" + b"x" * 10, IncidentSource.POLICEUK_STREET, "not UTF-8"),
        (b"Crime ID,Crime ID\n", IncidentSource.POLICEUK_STREET, "names a column twice"),
        (b"a,b\n", IncidentSource.CSV, "column mapping"),
    ],
)  # fmt: skip
def test_an_unreadable_upload_is_refused_and_nothing_is_kept(
    town: Any, data: bytes, source: str, reason: str
) -> None:
    before_files, before_events = stored_files(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        upload(town.force, source, "month.csv", data)

    assert reason in " ".join(refused.value.messages)
    assert not IncidentImport.objects.exists()
    assert stored_files() == before_files
    assert AuditEvent.objects.count() == before_events


def test_an_upload_larger_than_the_limit_is_refused(town: Any, settings: Any) -> None:
    settings.OURBEAT_IMPORT_MAX_BYTES = 1024
    data = (",".join(STREET_HEADER) + "\n" + ",".join(ROW) * 0 + "\n").encode()
    data += ("\n".join(",".join(ROW) for _ in range(40)) + "\n").encode()
    assert len(data) > 1024
    before = stored_files()

    with pytest.raises(ValidationError, match="larger than"):
        upload(town.force, IncidentSource.POLICEUK_STREET, "big.csv", data)

    assert stored_files() == before
    assert not IncidentImport.objects.exists()


def test_one_bad_file_among_several_queues_none(town: Any, policeuk: Path) -> None:
    good = (policeuk / "street" / "2018-03-essex-street.csv").read_bytes()
    paths = [Path(settings.VAR_DIR) / "good.csv", Path(settings.VAR_DIR) / "bad.csv"]
    paths[0].write_bytes(good)
    paths[1].write_bytes(b"Not,a,police.uk,file\n")
    before = stored_files()

    with (
        open(paths[0], "rb") as first,
        open(paths[1], "rb") as second,
        pytest.raises(ValidationError, match=r"bad\.csv"),
    ):
        services.import_create(
            actor=None,
            organisation=town.force,
            source=IncidentSource.POLICEUK_STREET,
            uploads=[services.Upload("good.csv", first), services.Upload("bad.csv", second)],
            run=False,
        )

    assert not IncidentImport.objects.exists()
    assert stored_files() == before


def test_a_file_that_breaks_half_way_through_adds_nothing(
    tmp_path: Path, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks: the first rows are written before the bad bytes are reached.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 10)
    good = tmp_path / "good.csv"
    with open(good, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        for n in range(50):
            writer.writerow([f"{n:064x}", *ROW[1:9], "Burglary", "", ""])
    data = good.read_bytes() + b"\xff\xfe not utf-8,,,\n"
    broken = tmp_path / "broken.csv"
    broken.write_bytes(data)
    with open(broken, "rb") as content:
        [queued] = services.import_create(
            actor=None,
            organisation=town.force,
            source=IncidentSource.POLICEUK_STREET,
            uploads=[services.Upload("broken.csv", content)],
            run=False,
        )
    stored = Path(queued.stored_path)
    assert stored.is_file()

    done = services.import_run(incident_import_id=queued.pk)

    assert done.status == ImportStatus.FAILED
    assert "not UTF-8" in done.error
    assert not Incident.objects.filter(source=IncidentSource.POLICEUK_STREET).exists()
    assert (done.rows_added, done.rows_total) == (0, 0)
    assert not stored.exists()
    assert (
        AuditEvent.objects.filter(action="analytics.import.run").latest("id").data["status"]
        == ImportStatus.FAILED
    )


def test_a_database_error_half_way_through_adds_nothing(
    tmp_path: Path, town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 10)
    path = tmp_path / "month.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        for n in range(30):
            writer.writerow([f"{n:064x}", *ROW[1:9], "Burglary", "", ""])
    written: list[int] = []
    real_write = importing.Writer.write

    def write_then_fail(self: Any, rows: Any) -> int:
        if written:
            raise RuntimeError("disk full")
        written.append(real_write(self, rows))
        return written[-1]

    monkeypatch.setattr(importing.Writer, "write", write_then_fail)
    with open(path, "rb") as content:
        [queued] = services.import_create(
            actor=None,
            organisation=town.force,
            source=IncidentSource.POLICEUK_STREET,
            uploads=[services.Upload("month.csv", content)],
            run=False,
        )

    done = services.import_run(incident_import_id=queued.pk)

    assert written == [10]
    assert done.status == ImportStatus.FAILED
    assert "nothing was added" in done.error
    assert not Incident.objects.filter(source=IncidentSource.POLICEUK_STREET).exists()
    assert not IncidentOutcome.objects.exists()
