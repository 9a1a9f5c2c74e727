"""Hostile content in a file is data, never code: markup and SQL in fields are stored as
written and shown escaped; a file name with path tricks is kept as a bare name and never
used as a path."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse

from ourbeat.analytics import services
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import Incident, IncidentSource

SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE analytics_incident; --"


def row(crime_type: str, location: str) -> list[str]:
    return ["", "2024-05", "Millbrook", "Millbrook", "-1.48", "53.04", location,
            "E01000001", "Millbrook 001A", crime_type, "", ""]  # fmt: skip


def test_markup_and_sql_in_fields_are_stored_as_written(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    path = tmp_path / "month.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        writer.writerows([row("Burglary", SCRIPT), row("Burglary", SQL), row(SCRIPT, "x")])

    done = import_file(path, town.force, IncidentSource.POLICEUK_STREET)

    assert (done.rows_added, done.rows_rejected) == (2, 1)
    assert sorted(
        Incident.objects.filter(imported_by=done).values_list("location_text", flat=True)
    ) == sorted([SCRIPT, SQL])
    assert "analytics_incident" in connection.introspection.table_names()
    assert SCRIPT in done.rejected[0]["reason"]


def test_the_import_page_escapes_what_the_file_held(
    tmp_path: Path, town: Any, personas: Any, client_for: Any
) -> None:
    path = tmp_path / "month.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        writer.writerows([row(SCRIPT, "x")])
    with open(path, "rb") as content:
        [queued] = services.import_create(
            actor=personas["analyst"],
            organisation=town.force,
            source=IncidentSource.POLICEUK_STREET,
            uploads=[services.Upload(f"{SCRIPT}.csv", content)],
            run=False,
        )
    services.import_run(incident_import_id=queued.pk)

    page = client_for(personas["analyst"]).get(
        reverse("staff_analytics:import_detail", kwargs={"pk": queued.pk})
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_a_file_name_with_path_tricks_is_kept_as_a_bare_name(policeuk: Path, town: Any) -> None:
    outside = Path(settings.VAR_DIR).parent / "passwd.csv"
    before = outside.exists()
    names = ["../../passwd.csv", "..\\..\\windows\\passwd.csv", "/etc/passwd.csv"]
    queued = []
    for name in names:
        with open(policeuk / "outcomes" / "2026-02-city-of-london-outcomes.EXCERPT.csv", "rb") as f:
            queued += services.import_create(
                actor=None,
                organisation=town.force,
                source=IncidentSource.POLICEUK_OUTCOMES,
                uploads=[services.Upload(name, f)],
                run=False,
            )

    folder = (Path(settings.VAR_DIR) / "imports").resolve()
    assert [q.file_name for q in queued] == ["passwd.csv"] * 3
    assert all(Path(q.stored_path).resolve().parent == folder for q in queued)
    assert len({q.stored_path for q in queued}) == 3
    assert outside.exists() == before
    for q in queued:
        services.import_run(incident_import_id=q.pk)
