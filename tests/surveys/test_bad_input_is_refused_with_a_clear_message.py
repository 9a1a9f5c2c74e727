"""Empty arrays, arrays of different lengths, weights that are not positive, missing values
and out-of-range settings are refused with a ValueError that says what is wrong."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ourbeat.surveys.statistics import (
    Estimate,
    compare_waves,
    difference_in_differences,
    grouped_estimates,
    post_stratify,
    rake,
    weighted_estimate,
)

NAN = float("nan")


def by_group(values: Any, weights: Any) -> Any:
    n = len(np.asarray(values))
    return grouped_estimates(np.zeros(n, dtype=int), values, weights)


def did(values: Any, weights: Any) -> Any:
    n = len(np.asarray(values))
    half = n // 2
    return difference_in_differences(
        values,
        weights,
        area=[0] * half + [1] * (n - half),
        wave=[0, 1] * (n // 2) + [0] * (n % 2),
        treated=[True] * half + [False] * (n - half),
        after=[True, False] * (n // 2) + [True] * (n % 2),
    )


ESTIMATORS: list[Callable[[Any, Any], Any]] = [weighted_estimate, by_group, did]


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([], [], "values is empty"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], r"values and weights have different lengths \(3 and 2\)"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], "weights must be positive: 1 are zero"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, -2.0, 1.0, -1.0], "2 are zero or negative"),
        ([1.0, NAN, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], "values has 1 missing or infinite"),
        ([1.0, math.inf, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], "missing or infinite"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, NAN, 1.0, 1.0], "weights has 1 missing or infinite"),
        ([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0], "one-dimensional"),
        (["a", "b"], [1.0, 1.0], "values must be numbers"),
    ],
)
def test_bad_values_and_weights(
    estimator: Callable[[Any, Any], Any], values: Any, weights: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        estimator(values, weights)


def test_one_respondent_has_no_standard_error() -> None:
    with pytest.raises(ValueError, match="at least two respondents"):
        weighted_estimate([3.0], [1.0])
    with pytest.raises(ValueError, match="at least two clusters"):
        weighted_estimate([3.0, 4.0, 5.0], [1.0, 2.0, 1.0], clusters=["a", "a", "a"])


def test_clusters_must_match_the_values() -> None:
    with pytest.raises(ValueError, match=r"values and clusters have different lengths \(3 and 2\)"):
        weighted_estimate([3.0, 4.0, 5.0], None, clusters=["a", "b"])
    with pytest.raises(ValueError, match="clusters has missing values"):
        weighted_estimate([3.0, 4.0, 5.0], None, clusters=[1.0, NAN, 2.0])
    with pytest.raises(
        ValueError, match=r"values and group_codes have different lengths \(3 and 2\)"
    ):
        grouped_estimates([0, 1], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, "95%"])
def test_confidence_must_be_a_probability(confidence: Any) -> None:
    with pytest.raises(ValueError, match="confidence must be a number between 0 and 1"):
        weighted_estimate([1.0, 2.0], [1.0, 1.0], confidence=confidence)


def test_raking_input_is_checked() -> None:
    margins = {"sex": {"f": 10.0, "m": 10.0}}
    with pytest.raises(ValueError, match="no respondents to weight"):
        rake({"sex": []}, margins)
    with pytest.raises(ValueError, match=r"sex and weights have different lengths \(2 and 3\)"):
        rake({"sex": ["f", "m"]}, margins, weights=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="weights must be positive"):
        rake({"sex": ["f", "m"]}, margins, weights=[1.0, 0.0])
    with pytest.raises(ValueError, match="has 3 respondents where 2"):
        rake({"sex": ["f", "m"], "age": ["a", "b", "a"]}, margins | {"age": {"a": 10, "b": 10}})
    with pytest.raises(ValueError, match="finite and not negative"):
        rake({"sex": ["f", "m"]}, {"sex": {"f": NAN, "m": 10.0}})
    with pytest.raises(ValueError, match="finite and not negative"):
        rake({"sex": ["f", "m"]}, {"sex": {"f": -1.0, "m": 10.0}})
    with pytest.raises(ValueError, match="non-empty mapping"):
        rake({"sex": ["f", "m"]}, {"sex": {}})
    with pytest.raises(ValueError, match="do not list: nan"):
        post_stratify({"sex": np.array([1.0, NAN])}, {1.0: 5.0})


def estimate(mean: float, se: float) -> Estimate:
    return Estimate(mean, se, NAN, NAN, 10.0, 11, 11, 11.0, 1.0, 0.95, False)


def test_comparisons_need_estimates_with_standard_errors() -> None:
    with pytest.raises(ValueError, match="earlier estimate has no finite"):
        compare_waves(estimate(NAN, 0.1), estimate(1.0, 0.1))
    with pytest.raises(ValueError, match="later estimate has no finite"):
        compare_waves(estimate(1.0, 0.1), estimate(1.0, NAN))
