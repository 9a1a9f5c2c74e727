"""A weighted mean, its linearised standard error, interval and Kish figures agree to 1e-9
with statsmodels (DescrStatsW, WLS with robust and cluster-robust covariance), scipy, and
small examples worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.weightstats import DescrStatsW

from ourbeat.surveys.statistics import weighted_estimate

REL = 1e-9


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)


def test_a_hand_worked_proportion_has_the_textbook_linearised_standard_error() -> None:
    """y = (1, 0, 1, 1), w = (1, 2, 3, 4): W = 10, p = 8/10 = 0.8. Residuals (0.2, −0.8, 0.2,
    0.2), times the weights (0.2, −1.6, 0.6, 0.8), squares summing to 3.6; the linearised
    variance is n/(n−1) · 3.6/W² = 4/3 · 0.036 = 0.048. The t quantile on 3 df for 95% is
    3.182446305284263 (tables)."""
    estimate = weighted_estimate([1, 0, 1, 1], [1, 2, 3, 4])
    assert estimate.proportion
    assert close(estimate.mean, 0.8)
    assert close(estimate.se, math.sqrt(0.048))
    assert estimate.df == 3
    assert close(estimate.low, 0.8 - 3.182446305284263 * math.sqrt(0.048))
    assert close(estimate.high, 0.8 + 3.182446305284263 * math.sqrt(0.048))


def test_kish_effective_sample_size_and_design_effect_on_a_tiny_example() -> None:
    """w = (1, 1, 2, 4): Σw = 8, Σw² = 22, so n_eff = 64/22 = 32/11 and deff = 4·22/64 =
    11/8."""
    estimate = weighted_estimate([3.0, 1.0, 4.0, 1.0], [1, 1, 2, 4])
    assert close(estimate.n_eff, 32 / 11)
    assert close(estimate.deff, 11 / 8)
    assert estimate.n == 4
    assert not estimate.proportion


def test_the_mean_and_standard_error_equal_statsmodels_weighted_regression() -> None:
    rng = np.random.default_rng(11)
    y = rng.normal(3.2, 1.1, 400)
    w = rng.lognormal(0, 0.6, 400)
    estimate = weighted_estimate(y, w)
    fit = sm.WLS(y, np.ones((y.size, 1)), weights=w).fit(cov_type="HC1", use_t=True)
    assert close(estimate.mean, DescrStatsW(y, weights=w).mean)
    assert close(estimate.mean, float(fit.params[0]))
    assert close(estimate.se, float(fit.bse[0]))
    low, high = fit.conf_int(alpha=0.05)[0]
    assert close(estimate.low, float(low))
    assert close(estimate.high, float(high))


def test_clustered_standard_errors_equal_statsmodels_cluster_robust_regression() -> None:
    rng = np.random.default_rng(12)
    clusters = rng.integers(0, 25, 500)
    shock = rng.normal(0, 0.5, 25)[clusters]
    y = 2 + shock + rng.normal(0, 1, 500)
    w = rng.uniform(0.4, 2.5, 500)
    labels = np.array([f"psu-{c}" for c in clusters])
    estimate = weighted_estimate(y, w, clusters=labels, confidence=0.9)
    fit = sm.WLS(y, np.ones((y.size, 1)), weights=w).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True
    )
    assert estimate.psus == 25
    assert estimate.df == 24
    assert close(estimate.se, float(fit.bse[0]))
    low, high = fit.conf_int(alpha=0.1)[0]
    assert close(estimate.low, float(low))
    assert close(estimate.high, float(high))


def test_with_unit_weights_it_is_the_ordinary_mean_and_t_interval() -> None:
    rng = np.random.default_rng(13)
    y = rng.integers(1, 6, 37).astype(float)
    estimate = weighted_estimate(y, np.ones(y.size), confidence=0.99)
    stats = DescrStatsW(y)
    assert close(estimate.se, stats.std_mean)
    assert close(estimate.se, float(scipy.stats.sem(y)))
    low, high = stats.tconfint_mean(alpha=0.01)
    assert close(estimate.low, low)
    assert close(estimate.high, high)
    reference = scipy.stats.t.interval(0.99, y.size - 1, loc=y.mean(), scale=scipy.stats.sem(y))
    assert close(estimate.low, reference[0])
    assert close(estimate.n_eff, y.size)
    assert close(estimate.deff, 1.0)


def test_the_standard_error_does_not_depend_on_the_scale_of_the_weights() -> None:
    """Sampling weights, not frequency weights: doubling every weight changes nothing
    (DescrStatsW's frequency-weight standard error would shrink by √2)."""
    rng = np.random.default_rng(14)
    y, w = rng.normal(size=60), rng.uniform(1, 4, 60)
    once, twice = weighted_estimate(y, w), weighted_estimate(y, 2 * w)
    assert close(once.se, twice.se)
    assert close(once.n_eff, twice.n_eff)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 300),
    clustered=st.booleans(),
    binary=st.booleans(),
)
def test_random_samples_agree_with_statsmodels(
    seed: int, n: int, clustered: bool, binary: bool
) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(float) if binary else rng.normal(50, 20, n)
    w = rng.lognormal(0, 1, n)
    model = sm.WLS(y, np.ones((n, 1)), weights=w)
    if clustered:
        clusters = rng.integers(0, max(2, n // 4), n)
        clusters[:2] = [0, 1]  # at least two clusters
        estimate = weighted_estimate(y, w, clusters=clusters)
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    else:
        estimate = weighted_estimate(y, w)
        fit = model.fit(cov_type="HC1", use_t=True)
    assert estimate.mean == pytest.approx(float(fit.params[0]), rel=REL, abs=1e-12)
    assert estimate.se == pytest.approx(float(fit.bse[0]), rel=REL, abs=1e-12)
    assert estimate.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=REL)
