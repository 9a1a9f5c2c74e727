"""Estimating every group at once gives, group by group, exactly what estimating each
group on its own gives (to 1e-9), including with clusters, empty groups and groups of one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ourbeat.surveys.statistics import (
    Estimate,
    GroupedEstimates,
    grouped_estimates,
    weighted_estimate,
)

FIELDS = ("mean", "se", "low", "high", "df", "n_eff", "deff")


def assert_group_matches(result: GroupedEstimates, group: int, expected: Estimate) -> None:
    for field in FIELDS:
        got = float(getattr(result, field)[group])
        want = float(getattr(expected, field))
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (group, field)
    assert int(result.n[group]) == expected.n
    assert int(result.psus[group]) == expected.psus
    assert bool(result.proportion[group]) == expected.proportion


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(10, 2000),
    groups=st.integers(1, 40),
    clustered=st.booleans(),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_random_data_agree_group_by_group(
    seed: int, n: int, groups: int, clustered: bool, confidence: float
) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, groups, n)
    values = np.where(
        codes % 3 == 0, rng.integers(0, 2, n), rng.integers(1, 6, n) + rng.normal(0, 0.1, n)
    )
    weights = rng.lognormal(0, 0.7, n)
    clusters = rng.integers(0, 30, n) if clustered else None
    result = grouped_estimates(
        codes, values, weights, clusters=clusters, n_groups=groups, confidence=confidence
    )
    assert len(result) == groups
    for group in range(groups):
        members = codes == group
        psus = np.unique(clusters[members]).size if clusters is not None else members.sum()
        if psus < 2:
            continue
        expected = weighted_estimate(
            values[members],
            weights[members],
            clusters=None if clusters is None else clusters[members],
            confidence=confidence,
        )
        assert_group_matches(result, group, expected)
        single = result.at(group)
        assert single.mean == pytest.approx(expected.mean, rel=1e-9)
        assert single.se == pytest.approx(expected.se, rel=1e-9)


def test_empty_groups_and_groups_of_one_are_marked_not_invented() -> None:
    codes = np.array([0, 0, 0, 2, 3, 3])
    values = np.array([1.0, 2.0, 4.0, 5.0, 1.0, 0.0])
    result = grouped_estimates(codes, values, np.ones(6), n_groups=5)
    assert result.n.tolist() == [3, 0, 1, 2, 0]
    assert np.isnan(result.mean[1])
    assert np.isnan(result.mean[4])
    assert result.mean[2] == 5.0
    assert np.isnan(result.se[2])
    assert np.isnan(result.low[2])
    assert result.proportion.tolist() == [False, False, False, True, False]
    assert result.mean[0] == pytest.approx(7 / 3, rel=1e-12)
    with pytest.raises(ValueError, match="no respondents"):
        result.at(1)
    with pytest.raises(ValueError, match="no group 5"):
        result.at(5)


def test_codes_beyond_the_number_of_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="not below n_groups"):
        grouped_estimates([0, 1, 7], [1.0, 2.0, 3.0], n_groups=5)
    with pytest.raises(ValueError, match="must not be negative"):
        grouped_estimates([0, -1, 1], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="must be integers"):
        grouped_estimates([0.0, 1.0, 1.0], [1.0, 2.0, 3.0])
