"""Emerging hot spot analysis: the cube, the space-time Gi* against esda, and each of the
published categories, hot and cold, on series built to fall in it and on planted cubes."""

from __future__ import annotations

import warnings
from collections import Counter

import esda
import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from libpysal.weights import WSP
from statsmodels.stats.multitest import multipletests

from ourbeat.analytics.stats.emerging import (
    CATEGORY_CODES,
    classify_emerging,
    emerging_hot_spots,
    space_time_cube,
    space_time_gi_star,
    space_time_weights,
)
from ourbeat.analytics.stats.hotspots import gi_star_z
from ourbeat.analytics.stats.trend import mann_kendall

STEPS = 10
SIGNIFICANT = 0.01
NOT_SIGNIFICANT = 0.6


def queen_lattice(side: int) -> sp.csr_array:
    """Binary queen contiguity of a side×side grid of cells, each cell its own neighbour."""
    row, col = np.divmod(np.arange(side * side), side)
    near = (np.abs(row[:, None] - row[None, :]) <= 1) & (np.abs(col[:, None] - col[None, :]) <= 1)
    return sp.csr_array(near.astype(np.float64))


def esda_gi_star_z(values: npt.NDArray[np.float64], weights: sp.csr_array) -> npt.NDArray:
    """esda's Gi* z-scores (binary weights, star) for any sparse weights with a diagonal."""
    without_self = sp.csr_matrix(weights, copy=True)
    without_self.setdiag(0)
    without_self.eliminate_zeros()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # disconnected components at the cube's edges
        w = WSP(without_self).to_W(silence_warnings=True)
        gi = esda.G_Local(values, w, transform="B", star=True, permutations=0)
    return np.asarray(gi.Zs)


# --- the cube ----------------------------------------------------------------------------


def test_the_cube_counts_the_events_of_every_cell_and_step() -> None:
    rng = np.random.default_rng(1)
    cells = rng.integers(0, 7, size=500)
    steps = rng.integers(0, 5, size=500)
    cube = space_time_cube(cells, steps, n_cells=8, n_steps=5)
    expected = Counter(zip(cells.tolist(), steps.tolist(), strict=True))
    assert cube.shape == (8, 5)
    for cell in range(8):
        for step in range(5):
            assert cube[cell, step] == expected.get((cell, step), 0)
    assert cube[7].sum() == 0  # a cell of the study area without events is still there


def test_a_cube_without_events_is_all_zeros() -> None:
    cube = space_time_cube(np.array([], dtype=int), np.array([], dtype=int), 3, 4)
    assert cube.shape == (3, 4)
    assert cube.sum() == 0


@pytest.mark.parametrize(
    ("cells", "steps", "n_cells", "n_steps", "message"),
    [
        ([0, 5], [0, 1], 5, 3, "cell_index"),
        ([0, -1], [0, 1], 5, 3, "cell_index"),
        ([0, 1], [0, 3], 5, 3, "time_index"),
        ([0, 1, 2], [0, 1], 5, 3, "events"),
        ([0.5, 1.0], [0, 1], 5, 3, "integers"),
        ([[0, 1]], [[0, 1]], 5, 3, "one-dimensional"),
        ([0], [0], 0, 3, "cells and time steps"),
        ([0], [0], 100_000, 1_000, "limit"),
    ],
)
def test_bad_events_or_cube_sizes_are_refused(
    cells: list, steps: list, n_cells: int, n_steps: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        space_time_cube(cells, steps, n_cells, n_steps)


# --- the space-time neighbourhood and Gi* ----------------------------------------------


@pytest.mark.parametrize("time_window", [1, 2, 3])
def test_a_bins_neighbours_are_its_spatial_neighbours_now_and_in_the_window_before(
    time_window: int,
) -> None:
    spatial = queen_lattice(3)
    n_cells, n_steps = 9, 5
    weights = space_time_weights(spatial, n_steps, time_window=time_window).toarray()
    dense = spatial.toarray()
    for step in range(n_steps):
        for cell in range(n_cells):
            for other_step in range(n_steps):
                for other in range(n_cells):
                    in_window = step - time_window < other_step <= step
                    expected = dense[cell, other] if in_window else 0.0
                    assert weights[step * n_cells + cell, other_step * n_cells + other] == expected


@pytest.mark.parametrize("time_window", [1, 2, 3])
def test_space_time_gi_star_over_the_entire_cube_equals_esda(time_window: int) -> None:
    spatial = queen_lattice(5)
    counts = np.random.default_rng(time_window).poisson(3.0, size=(25, 6)).astype(np.float64)
    z, p = space_time_gi_star(counts, spatial, time_window=time_window)
    reference = esda_gi_star_z(
        counts.T.ravel(), space_time_weights(spatial, 6, time_window=time_window)
    )
    np.testing.assert_allclose(z, reference.reshape(6, 25).T, rtol=0, atol=1e-9)
    from scipy.stats import norm

    np.testing.assert_allclose(p, 2 * (1 - norm.cdf(np.abs(reference.reshape(6, 25).T))))


@pytest.mark.parametrize("time_window", [1, 2, 4, 30])
def test_space_time_gi_star_is_gi_star_of_the_flattened_cube_with_space_time_weights(
    time_window: int,
) -> None:
    spatial = sp.csr_array(queen_lattice(6) * np.random.default_rng(9).uniform(0.5, 2, (36, 36)))
    counts = np.random.default_rng(10).poisson(1.5, size=(36, 12)).astype(np.float64)
    z, _ = space_time_gi_star(counts, spatial, time_window=time_window)
    flat = gi_star_z(counts.T.ravel(), space_time_weights(spatial, 12, time_window=time_window))
    np.testing.assert_allclose(z, flat.reshape(12, 36).T, rtol=1e-12, atol=1e-12)


def test_a_cube_of_equal_counts_has_no_hot_or_cold_spots() -> None:
    found = emerging_hot_spots(np.full((16, 6), 3), queen_lattice(4))
    assert (found.gi_z == 0).all()
    assert (found.categories == "none").all()


def test_individual_time_step_global_window_compares_each_step_with_itself() -> None:
    spatial = queen_lattice(4)
    counts = np.random.default_rng(5).poisson(2.0, size=(16, 4)).astype(np.float64)
    counts[:, 3] *= 10  # a busy final month would swamp the others in a cube-wide mean
    z, _ = space_time_gi_star(counts, spatial, time_window=1, global_window="individual_time_step")
    for step in range(4):
        np.testing.assert_allclose(z[:, step], esda_gi_star_z(counts[:, step], spatial), atol=1e-9)
    whole_cube, _ = space_time_gi_star(counts, spatial, time_window=1)
    assert not np.allclose(whole_cube, z)


def test_bad_weights_and_windows_are_refused() -> None:
    counts = np.ones((4, 5))
    lattice = queen_lattice(2)
    no_diagonal = sp.csr_array(lattice - sp.eye_array(4))
    with pytest.raises(ValueError, match="diagonal"):
        space_time_gi_star(counts, no_diagonal)
    with pytest.raises(ValueError, match="expected"):
        space_time_gi_star(counts, queen_lattice(3))
    with pytest.raises(ValueError, match=r"scipy\.sparse"):
        space_time_gi_star(counts, lattice.toarray())
    with pytest.raises(ValueError, match="non-negative"):
        space_time_gi_star(counts, sp.csr_array(lattice * -1.0))
    with pytest.raises(ValueError, match="time_window"):
        space_time_gi_star(counts, lattice, time_window=0)
    with pytest.raises(ValueError, match="time_window=1"):
        space_time_gi_star(counts, lattice, time_window=2, global_window="individual_time_step")
    with pytest.raises(ValueError, match="global_window"):
        space_time_gi_star(counts, lattice, global_window="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        space_time_gi_star(np.full((4, 5), np.nan), lattice)
    with pytest.raises(ValueError, match="numbers"):
        space_time_gi_star([["a"] * 5] * 4, lattice)
    with pytest.raises(ValueError, match="3 time steps"):
        emerging_hot_spots(np.ones((4, 2)), lattice)


# --- the categories on hand-built series ---------------------------------------------------

HOT, COLD, QUIET = 3.0, -3.0, 0.2


def series(*bins: tuple[float, float]) -> tuple[list[float], list[float]]:
    return [z for z, _ in bins], [p for _, p in bins]


def hot(z: float = HOT) -> tuple[float, float]:
    return (z, SIGNIFICANT)


def cold(z: float = COLD) -> tuple[float, float]:
    return (z, SIGNIFICANT)


def quiet(z: float = QUIET) -> tuple[float, float]:
    return (z, NOT_SIGNIFICANT)


# Each hot series, built from the published definition; its mirror (z → −z) is the cold one.
BUILT_HOT_SERIES = {
    # hot in the final step only
    "new": series(*[quiet()] * 9, hot()),
    # the final run of three hot bins, nothing hot before
    "consecutive": series(*[quiet()] * 7, hot(), hot(), hot()),
    # hot in every step, rising z-scores
    "intensifying": series(*[hot(2.0 + 0.5 * step) for step in range(STEPS)]),
    # hot in every step, the same z-score throughout (S = 0)
    "persistent": series(*[hot()] * STEPS),
    # hot in every step, falling z-scores
    "diminishing": series(*[hot(8.0 - 0.5 * step) for step in range(STEPS)]),
    # hot on and off, hot in the final step, never cold
    "sporadic": series(
        quiet(), hot(), quiet(), quiet(), hot(), hot(), quiet(), quiet(), quiet(), hot()
    ),
    # hot in the final step, cold before
    "oscillating": series(
        quiet(), cold(), quiet(), quiet(), hot(), quiet(), quiet(), quiet(), hot(), hot()
    ),
    # hot in nine steps of ten, not in the final one
    "historical": series(*[hot()] * 9, quiet()),
}


def classify_one(z: list[float], p: list[float]) -> str:
    return str(classify_emerging(np.array([z]), np.array([p]), alpha=0.10)[0])


@pytest.mark.parametrize("pattern", list(BUILT_HOT_SERIES))
def test_a_series_built_for_a_hot_pattern_falls_in_it(pattern: str) -> None:
    z, p = BUILT_HOT_SERIES[pattern]
    assert classify_one(z, p) == f"{pattern}_hot"


@pytest.mark.parametrize("pattern", list(BUILT_HOT_SERIES))
def test_the_mirrored_series_falls_in_the_cold_pattern(pattern: str) -> None:
    z, p = BUILT_HOT_SERIES[pattern]
    assert classify_one([-value for value in z], p) == f"{pattern}_cold"


def test_all_patterns_are_classified_at_once_row_by_row() -> None:
    names = list(BUILT_HOT_SERIES)
    z = np.array([BUILT_HOT_SERIES[name][0] for name in names])
    p = np.array([BUILT_HOT_SERIES[name][1] for name in names])
    categories = classify_emerging(np.vstack([z, -z]), np.vstack([p, p]))
    assert categories.tolist() == [f"{n}_hot" for n in names] + [f"{n}_cold" for n in names]
    assert set(categories) | {"none"} == set(CATEGORY_CODES)


@pytest.mark.parametrize(
    ("description", "built"),
    [
        ("nothing significant", series(*[quiet()] * STEPS)),
        (
            "hot in the past, not now, too rarely for historical",
            series(hot(), hot(), *[quiet()] * 8),
        ),
        ("significant only as a trend", series(*[quiet(0.1 * step) for step in range(STEPS)])),
    ],
)
def test_a_series_in_no_pattern_is_none(description: str, built: tuple) -> None:
    assert classify_one(*built) == "none", description


def test_ninety_percent_of_the_steps_is_enough_for_the_long_lived_patterns() -> None:
    # 9 of 10 hot, the first quiet: a final run of 9 bins is 90 %, so not "consecutive"
    assert classify_one(*series(quiet(), *[hot()] * 9)) == "persistent_hot"
    # 8 of 10, the final run: fewer than 90 %, so "consecutive"
    assert classify_one(*series(quiet(), quiet(), *[hot()] * 8)) == "consecutive_hot"
    # 8 of 10 hot and the final step quiet: too few for "historical"
    assert classify_one(*series(quiet(), *[hot()] * 8, quiet())) == "none"


def test_a_hot_bin_needs_both_significance_and_a_positive_z() -> None:
    # significant p with a negative z is cold, not hot; a big z with a large p is not hot
    assert classify_one(*series(*[quiet()] * 9, (5.0, NOT_SIGNIFICANT))) == "none"
    assert classify_one(*series(*[quiet()] * 9, (-2.0, SIGNIFICANT))) == "new_cold"
    # p must be strictly below alpha (0.10)
    assert classify_one(*series(*[quiet()] * 9, (1.7, 0.10))) == "none"


def test_where_definitions_overlap_the_earlier_pattern_wins() -> None:
    # cold once, then hot only in the final step: new before oscillating
    assert classify_one(*series(quiet(), cold(), *[quiet()] * 7, hot())) == "new_hot"
    # cold once, then a final hot run: consecutive before oscillating
    assert classify_one(*series(cold(), *[quiet()] * 6, hot(), hot(), hot())) == "consecutive_hot"


def test_the_trend_decides_among_long_lived_patterns_as_mann_kendall_does() -> None:
    z = np.array([[2.0 + 0.5 * step for step in range(STEPS)]])
    p = np.full_like(z, SIGNIFICANT)
    no_trend = mann_kendall(np.zeros((1, STEPS)))
    assert classify_emerging(z, p, trend=no_trend)[0] == "persistent_hot"
    assert classify_emerging(z, p)[0] == "intensifying_hot"


def test_bad_series_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        classify_emerging(np.zeros((2, 5)), np.zeros((2, 6)))
    with pytest.raises(ValueError, match="shape"):
        classify_emerging(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        classify_emerging(np.full((1, 5), np.nan), np.ones((1, 5)))
    with pytest.raises(ValueError, match="at least 3"):
        classify_emerging(np.zeros((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="alpha"):
        classify_emerging(np.zeros((1, 5)), np.ones((1, 5)), alpha=1.5)
    with pytest.raises(ValueError, match="one Mann-Kendall result per cell"):
        classify_emerging(np.zeros((2, 5)), np.ones((2, 5)), trend=mann_kendall(np.zeros((3, 5))))


# --- the categories end to end on planted cubes --------------------------------------------

SIDE = 9
CUBE_STEPS = 20
BACKGROUND, HIGH = 4, 16
TIME = np.arange(CUBE_STEPS)

# The counts of a 3×3 block of cells in the middle of a grid whose other cells all count
# BACKGROUND events every month. Each is planted to make the block's centre one pattern.
PLANTED_BLOCK_COUNTS = {
    "new": np.where(TIME == CUBE_STEPS - 1, HIGH, BACKGROUND),
    "consecutive": np.where(TIME >= CUBE_STEPS - 4, HIGH, BACKGROUND),
    "intensifying": 20 + TIME,
    "persistent": np.full(CUBE_STEPS, HIGH),
    "diminishing": 40 - TIME,
    "sporadic": np.where(np.isin(TIME, [3, 9, 14, CUBE_STEPS - 1]), HIGH, BACKGROUND),
    "oscillating": np.where(
        np.isin(TIME, [8, CUBE_STEPS - 1]), HIGH, np.where(TIME == 4, 0, BACKGROUND)
    ),
    "historical": np.where(TIME < CUBE_STEPS - 2, HIGH, BACKGROUND),
}


def planted_events(pattern: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One (cell, month) pair per event of a cube with the pattern planted in its middle."""
    counts = np.full((SIDE * SIDE, CUBE_STEPS), BACKGROUND)
    middle = SIDE // 2
    block = [(middle + dr) * SIDE + middle + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    counts[block] = PLANTED_BLOCK_COUNTS[pattern]
    bins = np.repeat(np.arange(counts.size), counts.ravel())
    cells, months = np.divmod(bins, CUBE_STEPS)
    order = np.random.default_rng(0).permutation(bins.size)  # events arrive in any order
    return cells[order], months[order]


CENTRE = (SIDE // 2) * SIDE + SIDE // 2


@pytest.mark.parametrize("time_window", [1, 2])
@pytest.mark.parametrize("pattern", list(PLANTED_BLOCK_COUNTS))
def test_a_pattern_planted_in_the_events_is_found_hot_and_mirrored_cold(
    pattern: str, time_window: int
) -> None:
    cells, months = planted_events(pattern)
    counts = space_time_cube(cells, months, SIDE * SIDE, CUBE_STEPS)
    weights = queen_lattice(SIDE)
    found = emerging_hot_spots(counts, weights, time_window=time_window)
    assert found.categories[CENTRE] == f"{pattern}_hot"
    # Far from the block nothing was planted.
    assert found.categories[0] == "none"
    # Gi* changes sign, not size, when every count c becomes max − c: the mirror image
    # of the planted pattern is the same pattern of cold spots.
    mirrored = emerging_hot_spots(counts.max() - counts, weights, time_window=time_window)
    assert mirrored.categories[CENTRE] == f"{pattern}_cold"


def test_the_result_holds_the_bins_the_trend_and_the_settings() -> None:
    cells, months = planted_events("intensifying")
    counts = space_time_cube(cells, months, SIDE * SIDE, CUBE_STEPS)
    found = emerging_hot_spots(counts, queen_lattice(SIDE), time_window=1)
    assert found.gi_z.shape == found.gi_p.shape == found.significant.shape == counts.shape
    assert found.significant[CENTRE].all()
    assert found.trend.trend[CENTRE] == 1
    assert (found.alpha, found.time_window, found.fdr) == (0.10, 1, False)


def test_the_fdr_option_judges_bins_by_benjamini_hochberg_over_the_cube() -> None:
    counts = np.random.default_rng(11).poisson(3.0, size=(49, 12))
    counts[24, 6:] += 6
    found = emerging_hot_spots(counts, queen_lattice(7), fdr=True)
    rejected, *_ = multipletests(found.gi_p.ravel(), alpha=0.10, method="fdr_bh")
    np.testing.assert_array_equal(found.significant.ravel(), rejected)
    raw = emerging_hot_spots(counts, queen_lattice(7))
    assert found.significant.sum() <= raw.significant.sum()
    np.testing.assert_array_equal(found.gi_z, raw.gi_z)
