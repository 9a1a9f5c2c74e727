"""The permutations move dates over fixed places, as the calculator's Monte Carlo does.

So in every permuted table the row totals (how many pairs are at each distance) and the
column totals (how many pairs are at each time gap: the multiset of dates is unchanged) equal
the observed ones; and, since each pair then gets a random pair of the dates, the expected
count of a cell is exactly (row total × column total) / all pairs, which the mean over many
permutations must approach.
"""

from __future__ import annotations

import numpy as np

from ourbeat.analytics.stats.knox import KnoxResult, knox


def clustered_events(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1,500 events: a scatter over 5 km and 120 days, plus series that repeat near a first
    event within days."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5_000, 1_200)
    y = rng.uniform(0, 5_000, 1_200)
    days = rng.integers(0, 120, 1_200)
    first = rng.choice(1_200, 100, replace=False)
    near = np.repeat(first, 3)
    return (
        np.concatenate([x, x[near] + rng.uniform(-40, 40, near.size)]),
        np.concatenate([y, y[near] + rng.uniform(-40, 40, near.size)]),
        np.concatenate([days, days[near] + rng.integers(0, 5, near.size)]),
    )


def run(seed: int, *, permutations: int, permutation_seed: int | None = None) -> KnoxResult:
    x, y, days = clustered_events(seed)
    return knox(
        x,
        y,
        days,
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=permutations,
        seed=seed if permutation_seed is None else permutation_seed,
    )


def test_every_permutation_keeps_the_row_and_column_totals() -> None:
    result = run(11, permutations=60)
    assert result.simulated.shape == (60, 5, 4)
    rows = result.simulated.sum(axis=2)
    columns = result.simulated.sum(axis=1)
    assert (rows == result.observed.sum(axis=1)).all()
    assert (columns == result.observed.sum(axis=0)).all()
    # ...while the cells themselves do change from one permutation to the next.
    assert len({table.tobytes() for table in result.simulated}) > 50


def test_the_mean_of_the_permutations_approaches_the_exact_expectation() -> None:
    result = run(12, permutations=999)
    exact = np.outer(result.observed.sum(axis=1), result.observed.sum(axis=0)) / result.pairs
    standard_error = result.simulated.std(axis=0, ddof=1) / np.sqrt(result.permutations)
    assert (np.abs(result.expected - exact) <= 4.5 * standard_error + 1e-9).all()


def test_a_planted_series_is_beyond_every_permutation() -> None:
    result = run(13, permutations=199)
    # 300 repeats within 57 m and 4 days of a first event: "1 to 100" × "0 to 7" is far
    # above anything a permutation gives, so p is the smallest possible, 1/200.
    assert result.p[1, 0] == 1 / 200
    assert result.ratio[1, 0] > 3


def test_a_cell_that_observes_nothing_has_p_one() -> None:
    result = run(14, permutations=49)
    empty = result.observed == 0
    assert empty.any()
    assert (result.p[empty] == 1).all()


def test_the_same_seed_gives_the_same_permutations() -> None:
    first = run(15, permutations=30, permutation_seed=5)
    again = run(15, permutations=30, permutation_seed=5)
    other = run(15, permutations=30, permutation_seed=6)
    np.testing.assert_array_equal(first.simulated, again.simulated)
    assert not np.array_equal(first.simulated, other.simulated)
