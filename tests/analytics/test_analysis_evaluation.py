"""Hot spot evaluation over the database: the Gi* hot spots of one period judged against
the next, with the hit rate, PAI and RRI counted again here from the planted events and
the hot cells the analysis reports."""

from __future__ import annotations

from datetime import date, timedelta

import h3
import numpy as np
import pytest

from ourbeat.analytics.analyses import evaluation_analysis
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

CLUSTER = (52.0003, -1.0004)
BEFORE = (date(2024, 1, 1), date(2024, 6, 30))
AFTER = (date(2024, 7, 1), date(2024, 12, 31))


def _period(
    rng: np.random.Generator, period: tuple[date, date], clustered: int, scattered: int
) -> tuple[list[float], list[float], list[date]]:
    lats = (CLUSTER[0] + rng.normal(0, 0.0012, clustered)).tolist()
    lngs = (CLUSTER[1] + rng.normal(0, 0.0018, clustered)).tolist()
    lats += rng.uniform(SOUTH, NORTH, scattered).tolist()
    lngs += rng.uniform(WEST, EAST, scattered).tolist()
    span = (period[1] - period[0]).days
    days = [period[0] + timedelta(days=int(d)) for d in rng.integers(0, span + 1, len(lats))]
    return lats, lngs, days


def test_pai_rri_and_hit_rate_follow_from_the_hot_cells_and_the_events() -> None:
    organisation, _area = organisation_with_area()
    rng = np.random.default_rng(21)
    before = _period(rng, BEFORE, 50, 50)
    after = _period(rng, AFTER, 25, 60)
    plant(organisation, *before)
    plant(organisation, *after)
    query = EventQuery(
        organisation_id=organisation.pk, categories=("burglary",), start=BEFORE[0], end=BEFORE[1]
    )
    result = evaluation_analysis(
        query,
        {
            "resolution": 9,
            "rings": 1,
            "permutations": 9999,
            "seed": 2,
            "confidence": 95,
            "test_start": AFTER[0].isoformat(),
            "test_end": AFTER[1].isoformat(),
        },
    )
    hot = {row["cell"] for row in result["cells"]}
    assert h3.latlng_to_cell(*CLUSTER, 9) in hot
    assert all(row["bin"] >= 2 for row in result["cells"])

    def in_hot(lats: list[float], lngs: list[float]) -> int:
        return sum(h3.latlng_to_cell(a, b, 9) in hot for a, b in zip(lats, lngs, strict=True))

    n_before, n_after = in_hot(before[0], before[1]), in_hot(after[0], after[1])
    assert result["events_before"] == 100
    assert result["events_after"] == 85
    assert result["events_in_hot_spots_before"] == n_before
    assert result["events_in_hot_spots_after"] == n_after
    share = len(hot) / result["universe"]["cells"]
    assert result["area_share"] == pytest.approx(share)
    assert result["hit_rate"] == pytest.approx(n_after / 85)
    assert result["pai"] == pytest.approx((n_after / 85) / share)
    assert result["rri"] == pytest.approx((n_after / n_before) / (85 / 100))
    assert result["pai"] > 1
