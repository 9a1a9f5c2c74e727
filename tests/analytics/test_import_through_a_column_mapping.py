"""A partner's CSV imports through a saved column mapping: its own category values, its date
format and time column, and a victim column that becomes a keyed code (the same victim, the
same code) while the raw reference is stored nowhere."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from ourbeat.analytics import services
from ourbeat.analytics.models import DatePrecision, ImportStatus, Incident, IncidentSource

HEADER = ["Ref", "Offence", "Committed", "At", "Lat", "Lon", "Street", "VictimRef", "Notes"]
ROWS = [
    ["R-1", "Burglary - dwelling", "31/05/2024", "21:45", "53.041", "-1.481", "Mill Lane",
     "VIC-0001-ZZ", "door forced"],
    ["R-2", "Burglary - dwelling", "01/06/2024", "", "53.042", "-1.482", "Mill Lane",
     "  vic-0001-zz ", "same victim again"],
    ["R-3", "Criminal damage and arson", "02/06/2024", "03:10", "53.043", "-1.483",
     "Church St", "VIC-0002-QQ", "shed"],
    ["", "Shoplifting", "03/06/2024", "", "53.044", "-1.484", "High St", "", "no reference"],
    ["R-5", "Fly-tipping", "03/06/2024", "", "53.044", "-1.484", "High St", "VIC-0003-XX",
     "not mapped"],
    ["R-6", "Burglary - dwelling", "2024-06-04", "", "53.044", "-1.484", "High St",
     "VIC-0004-YY", "wrong date format"],
]  # fmt: skip
RAW_VICTIMS = ["VIC-0001-ZZ", "VIC-0002-QQ", "VIC-0003-XX", "VIC-0004-YY"]


@pytest.fixture
def partner_csv(tmp_path: Path) -> Path:
    path = tmp_path / "partner-extract.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


@pytest.fixture
def mapping(town: Any) -> Any:
    return services.mapping_save(
        actor=None,
        organisation=town.force,
        name="Partner extract",
        columns={
            "crime_id": "Ref",
            "category": "Offence",
            "date": "Committed",
            "time": "At",
            "latitude": "Lat",
            "longitude": "Lon",
            "location_text": "Street",
            "victim": "VictimRef",
        },
        date_format="%d/%m/%Y",
        category_values={"Burglary - dwelling": "burglary"},
    )


def test_a_partner_csv_imports_through_its_mapping(
    partner_csv: Path, mapping: Any, import_file: Any, town: Any
) -> None:
    done = import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)

    assert done.status == ImportStatus.DONE, done.error
    assert (done.rows_total, done.rows_added, done.rows_rejected) == (6, 4, 2)
    reasons = {item["row"]: item["reason"] for item in done.rejected}
    assert "Unknown category “Fly-tipping”" in reasons[6]
    assert "does not match the format %d/%m/%Y" in reasons[7]
    stored = {i.crime_id: i for i in Incident.objects.filter(imported_by=done)}
    assert stored["R-1"].category == "burglary"
    assert stored["R-3"].category == "criminal-damage-arson"
    assert stored[""].category == "shoplifting"
    london = ZoneInfo("Europe/London")
    assert stored["R-1"].occurred_at == datetime(2024, 5, 31, 21, 45, tzinfo=london)
    assert stored["R-1"].date_precision == DatePrecision.TIME
    assert (stored["R-2"].occurred_on, stored["R-2"].occurred_at) == (date(2024, 6, 1), None)
    assert stored["R-2"].date_precision == DatePrecision.DAY
    assert stored["R-2"].month == date(2024, 6, 1)
    assert (stored["R-1"].latitude, stored["R-1"].longitude) == (53.041, -1.481)
    assert stored["R-1"].location_text == "Mill Lane"
    assert stored["R-1"].extra == {}


def test_the_same_victim_gets_the_same_key_and_others_another(
    partner_csv: Path, mapping: Any, import_file: Any, town: Any
) -> None:
    done = import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)

    keys = dict(Incident.objects.filter(imported_by=done).values_list("crime_id", "victim_key"))
    assert keys["R-1"] == keys["R-2"] != ""
    assert keys["R-3"] not in ("", keys["R-1"])
    assert keys[""] == ""


def test_raw_victim_references_are_stored_nowhere(
    partner_csv: Path, mapping: Any, import_file: Any, town: Any
) -> None:
    done = import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)
    assert done.status == ImportStatus.DONE

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for stored_row in cursor.fetchall():
                text = " ".join(str(v) for v in stored_row).casefold()
                found += [(table, ref) for ref in RAW_VICTIMS if ref.casefold() in text]
    assert found == []
    uploads = Path(settings.VAR_DIR) / "imports"
    assert not any(
        ref.encode() in path.read_bytes() for path in uploads.glob("*") for ref in RAW_VICTIMS
    )


def test_importing_the_extract_again_adds_nothing(
    partner_csv: Path, mapping: Any, import_file: Any, town: Any
) -> None:
    import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)
    again = import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)

    assert (again.rows_added, again.rows_present, again.rows_rejected) == (0, 4, 2)


def test_a_later_extract_that_corrects_a_date_adds_no_second_row(
    tmp_path: Path, partner_csv: Path, mapping: Any, import_file: Any, town: Any
) -> None:
    first = import_file(partner_csv, town.force, IncidentSource.CSV, mapping=mapping)
    corrected = tmp_path / "partner-extract-july.csv"
    with open(corrected, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerow(["R-1", *ROWS[0][1:2], "05/07/2024", *ROWS[0][3:]])

    again = import_file(corrected, town.force, IncidentSource.CSV, mapping=mapping)

    assert (again.rows_added, again.rows_present) == (0, 1)
    assert Incident.objects.filter(organisation=town.force, crime_id="R-1").count() == 1
    assert first.rows_added == 4


def test_a_file_without_a_mapped_column_is_refused(tmp_path: Path, mapping: Any, town: Any) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Ref,Offence,Committed\nR-1,Burglary,31/05/2024\n", encoding="utf-8")
    with open(path, "rb") as content, pytest.raises(ValidationError, match="no column"):
        services.import_create(
            actor=None,
            organisation=town.force,
            source=IncidentSource.CSV,
            mapping=mapping,
            uploads=[services.Upload("other.csv", content)],
            run=False,
        )


FOUR = {"category": "A", "date": "B", "latitude": "C", "longitude": "D"}


@pytest.mark.parametrize(
    ("columns", "date_format", "values", "field"),
    [
        ({"category": "Offence", "date": "When", "latitude": "Lat"}, "", {}, "longitude"),
        ({"category": "A", "date": "B", "latitude": "C", "longitude": "C"}, "", {}, "__all__"),
        (FOUR, "%Q", {}, "date_format"),
        (FOUR, "", {"X": "Not A Slug"}, "category_values"),
        ({**FOUR, "colour": "E"}, "", {}, "__all__"),
    ],
)  # fmt: skip
def test_a_mapping_that_cannot_read_a_file_is_not_saved(
    town: Any, columns: dict[str, str], date_format: str, values: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.mapping_save(
            actor=None,
            organisation=town.force,
            name="Broken",
            columns=columns,
            date_format=date_format,
            category_values=values,
        )

    assert field in refused.value.error_dict
    assert not town.force.columnmapping_set.exists()
