"""The vectorised Mann-Kendall test gives pymannkendall's ``original_test`` for every row."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pymannkendall
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ourbeat.analytics.stats.trend import mann_kendall

TREND_CODES = {"increasing": 1, "decreasing": -1, "no trend": 0}


def assert_matches_pymannkendall(rows: npt.NDArray[np.float64], alpha: float) -> None:
    result = mann_kendall(rows, alpha=alpha)
    for index, row in enumerate(rows):
        reference = pymannkendall.original_test(row, alpha=alpha)
        assert result.s[index] == reference.s
        assert result.var_s[index] == pytest.approx(reference.var_s, rel=1e-12, abs=1e-12)
        assert result.z[index] == pytest.approx(reference.z, rel=1e-12, abs=1e-12)
        assert result.p[index] == pytest.approx(reference.p, abs=1e-12)
        assert result.tau[index] == pytest.approx(reference.Tau, rel=1e-12, abs=1e-12)
        assert result.trend[index] == TREND_CODES[reference.trend]


@pytest.mark.parametrize("length", [3, 4, 5, 10, 24, 37, 60])
def test_continuous_random_series_match_pymannkendall(length: int) -> None:
    rng = np.random.default_rng(length)
    drift = rng.normal(scale=0.1, size=(40, 1)) * np.arange(length)
    rows = rng.normal(size=(40, length)) + drift
    assert_matches_pymannkendall(rows, alpha=0.05)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.10, 0.5])
def test_series_with_many_ties_match_pymannkendall_at_any_alpha(alpha: float) -> None:
    rng = np.random.default_rng(7)
    small_counts = rng.poisson(1.0, size=(60, 18)).astype(np.float64)
    trending = small_counts + (np.arange(18) // 4)[None, :] * rng.integers(-1, 2, size=(60, 1))
    assert_matches_pymannkendall(trending, alpha=alpha)


def test_constant_series_have_no_trend_and_p_one() -> None:
    rows = np.array([[3.0] * 12, [0.0] * 12, [-2.5] * 12])
    result = mann_kendall(rows)
    assert result.s.tolist() == [0, 0, 0]
    assert result.var_s.tolist() == [0.0, 0.0, 0.0]
    assert result.z.tolist() == [0.0, 0.0, 0.0]
    assert result.p.tolist() == [1.0, 1.0, 1.0]
    assert result.trend.tolist() == [0, 0, 0]
    assert_matches_pymannkendall(rows, alpha=0.05)


def test_the_shortest_series_match_pymannkendall_including_ties() -> None:
    rows = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [1.0, 1.0, 2.0], [2.0, 1.0, 2.0]])
    assert_matches_pymannkendall(rows, alpha=0.05)


def test_a_hand_worked_series() -> None:
    # x = 1, 3, 2, 5: pairs (1,3)+ (1,2)+ (1,5)+ (3,2)− (3,5)+ (2,5)+ → S = 4;
    # Var(S) = 4·3·13/18 = 26/3; z = (4 − 1)/√(26/3); tau = 4/6.
    result = mann_kendall([1.0, 3.0, 2.0, 5.0])
    assert int(result.s) == 4
    assert float(result.var_s) == pytest.approx(26 / 3)
    assert float(result.z) == pytest.approx(3 / np.sqrt(26 / 3))
    assert float(result.tau) == pytest.approx(4 / 6)


def test_a_strictly_increasing_and_a_strictly_decreasing_series_are_significant_trends() -> None:
    result = mann_kendall(np.vstack([np.arange(12.0), -np.arange(12.0)]), alpha=0.05)
    assert result.trend.tolist() == [1, -1]
    assert result.tau.tolist() == [1.0, -1.0]


def test_one_series_gives_the_same_numbers_as_the_same_row_of_many() -> None:
    rows = np.random.default_rng(3).normal(size=(5, 15))
    many = mann_kendall(rows)
    one = mann_kendall(rows[2])
    assert one.z.shape == ()
    assert float(one.z) == many.z[2]
    assert int(one.s) == many.s[2]
    assert int(one.trend) == many.trend[2]


def test_no_series_gives_empty_results() -> None:
    result = mann_kendall(np.empty((0, 8)))
    assert result.z.shape == (0,)
    assert result.trend.shape == (0,)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.int8,
        st.tuples(st.integers(1, 6), st.integers(3, 30)),
        elements=st.integers(-3, 3),
    )
)
def test_any_integer_series_matches_pymannkendall(rows: npt.NDArray[np.int8]) -> None:
    assert_matches_pymannkendall(rows.astype(np.float64), alpha=0.1)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([1.0, 2.0], "at least 3"),
        ([[1.0, 2.0], [3.0, 4.0]], "at least 3"),
        ([], "at least 3"),
        ([1.0, np.nan, 3.0, 4.0], "finite"),
        ([1.0, np.inf, 3.0, 4.0], "finite"),
        (np.zeros((2, 2, 5)), "series"),
        (5.0, "series"),
    ],
)
def test_unusable_series_are_refused_with_a_clear_error(series: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mann_kendall(series)  # type: ignore[arg-type]


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 2.0])
def test_an_alpha_outside_zero_and_one_is_refused(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        mann_kendall([1.0, 2.0, 3.0], alpha=alpha)


def test_text_is_refused() -> None:
    with pytest.raises(ValueError, match="numbers"):
        mann_kendall(["a", "b", "c"])
