"""The Knox test runs on 50,000 events in bounded memory.

The events are the 45,319 Chicago burglaries of 2014–2017 (../shared/data/nearrepeat/; the
file's dates are day/month/year, whatever its README says) and 4,681 more drawn from them
and moved by up to 500 m and 30 days. The margins of the observed table are checked against
independent counts: the pairs within each distance from the KD-tree's own pair counter
(``count_neighbors``), the pairs at each time gap from the day counts' autocorrelation.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ourbeat.analytics.stats.knox import knox

BURGLARIES = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "nearrepeat"
    / "chicago_burglary_2014_2017.csv"
)
EVENTS = 50_000
# Memory that numpy allocates during the test, at its peak (tracemalloc sees numpy's
# buffers); the pair list of 50,000 events in 300 m bands is about a million pairs.
MEMORY_LIMIT = 400 * 1024 * 1024


def fifty_thousand_events() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = pd.read_csv(BURGLARIES)
    days = pd.to_datetime(frame["date_single"], format="%d/%m/%Y").to_numpy()
    days = days.astype("datetime64[D]").astype(np.int64)
    rng = np.random.default_rng(50_000)
    extra = rng.choice(len(frame), EVENTS - len(frame))
    x = frame["x"].to_numpy()
    y = frame["y"].to_numpy()
    return (
        np.concatenate([x, x[extra] + rng.uniform(-500, 500, extra.size)]),
        np.concatenate([y, y[extra] + rng.uniform(-500, 500, extra.size)]),
        np.concatenate([days, days[extra] + rng.integers(-30, 31, extra.size)]),
    )


def test_fifty_thousand_events_run_in_bounded_memory_with_the_right_margins() -> None:
    x, y, days = fifty_thousand_events()
    tracemalloc.start()
    try:
        result = knox(
            x,
            y,
            days,
            space_bandwidth=100,
            space_bands=3,
            time_bandwidth=7,
            time_bands=3,
            permutations=9,
            seed=2014,
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"{peak / 2**20:.0f} MiB"
    assert result.events == EVENTS
    assert result.observed.sum() == EVENTS * (EVENTS - 1) // 2

    points = np.column_stack([x, y]).astype(np.float32).astype(np.float64)
    tree = cKDTree(points)

    def pairs_closer_than(distance: float) -> int:
        # count_neighbors counts ordered pairs with d ≤ r, each point with itself too.
        radius = np.nextafter(distance, 0) if distance > 0 else 0.0
        return int((tree.count_neighbors(tree, radius, p=1) - EVENTS) // 2)

    within = [pairs_closer_than(0.0)] + [pairs_closer_than(edge) for edge in (100, 200, 300)]
    rows = result.observed.sum(axis=1)
    assert rows[0] == within[0]
    np.testing.assert_array_equal(rows[1:4], np.diff(within))

    offset = days - days.min()
    per_day = np.bincount(offset).astype(np.int64)
    lagged = np.correlate(per_day, per_day, mode="full")[per_day.size - 1 :]
    lagged[0] = int((per_day * (per_day - 1) // 2).sum())
    columns = result.observed.sum(axis=0)
    np.testing.assert_array_equal(
        columns[:3], [lagged[0:7].sum(), lagged[7:14].sum(), lagged[14:21].sum()]
    )
    assert result.simulated.shape == (9, 5, 4)
    assert (result.simulated.sum(axis=1) == columns).all()
