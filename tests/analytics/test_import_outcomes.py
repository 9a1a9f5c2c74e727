"""police.uk outcomes are stored as outcomes of their crimes, and the crime with that Crime
ID shows its latest outcome, whichever file comes first."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ourbeat.analytics.importing import OUTCOMES_HEADER, STREET_HEADER
from ourbeat.analytics.models import Incident, IncidentOutcome, IncidentSource

CRIME = "a" * 64
OTHER = "b" * 64


def write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def street(crime_id: str, last_outcome: str) -> list[str]:
    return [crime_id, "2025-11", "Force", "Force", "-0.086019", "51.513631",
            "On or near Finch Lane", "E01032739", "City of London 001F", "Burglary",
            last_outcome, ""]  # fmt: skip


def outcome(crime_id: str, month: str, kind: str) -> list[str]:
    return [crime_id, month, "Force", "Force", "-0.086019", "51.513631",
            "On or near Finch Lane", "E01032739", "City of London 001F", kind]  # fmt: skip


def test_the_outcomes_excerpt_is_stored_by_crime(
    policeuk: Path, import_file: Any, town: Any
) -> None:
    path = policeuk / "outcomes" / "2026-02-city-of-london-outcomes.EXCERPT.csv"
    with open(path, newline="", encoding="utf-8") as text:
        rows = list(csv.DictReader(text))

    done = import_file(path, town.force, IncidentSource.POLICEUK_OUTCOMES)

    assert (done.rows_added, done.rows_rejected) == (len(rows), 0)
    assert sorted(
        IncidentOutcome.objects.filter(imported_by=done).values_list("crime_id", "outcome")
    ) == sorted((row["Crime ID"], row["Outcome type"]) for row in rows)
    assert not Incident.objects.filter(imported_by=done).exists()


def test_an_outcomes_file_updates_the_crimes_already_imported(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    crimes = write(
        tmp_path / "street.csv",
        STREET_HEADER,
        [street(CRIME, "Under investigation"), street(OTHER, "Under investigation")],
    )
    later = write(
        tmp_path / "later.csv", OUTCOMES_HEADER, [outcome(CRIME, "2026-01", "Offender fined")]
    )
    earlier = write(tmp_path / "earlier.csv", OUTCOMES_HEADER,
                    [outcome(CRIME, "2025-12", "Suspect charged")])  # fmt: skip
    import_file(crimes, town.force, IncidentSource.POLICEUK_STREET)

    import_file(later, town.force, IncidentSource.POLICEUK_OUTCOMES)
    # An older month's outcome imported afterwards does not replace the latest one.
    import_file(earlier, town.force, IncidentSource.POLICEUK_OUTCOMES)

    outcomes = dict(
        Incident.objects.filter(
            organisation=town.force, source=IncidentSource.POLICEUK_STREET
        ).values_list("crime_id", "outcome")
    )
    assert outcomes[CRIME] == "Offender fined"
    assert outcomes[OTHER] == "Under investigation"
    assert IncidentOutcome.objects.filter(organisation=town.force, crime_id=CRIME).count() == 2


def test_a_street_file_imported_after_its_outcomes_takes_them(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    outcomes = write(tmp_path / "outcomes.csv", OUTCOMES_HEADER,
                     [outcome(CRIME, "2025-12", "Suspect charged")])  # fmt: skip
    crimes = write(
        tmp_path / "street.csv",
        STREET_HEADER,
        [street(CRIME, "Under investigation"), street(OTHER, "Awaiting court outcome")],
    )
    import_file(outcomes, town.force, IncidentSource.POLICEUK_OUTCOMES)

    import_file(crimes, town.force, IncidentSource.POLICEUK_STREET)

    assert dict(
        Incident.objects.filter(
            organisation=town.force, source=IncidentSource.POLICEUK_STREET
        ).values_list("crime_id", "outcome")
    ) == {CRIME: "Suspect charged", OTHER: "Awaiting court outcome"}


def test_outcomes_of_another_organisation_are_not_applied(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    crimes = write(tmp_path / "street.csv", STREET_HEADER, [street(CRIME, "Under investigation")])
    outcomes = write(tmp_path / "outcomes.csv", OUTCOMES_HEADER,
                     [outcome(CRIME, "2026-01", "Offender fined")])  # fmt: skip
    import_file(crimes, town.force, IncidentSource.POLICEUK_STREET)

    import_file(outcomes, town.council, IncidentSource.POLICEUK_OUTCOMES)

    assert Incident.objects.get(organisation=town.force, crime_id=CRIME).outcome == (
        "Under investigation"
    )
