"""The near-repeat analysis over the database: burglaries projected to metres, the Knox
table in the calculator's layout with every pair counted once, a planted near-repeat
pattern found in the first band, alerts for the series of the last days, and a warning
when the dates are known only to the month."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from ourbeat.analytics.analyses import knox_analysis
from ourbeat.analytics.events import EventQuery, load_events, project
from ourbeat.analytics.models import Incident
from tests.analytics.test_analysis_hotspots import (
    EAST,
    NORTH,
    SOUTH,
    WEST,
    organisation_with_area,
    plant,
)

pytestmark = pytest.mark.django_db

START, END = date(2024, 1, 1), date(2024, 12, 31)
PARAMETERS = {
    "metric": "euclidean",
    "space_bandwidth": 100,
    "space_bands": 3,
    "time_bandwidth": 7,
    "time_bands": 3,
    "permutations": 99,
    "seed": 4,
}


def _series_events(rng: np.random.Generator) -> tuple[list[float], list[float], list[date]]:
    """300 burglaries scattered over the year, and 30 series of three: each follower within
    about 30 m and 4 days of its first burglary; the last series ends on the last day."""
    lats = rng.uniform(SOUTH, NORTH, 300).tolist()
    lngs = rng.uniform(WEST, EAST, 300).tolist()
    days = [START + timedelta(days=int(d)) for d in rng.integers(0, 366, 300)]
    for series in range(30):
        lat, lng = (
            rng.uniform(SOUTH + 0.002, NORTH - 0.002),
            rng.uniform(WEST + 0.003, EAST - 0.003),
        )
        first = (
            END - timedelta(days=4)
            if series == 0
            else START + timedelta(days=int(rng.integers(0, 350)))
        )
        for step in range(3):
            lats.append(lat + rng.uniform(-0.0002, 0.0002))
            lngs.append(lng + rng.uniform(-0.0003, 0.0003))
            days.append(first + timedelta(days=2 * step))
    return lats, lngs, days


def test_a_planted_near_repeat_pattern_is_found_with_alerts_for_the_last_series() -> None:
    organisation, _area = organisation_with_area()
    lats, lngs, days = _series_events(np.random.default_rng(8))
    plant(organisation, lats, lngs, days)
    query = EventQuery(
        organisation_id=organisation.pk, categories=("burglary",), start=START, end=END
    )
    result = knox_analysis(query, PARAMETERS)
    table = result["knox"]
    n = len(lats)
    assert table["events"] == n
    assert sum(map(sum, table["observed"])) == n * (n - 1) // 2
    assert table["row_labels"] == [
        "Same location",
        "1 to 100",
        "101 to 200",
        "201 to 300",
        "More than 300",
    ]
    assert len(table["observed"][0]) == 4

    # The close pairs counted independently, by brute force over all pairs.
    x, y = project(np.array(lats), np.array(lngs))
    day_numbers = np.array([(d - date(1970, 1, 1)).days for d in days])
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    apart = np.abs(day_numbers[:, None] - day_numbers[None, :])
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    close = upper & (distance > 0) & (distance < 100) & (apart < 7)
    assert table["observed"][1][0] == int(close.sum())

    assert table["ratio"][1][0] > 2
    assert table["p"][1][0] <= 0.05
    assert result["window"] is not None
    alert_days = {alert["day"] for alert in result["alerts"]}
    assert (END - timedelta(days=4)).isoformat() in alert_days
    assert result["today"] == END.isoformat()
    assert result["warnings"] == []


def test_dates_known_only_to_the_month_are_flagged() -> None:
    organisation, _area = organisation_with_area()
    lats, lngs, days = _series_events(np.random.default_rng(9))
    plant(organisation, lats, lngs, days)
    Incident.objects.filter(organisation=organisation).update(date_precision="month")
    query = EventQuery(
        organisation_id=organisation.pk, categories=("burglary",), start=START, end=END
    )
    assert len(load_events(query)) == len(lats)
    result = knox_analysis(query, PARAMETERS)
    assert result["warnings"] == ["month_precision"]
