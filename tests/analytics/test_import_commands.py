"""``import_policeuk FILE...`` recognises each file by its header and prints what each
added, found present and rejected; run again on the same files it adds nothing and says so.
``import_incidents FILE --mapping NAME`` reads a partner's CSV through a saved mapping."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ourbeat.analytics import services
from ourbeat.analytics.models import Incident, IncidentSource


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_police_uk_files_import_once_and_say_so_the_second_time(policeuk: Path, town: Any) -> None:
    street = policeuk / "street" / "2018-03-essex-street.csv"
    searches = policeuk / "stop_and_search" / "2026-02-city-of-london-stop-and-search.csv"

    first, _ = run("import_policeuk", str(street), str(searches), "--organisation", "millbrook")
    second, _ = run("import_policeuk", str(street), str(searches), "--organisation", "millbrook")

    assert first.splitlines() == [
        f"{street}: added 16,014, already present 0, rejected 0",
        f"{searches}: added 111, already present 0, rejected 0",
    ]
    assert second.splitlines() == [
        f"{street}: added 0, already present 16,014, rejected 0",
        f"{searches}: added 0, already present 111, rejected 0",
        "Nothing was added: every row was already present.",
    ]
    assert (
        Incident.objects.filter(
            organisation=town.force, source=IncidentSource.POLICEUK_STREET
        ).count()
        == 16_014
    )


def test_a_file_that_is_not_police_uk_is_reported_and_the_others_imported(
    tmp_path: Path, policeuk: Path, town: Any
) -> None:
    other = tmp_path / "notes.csv"
    other.write_text("Date,What\n2024-01-01,x\n", encoding="utf-8")
    outcomes = policeuk / "outcomes" / "2026-02-city-of-london-outcomes.EXCERPT.csv"
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="Some files were not imported"):
        call_command(
            "import_policeuk", str(other), str(outcomes), "--organisation", str(town.force.pk),
            stdout=out, stderr=err,
        )  # fmt: skip

    assert f"{other}: not imported:" in err.getvalue()
    assert out.getvalue().splitlines() == [f"{outcomes}: added 25, already present 0, rejected 0"]


def test_an_unknown_organisation_is_refused(policeuk: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="No organisation"):
        run("import_policeuk", str(policeuk / "street" / "2018-03-essex-street.csv"),
            "--organisation", "nowhere")  # fmt: skip


def test_a_partner_csv_imports_through_its_mapping(tmp_path: Path, town: Any) -> None:
    services.mapping_save(
        actor=None,
        organisation=town.force,
        name="Housing",
        columns={"category": "Kind", "date": "Day", "latitude": "Lat", "longitude": "Lng"},
    )
    path = tmp_path / "housing.csv"
    path.write_text(
        "Kind,Day,Lat,Lng\nBurglary,2024-05-01,53.04,-1.48\nRobbery,2024-05-02,53.05,-1.49\n",
        encoding="utf-8",
    )

    first, _ = run("import_incidents", str(path), "--mapping", "Housing")
    second, _ = run("import_incidents", str(path), "--mapping", "Housing")

    assert first.splitlines() == [f"{path}: added 2, already present 0, rejected 0"]
    assert second.splitlines()[-1] == "Nothing was added: every row was already present."
    with pytest.raises(CommandError, match="No column mapping"):
        run("import_incidents", str(path), "--mapping", "Unknown")
