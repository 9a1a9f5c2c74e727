"""Bad input to Gi* is refused with a clear ValueError, not a wrong map."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from ourbeat.analytics.stats.hotspots import gi_star, gi_star_z

WEIGHTS = sp.csr_array(np.ones((3, 3)))


@pytest.mark.parametrize("function", [gi_star, gi_star_z])
@pytest.mark.parametrize(
    ("y", "weights", "message"),
    [
        ([], sp.csr_array((0, 0)), "y is empty"),
        ([1.0, 2.0], WEIGHTS, r"weights are \(3, 3\), expected \(2, 2\)"),
        ([1.0, np.nan, 2.0], WEIGHTS, "1 missing or infinite"),
        ([1.0, np.inf, 2.0], WEIGHTS, "1 missing or infinite"),
        ([[1.0, 2.0, 3.0]], WEIGHTS, "1-D"),
        (["a", "b", "c"], WEIGHTS, "y must be numbers"),
        ([1.0, 2.0, 3.0], np.ones((3, 3)), "scipy.sparse"),
        ([1.0, 2.0, 3.0], sp.csr_array(-np.ones((3, 3))), "not negative"),
    ],
)
def test_unusable_values_or_weights_are_refused(function, y, weights, message):
    with pytest.raises(ValueError, match=message):
        function(y, weights)


@pytest.mark.parametrize(
    ("permutations", "message"),
    [
        (-1, "cannot be negative"),
        (9.5, "whole number"),
        (True, "whole number"),
        (10**9, "too much memory: at most 6,666,666 permutations"),
    ],
)
def test_a_number_of_permutations_that_is_not_a_count_is_refused(permutations, message):
    with pytest.raises(ValueError, match=message):
        gi_star([1.0, 2.0, 3.0], WEIGHTS, permutations=permutations)


def test_the_callers_weights_are_left_as_they_were():
    weights = sp.csr_array(
        (
            np.array([1.0, 0.0, 1.0, 1.0, 1.0]),
            (np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 1, 2])),
        ),
        shape=(3, 3),
    )
    before = (weights.data.copy(), weights.indices.copy(), weights.indptr.copy())

    gi_star([1.0, 5.0, 2.0], weights, permutations=19, seed=1)

    for array, copy in zip((weights.data, weights.indices, weights.indptr), before, strict=True):
        np.testing.assert_array_equal(array, copy)
