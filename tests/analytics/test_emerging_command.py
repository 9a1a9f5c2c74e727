"""``manage.py emerging_hotspots``: emerging hot spots by month from a CSV file or the
database, as CSV or JSON; a cluster that appears in the last month only is new; fewer than
three months stop it with a message."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ourbeat.analytics.stats.emerging import CATEGORY_CODES

NEW = (51.5005, -0.1203)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("emerging_hotspots", *args, stdout=out)
    return out.getvalue()


def _file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(6)
    lines = []
    for month in range(1, 13):
        for _ in range(20):
            lat, lng = rng.uniform(51.49, 51.51), rng.uniform(-0.135, -0.105)
            lines.append(f"{lat:.6f},{lng:.6f},2024-{month:02d}-{rng.integers(1, 29):02d}")
    for _ in range(30):
        lat, lng = NEW[0] + rng.normal(0, 0.0010), NEW[1] + rng.normal(0, 0.0015)
        lines.append(f"{lat:.6f},{lng:.6f},2024-12-{rng.integers(1, 29):02d}")
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_cluster_of_the_last_month_is_new(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(str(_file(tmp_path))))))
    assert list(rows[0]) == [
        "cell",
        "lat",
        "lng",
        "category",
        "count",
        "hot_months",
        "trend",
        "trend_z",
        "trend_p",
        "tau",
        "last_z",
    ]
    assert {row["category"] for row in rows} <= set(CATEGORY_CODES) - {"none"}
    new = next(row for row in rows if row["cell"] == h3.latlng_to_cell(*NEW, 9))
    assert new["category"] == "new_hot"


def test_the_months_follow_start_and_end(tmp_path: Path) -> None:
    result = json.loads(
        run(str(_file(tmp_path)), "--start", "2024-03-01", "--end", "2024-08-31", "--json")
    )
    assert result["months"] == ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    assert sum(result["monthly_events"]) == 6 * 20


@pytest.mark.django_db
def test_the_database_is_read_by_organisation(town: Any, tmp_path: Path) -> None:
    output = tmp_path / "emerging.json"
    run(
        "--organisation",
        town.force.slug,
        "--category",
        "vehicle-crime",
        "--json",
        "--output",
        str(output),
    )
    result = json.loads(output.read_text(encoding="utf-8"))
    assert len(result["months"]) >= 12
    assert any(row["category"].endswith("_hot") for row in result["cells"])


def test_fewer_than_three_months_stop_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="at least three months"):
        run(str(_file(tmp_path)), "--start", "2024-11-01")
    with pytest.raises(CommandError, match="--time-steps must be from 0 to 12"):
        run(str(_file(tmp_path)), "--time-steps", "13")
