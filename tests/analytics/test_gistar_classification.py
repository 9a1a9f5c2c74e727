"""Hot and cold spots classified as ArcGIS's Gi_Bin (±3, ±2, ±1 at 99, 95, 90 %), with
and without the Benjamini–Hochberg false discovery rate correction; BH against statsmodels;
a planted cluster found hot at 99 %."""

from __future__ import annotations

import h3.api.basic_int as h3_int
import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from ourbeat.analytics.grid import ring_weights
from ourbeat.analytics.stats.hotspots import benjamini_hochberg, gi_bins, gi_star

# Worked by hand. Uncorrected, a cell is significant at α when p ≤ α. With the FDR
# correction (n = 8, p sorted: .001 .002 .03 .04 .08 .09 .2 .6), the critical p of each
# level is the largest p_(k) ≤ k α / 8: at 90 % .04 (≤ 4 × .1 / 8 = .05; .08 > .0625),
# at 95 % .002 (≤ .0125; .03 > .01875), at 99 % .002 (≤ .0025).
Z = [3.1, -3.1, 2.2, -2.2, 1.7, -1.7, 0.5, 2.5]
P = [0.001, 0.002, 0.03, 0.04, 0.08, 0.09, 0.6, 0.2]


def test_bins_without_correction_follow_p_at_99_95_and_90_percent_with_the_sign_of_z():
    assert gi_bins(Z, P, fdr=False).tolist() == [3, -3, 2, -2, 1, -1, 0, 0]


def test_the_fdr_correction_lowers_the_critical_p_of_each_level():
    # Cells 2 and 3 fall from 95 % to 90 %; the marginal cells 4 and 5, significant at
    # 90 % uncorrected, are no longer significant.
    assert gi_bins(Z, P, fdr=True).tolist() == [3, -3, 1, -1, 0, 0, 0, 0]


def test_benjamini_hochberg_equals_statsmodels():
    rng = np.random.default_rng(6)
    p = np.concatenate([rng.uniform(0, 1, 300), rng.uniform(0, 0.01, 40), [0.05, 0.05, 1.0]])

    expected = multipletests(p, method="fdr_bh")[1]

    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=1e-12, atol=0)
    assert benjamini_hochberg(np.array([])).size == 0


def test_benjamini_hochberg_refuses_what_is_not_a_p_value():
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, 1.5])
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, np.nan])


def hexagon(rings: int) -> np.ndarray:
    centre = h3_int.latlng_to_cell(51.74, 0.47, 9)
    return np.array(sorted(h3_int.grid_disk(centre, rings)), dtype=np.uint64)


def test_a_planted_cluster_is_hot_at_99_percent_and_the_background_is_quiet():
    universe = hexagon(30)
    rng = np.random.default_rng(17)
    counts = rng.poisson(1.0, universe.size).astype(np.float64)
    centre = h3_int.latlng_to_cell(51.74, 0.47, 9)
    planted = np.searchsorted(universe, np.array(h3_int.grid_disk(centre, 1), dtype=np.uint64))
    counts[planted] = rng.poisson(8.0, planted.size)
    # Cells whose neighbourhood does not reach the cluster.
    near = np.array(h3_int.grid_disk(centre, 2), dtype=np.uint64)
    far = ~np.isin(universe, near)

    # The FDR correction over 2,791 cells needs p-values below k α / n; the smallest
    # permutation p-value is 2 / (P + 1), so P must be large (999 would find nothing).
    result = gi_star(counts, ring_weights(universe), permutations=99_999, seed=9)

    assert result.bins[planted[0]] == 3  # grid_disk lists the centre first
    assert (result.bins[planted] >= 2).all()
    assert result.significant_fdr[planted].all()
    assert (result.bins[far] > 0).mean() <= 0.01
    assert result.neighbours[planted[0]] == 7


def test_a_flat_surface_has_no_hot_or_cold_spots():
    universe = hexagon(8)

    result = gi_star(np.full(universe.size, 4.0), ring_weights(universe), permutations=99)

    assert (result.z == 0).all()
    assert (result.p == 1).all()
    assert (result.bins == 0).all()


def test_the_fdr_option_decides_which_bins_are_reported():
    universe = hexagon(30)
    rng = np.random.default_rng(17)
    counts = rng.poisson(1.0, universe.size).astype(np.float64)
    weights = ring_weights(universe)

    corrected = gi_star(counts, weights, permutations=0, alpha_fdr=True)
    uncorrected = gi_star(counts, weights, permutations=0, alpha_fdr=False)

    assert corrected.fdr
    assert not uncorrected.fdr
    np.testing.assert_array_equal(
        uncorrected.bins, gi_bins(uncorrected.z, uncorrected.p, fdr=False)
    )
    q = multipletests(corrected.p, method="fdr_bh")[1]
    np.testing.assert_allclose(corrected.q, q, rtol=1e-12)
    expected = np.select([q <= 0.01, q <= 0.05, q <= 0.10], [3, 2, 1], 0) * np.sign(corrected.z)
    np.testing.assert_array_equal(corrected.bins, expected)
    # Some cells significant uncorrected are not once corrected.
    assert ((uncorrected.bins != 0) & (corrected.bins == 0)).any()
