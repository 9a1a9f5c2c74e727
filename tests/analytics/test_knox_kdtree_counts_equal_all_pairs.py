"""The observed table from the KD-tree's close pairs and the sorted dates equals a count of
all n(n − 1)/2 pairs by brute force (numpy broadcasting), for both metrics, with points on a
grid so that many distances and day gaps fall exactly on band edges, and duplicate points.

The brute force applies the documented conventions directly, band by band: single-precision
coordinates; row 0 for a distance of exactly 0; row k for (k − 1)·w ≤ d < k·w (d > 0);
the last row for d ≥ bands·w; column k for k·t ≤ |Δdays| < (k + 1)·t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from ourbeat.analytics.stats.knox import KnoxResult, Metric, knox


@dataclass(frozen=True)
class Bands:
    space_bandwidth: float
    space_bands: int
    time_bandwidth: int
    time_bands: int


def run_knox(
    x: np.ndarray, y: np.ndarray, days: np.ndarray, *, metric: Metric, bands: Bands
) -> KnoxResult:
    return knox(
        x,
        y,
        days,
        metric=metric,
        space_bandwidth=bands.space_bandwidth,
        space_bands=bands.space_bands,
        time_bandwidth=bands.time_bandwidth,
        time_bands=bands.time_bands,
        permutations=1,
        seed=1,
    )


def all_pairs_table(
    x: np.ndarray, y: np.ndarray, days: np.ndarray, *, metric: Metric, bands: Bands
) -> np.ndarray:
    space_bandwidth, space_bands = bands.space_bandwidth, bands.space_bands
    time_bandwidth, time_bands = bands.time_bandwidth, bands.time_bands
    xs = x.astype(np.float32).astype(np.float64)
    ys = y.astype(np.float32).astype(np.float64)
    first, second = np.triu_indices(xs.size, k=1)
    dx, dy = xs[first] - xs[second], ys[first] - ys[second]
    manhattan = np.abs(dx) + np.abs(dy)
    distance = manhattan if metric == "manhattan" else np.sqrt(dx * dx + dy * dy)
    gap = np.abs(days[first] - days[second])

    row_masks = [distance == 0]
    for band in range(space_bands):
        low, high = band * space_bandwidth, (band + 1) * space_bandwidth
        row_masks.append((distance > 0) & (distance >= low) & (distance < high))
    row_masks.append(distance >= space_bands * space_bandwidth)
    column_masks = [
        (gap >= band * time_bandwidth) & (gap < (band + 1) * time_bandwidth)
        for band in range(time_bands)
    ]
    column_masks.append(gap >= time_bands * time_bandwidth)
    return np.array([[int((r & c).sum()) for c in column_masks] for r in row_masks])


def grid_events(seed: int, metric: Metric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """600 events on a 20 m grid (Manhattan) or on multiples of (60, 80) and (0, 100) steps
    (Euclidean: 3-4-5 triangles put many distances exactly on 100 and 200), a fifth of
    them duplicated exactly, with dates in whole days over six weeks."""
    rng = np.random.default_rng(seed)
    count = 500
    if metric == "manhattan":
        x = rng.integers(0, 40, count) * 20.0
        y = rng.integers(0, 40, count) * 20.0
    else:
        steps_a, steps_b = rng.integers(0, 12, count), rng.integers(0, 12, count)
        x = steps_a * 60.0
        y = steps_a * 80.0 + steps_b * 100.0
    # A far-off origin: single precision rounds these as it rounds projected metres.
    x, y = x + 350_000.0, y + 580_000.0
    days = rng.integers(0, 42, count)
    again = rng.choice(count, 100, replace=False)
    return (
        np.concatenate([x, x[again]]),
        np.concatenate([y, y[again]]),
        np.concatenate([days, days[again]]).astype(np.int64),
    )


@pytest.mark.parametrize("metric", ["manhattan", "euclidean"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_close_pair_table_equals_an_all_pairs_count_on_band_edges(
    metric: Metric, seed: int
) -> None:
    x, y, days = grid_events(seed, metric)
    bands = Bands(space_bandwidth=100, space_bands=3, time_bandwidth=7, time_bands=3)
    expected = all_pairs_table(x, y, days, metric=metric, bands=bands)
    result = run_knox(x, y, days, metric=metric, bands=bands)
    np.testing.assert_array_equal(result.observed, expected)
    # The grid put pairs on the edges and the duplicates at the same location.
    assert expected[0].sum() >= 100


@pytest.mark.parametrize("metric", ["manhattan", "euclidean"])
def test_unrounded_coordinates_are_counted_as_the_calculator_rounds_them(metric: Metric) -> None:
    rng = np.random.default_rng(7)
    count = 800
    x = 350_000 + rng.uniform(0, 3_000, count)
    y = 580_000 + rng.uniform(0, 3_000, count)
    days = rng.integers(0, 90, count)
    bands = Bands(space_bandwidth=75.5, space_bands=4, time_bandwidth=5, time_bands=2)
    expected = all_pairs_table(x, y, days, metric=metric, bands=bands)
    result = run_knox(x, y, days, metric=metric, bands=bands)
    np.testing.assert_array_equal(result.observed, expected)
    assert result.observed.shape == (6, 3)


def test_every_pair_lands_in_exactly_one_cell() -> None:
    x, y, days = grid_events(4, "manhattan")
    result = knox(
        x, y, days, space_bandwidth=40, space_bands=5, time_bandwidth=3, time_bands=4, seed=4
    )
    assert result.observed.sum() == x.size * (x.size - 1) // 2
    assert (result.observed >= 0).all()
