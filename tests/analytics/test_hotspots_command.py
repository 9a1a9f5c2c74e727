"""``manage.py hotspots``: hot spots from a police.uk street CSV, from a headerless
lat,lng,date CSV or from the database, as CSV or JSON on standard output or in a file; bad
input stops it with a message and writes nothing."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ourbeat.analytics.models import Incident

ESSEX = (
    settings.BASE_DIR.parent
    / "shared"
    / "data"
    / "policeuk"
    / "street"
    / "2018-03-essex-street.csv"
)
CLUSTER = (51.5005, -0.1203)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("hotspots", *args, stdout=out)
    return out.getvalue()


def test_a_police_uk_file_is_counted_cell_by_cell() -> None:
    with ESSEX.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Crime type"] == "Burglary"]
    located = [r for r in rows if r["Latitude"] and r["Longitude"]]
    expected = Counter(
        h3.latlng_to_cell(float(r["Latitude"]), float(r["Longitude"]), 7) for r in located
    )
    result = json.loads(
        run(
            str(ESSEX),
            "--category",
            "Burglary",
            "--resolution",
            "7",
            "--permutations",
            "0",
            "--json",
        )
    )
    assert result["selection"] == {
        "events": len(rows),
        "located": len(located),
        "unlocated": len(rows) - len(located),
    }
    counted = {row["cell"]: row["count"] for row in result["cells"] if row["count"]}
    assert counted == dict(expected)
    assert all(row["p"] == row["p_norm"] for row in result["cells"])
    assert result["kde"] is None


def _planted_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(4)
    lines = []
    for _ in range(60):
        lat, lng = CLUSTER[0] + rng.normal(0, 0.0012), CLUSTER[1] + rng.normal(0, 0.0018)
        lines.append(f"{lat:.6f},{lng:.6f},2024-03-{rng.integers(1, 29):02d}")
    for _ in range(60):
        lat, lng = rng.uniform(51.49, 51.51), rng.uniform(-0.135, -0.105)
        lines.append(f"{lat:.6f},{lng:.6f},2024-03-{rng.integers(1, 29):02d}T21:30")
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_headerless_file_finds_its_planted_cluster(tmp_path: Path) -> None:
    output = tmp_path / "hot.csv"
    printed = run(str(_planted_file(tmp_path)), "--seed", "3", "--output", str(output))
    assert printed == ""
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert list(rows[0]) == ["cell", "lat", "lng", "count", "z", "p", "p_norm", "bin", "confidence"]
    cluster = next(r for r in rows if r["cell"] == h3.latlng_to_cell(*CLUSTER, 9))
    assert int(cluster["bin"]) >= 2
    assert int(cluster["confidence"]) >= 95
    assert sum(int(r["count"]) for r in rows) == 120


@pytest.mark.django_db
def test_the_database_is_read_by_organisation_area_category_and_period(town: Any) -> None:
    area = town.home
    start, end = date.today() - timedelta(days=200), date.today()
    expected = Incident.objects.filter(
        organisation=town.force,
        area=area,
        category="burglary",
        occurred_on__range=(start, end),
    ).count()
    assert expected > 0
    result = json.loads(
        run(
            "--organisation",
            town.force.slug,
            "--area",
            area.slug,
            "--category",
            "burglary",
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--permutations",
            "99",
            "--density",
            "--json",
        )
    )
    assert result["selection"]["events"] == expected
    assert result["universe"]["events_counted"] == expected
    assert result["kde"]["unit"] == "per_square_km"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give a CSV file"),
        (("x.csv", "--organisation", "millbrook"), "not both"),
        (("/nonexistent/file.csv",), "not a readable file"),
        ((str(ESSEX), "--start", "2018-02-30"), "--start is not a date"),
        ((str(ESSEX), "--start", "2018-03-10", "--end", "2018-03-01"), "--end is before --start"),
        ((str(ESSEX), "--resolution", "4"), "--resolution must be from 5 to 10"),
        ((str(ESSEX), "--permutations", "100000"), "--permutations must be from 0 to 99999"),
        ((str(ESSEX), "--area", "old-town"), "use --organisation"),
    ],
)
def test_bad_options_stop_with_a_message(args: tuple[str, ...], message: str) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("hotspots", *args, stdout=out)
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_an_unknown_organisation_or_area_is_named(town: Any) -> None:
    with pytest.raises(CommandError, match="No organisation has the identifier nowhere"):
        run("--organisation", "nowhere")
    with pytest.raises(CommandError, match="has no area atlantis"):
        run("--organisation", town.force.slug, "--area", "atlantis")


def test_a_bad_row_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("51.5,-0.12,2024-03-01\n51.5,west,2024-03-02\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="row 2: longitude is not a number"):
        run(str(path), "--output", str(output))
    assert not output.exists()
    path.write_text("Name,Place\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"neither a police\.uk street CSV"):
        run(str(path))
