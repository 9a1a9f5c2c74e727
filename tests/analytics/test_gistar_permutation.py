"""Conditional-permutation p-values of Gi*: the same null distribution as PySAL esda's, two-
sided, reproducible, valid under the null.

Monte Carlo tolerance. A p-value from P permutations estimates a tail probability π with
binomial standard error √(π (1 − π) / P). Two independent estimates of the same π differ
by at most 5 standard errors of their difference, √2 √(π (1 − π) / P), except with
probability 6e-7 per comparison; with the 98 cells compared here the chance of a false
failure is below 1e-4, and the seeds are fixed.
"""

from __future__ import annotations

import itertools
import math
import warnings

import geopandas
import h3.api.basic_int as h3_int
import libpysal
import numpy as np
import pytest
import scipy.sparse as sp
from esda.getisord import G_Local

from ourbeat.analytics.grid import ring_weights
from ourbeat.analytics.stats.hotspots import gi_star

MANY = 9_999
STANDARD_ERRORS = 5


@pytest.fixture(scope="module")
def columbus() -> geopandas.GeoDataFrame:
    return geopandas.read_file(libpysal.examples.get_path("columbus.shp"))


def with_self(w: libpysal.weights.W) -> sp.csr_array:
    matrix = sp.csr_array(w.sparse, dtype=np.float64, copy=True)
    return sp.csr_array(matrix + sp.eye_array(w.n, format="csr"))


@pytest.mark.parametrize(
    "contiguity",
    [
        lambda frame: libpysal.weights.Queen.from_dataframe(frame, use_index=False),
        lambda frame: libpysal.weights.DistanceBand.from_dataframe(
            frame, threshold=0.8, binary=True, silence_warnings=True
        ),
    ],
    ids=["queen", "distance band"],
)
def test_two_sided_p_values_agree_with_twice_esdas_smaller_tail(columbus, contiguity):
    w = contiguity(columbus)
    crime = columbus["CRIME"].to_numpy(dtype=np.float64)
    assert np.unique(crime).size == crime.size  # no ties: the two conventions coincide
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = G_Local(crime, w, transform="B", star=True, permutations=MANY, seed=7, n_jobs=1)

    ours = gi_star(crime, with_self(w), permutations=MANY, seed=11)

    assert ours.p_sim is not None
    theirs = np.minimum(1.0, 2 * reference.p_sim.astype(np.float64))
    one_sided = np.clip((ours.p_sim + theirs) / 4, 1 / (MANY + 1), 0.5)
    tolerance = STANDARD_ERRORS * math.sqrt(2) * 2 * np.sqrt(one_sided * (1 - one_sided) / MANY)
    assert (np.abs(ours.p_sim - theirs) <= tolerance).all(), np.c_[ours.p_sim, theirs]
    assert (ours.p_sim <= 0.01).any()
    assert (ours.p_sim > 0.5).any()


def exact_tails(y: np.ndarray, weights: sp.csr_array, cell: int) -> tuple[float, float]:
    """P(L* ≥ L) and P(L* ≤ L) for ``cell`` over every ordered choice of its neighbours'
    values from the other cells: the conditional-permutation distribution, enumerated."""
    row = weights[[cell]].tocoo()
    neighbour_weights = [v for j, v in zip(row.col, row.data, strict=True) if j != cell]
    neighbours = [j for j in row.col.tolist() if j != cell]
    observed = sum(v * y[j] for j, v in zip(neighbours, neighbour_weights, strict=True))
    others = [j for j in range(y.size) if j != cell]
    sums = np.array(
        [
            sum(v * y[j] for j, v in zip(choice, neighbour_weights, strict=True))
            for choice in itertools.permutations(others, len(neighbours))
        ]
    )
    return float((sums >= observed - 1e-9).mean()), float((sums <= observed + 1e-9).mean())


@pytest.mark.parametrize("weighting", ["binary", "unequal"])
def test_tails_estimate_the_enumerated_permutation_distribution(weighting):
    # Eight cells on a line, each linked to the cells up to two steps away: neighbourhoods
    # of 2 to 4 cells, small enough to enumerate every permutation.
    n = 8
    rows, cols = np.nonzero(np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 2)
    distance = np.abs(rows - cols)
    values = np.where(distance == 0, 1.0, 1.0 if weighting == "binary" else 3.0 - distance)
    weights = sp.csr_array((values, (rows, cols)), shape=(n, n))
    y = np.array([9.0, 7.5, 8.0, 2.0, 1.0, 3.5, 0.5, 6.0])

    ours = gi_star(y, weights, permutations=MANY, seed=3)

    assert ours.p_upper is not None
    assert ours.p_lower is not None
    assert ours.p_sim is not None
    for cell in range(n):
        at_least, at_most = exact_tails(y, weights, cell)
        for estimate, exact in ((ours.p_upper[cell], at_least), (ours.p_lower[cell], at_most)):
            fraction = (estimate * (MANY + 1) - 1) / MANY
            error = math.sqrt(max(exact * (1 - exact), 1 / MANY) / MANY)
            assert abs(fraction - exact) <= STANDARD_ERRORS * error, (cell, fraction, exact)
        expected = min(1.0, 2 * min(ours.p_upper[cell], ours.p_lower[cell]))
        assert ours.p_sim[cell] == pytest.approx(expected)


def hexagon(rings: int, resolution: int = 9) -> np.ndarray:
    centre = h3_int.latlng_to_cell(51.74, 0.47, resolution)
    return np.array(sorted(h3_int.grid_disk(centre, rings)), dtype=np.uint64)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.10, 0.50])
def test_without_spatial_structure_p_values_are_uniform(alpha):
    universe = hexagon(40)
    y = np.random.default_rng(21).normal(10, 3, universe.size)

    result = gi_star(y, ring_weights(universe), permutations=999, seed=5)

    # Neighbourhoods of 7 cells overlap, so about n / 7 of the tests are independent.
    independent = universe.size / 7
    tolerance = 4 * math.sqrt(alpha * (1 - alpha) / independent)
    assert abs((result.p <= alpha).mean() - alpha) <= tolerance


def test_sparse_counts_without_structure_make_no_spurious_cold_spots():
    # Mostly empty cells: most permuted neighbourhood sums tie with an all-empty
    # neighbourhood. Ties count in both tails, so such a cell is not "significantly cold".
    universe = hexagon(40)
    counts = np.random.default_rng(8).poisson(0.2, universe.size).astype(np.float64)

    result = gi_star(counts, ring_weights(universe), permutations=999, seed=5)

    independent = universe.size / 7
    assert (result.p <= 0.05).mean() <= 0.05 + 4 * math.sqrt(0.05 * 0.95 / independent)
    assert (result.bins < 0).sum() == 0


def test_the_same_seed_gives_the_same_p_values_and_another_seed_other_draws():
    universe = hexagon(12)
    y = np.random.default_rng(2).poisson(3, universe.size).astype(np.float64)
    weights = ring_weights(universe)

    first = gi_star(y, weights, permutations=199, seed=42)
    again = gi_star(y, weights, permutations=199, seed=42)
    other = gi_star(y, weights, permutations=199, seed=43)

    assert first.p_sim is not None
    assert other.p_sim is not None
    np.testing.assert_array_equal(first.p_sim, again.p_sim)
    assert (first.p_sim != other.p_sim).any()
    np.testing.assert_array_equal(first.z, other.z)


def test_progress_is_reported_from_start_to_finish():
    universe = hexagon(12)
    y = np.random.default_rng(2).poisson(3, universe.size).astype(np.float64)
    # Unequal weights take the chunked path, which reports as it goes.
    weights = ring_weights(universe, 2).tocoo()
    distance_weight = np.where(weights.row == weights.col, 1.0, 0.5 + (weights.col % 2))
    unequal = sp.csr_array((distance_weight, (weights.row, weights.col)), shape=weights.shape)
    seen: list[float] = []

    gi_star(y, unequal, permutations=99, seed=1, progress=seen.append)

    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
