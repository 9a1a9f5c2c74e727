"""The emerging hot spot analysis over the database: a monthly cube over the query's months,
and a cluster that appears only in the last month is a new hot spot while one present in
every month is hot in (nearly) every month."""

from __future__ import annotations

from datetime import date, timedelta

import h3
import numpy as np
import pytest

from ourbeat.analytics.analyses import emerging_analysis
from ourbeat.analytics.events import EventQuery
from tests.analytics.test_analysis_hotspots import (
    EAST,
    NORTH,
    SOUTH,
    WEST,
    organisation_with_area,
    plant,
)

pytestmark = pytest.mark.django_db

NEW = (52.0050, -1.0100)
STEADY = (51.9940, -0.9880)


def test_a_cluster_of_the_last_month_only_is_new_and_a_steady_one_is_hot_every_month() -> None:
    organisation, _area = organisation_with_area()
    rng = np.random.default_rng(11)
    lats: list[float | None] = []
    lngs: list[float | None] = []
    days: list[date] = []
    for month in range(1, 13):
        first = date(2024, month, 1)
        n = 15
        lats += rng.uniform(SOUTH, NORTH, n).tolist()
        lngs += rng.uniform(WEST, EAST, n).tolist()
        days += [first + timedelta(days=int(d)) for d in rng.integers(0, 28, n)]
        lats += (STEADY[0] + rng.normal(0, 0.0010, 8)).tolist()
        lngs += (STEADY[1] + rng.normal(0, 0.0015, 8)).tolist()
        days += [first + timedelta(days=int(d)) for d in rng.integers(0, 28, 8)]
    lats += (NEW[0] + rng.normal(0, 0.0010, 30)).tolist()
    lngs += (NEW[1] + rng.normal(0, 0.0015, 30)).tolist()
    days += [date(2024, 12, 1) + timedelta(days=int(d)) for d in rng.integers(0, 28, 30)]
    plant(organisation, lats, lngs, days)

    query = EventQuery(
        organisation_id=organisation.pk,
        categories=("burglary",),
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
    )
    result = emerging_analysis(query, {"resolution": 9, "rings": 1, "time_steps": 1})
    assert result["months"] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert sum(result["monthly_events"]) == len(lats)
    assert result["monthly_events"][-1] == 15 + 8 + 30
    cells = {row["cell"]: row for row in result["cells"]}
    assert cells[h3.latlng_to_cell(*NEW, 9)]["category"] == "new_hot"
    steady = cells[h3.latlng_to_cell(*STEADY, 9)]
    assert steady["category"].endswith("_hot")
    assert steady["hot_months"] >= 10
    assert sum(result["summary"].values()) == result["universe"]["cells"]
