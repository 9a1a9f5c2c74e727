"""A change between two waves is tested as scipy's Welch t-test tests it, and called
significant only when p < alpha; a trend over waves is the weighted least-squares slope
with the estimates' variances, equal to a closed form worked here and to scipy's linregress
where the waves scatter more than sampling explains."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from ourbeat.surveys.statistics import (
    Estimate,
    compare_waves,
    wave_trend,
    weighted_estimate,
)


def estimate(mean: float, se: float, df: float = 200.0) -> Estimate:
    return Estimate(
        mean=mean,
        se=se,
        low=math.nan,
        high=math.nan,
        df=df,
        n=int(df) + 1,
        psus=int(df) + 1,
        n_eff=df + 1,
        deff=1.0,
        confidence=0.95,
        proportion=False,
    )


def test_the_change_between_two_waves_is_welchs_t_test() -> None:
    rng = np.random.default_rng(21)
    before = rng.integers(1, 6, 80).astype(float)
    after = np.clip(rng.integers(1, 6, 95) + rng.integers(0, 2, 95), 1, 5).astype(float)
    change = compare_waves(
        weighted_estimate(before, np.ones(80)), weighted_estimate(after, np.ones(95))
    )
    reference = scipy.stats.ttest_ind(after, before, equal_var=False)
    assert change.difference == pytest.approx(after.mean() - before.mean(), rel=1e-12)
    assert change.statistic == pytest.approx(reference.statistic, rel=1e-9)
    assert change.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert change.df == pytest.approx(reference.df, rel=1e-9)
    low, high = reference.confidence_interval(0.95)
    assert change.low == pytest.approx(low, rel=1e-9)
    assert change.high == pytest.approx(high, rel=1e-9)


def test_weighted_waves_match_welchs_test_from_their_summary_statistics() -> None:
    rng = np.random.default_rng(22)
    a = weighted_estimate(rng.integers(0, 2, 300), rng.uniform(0.5, 2, 300))
    b = weighted_estimate(rng.integers(0, 2, 250), rng.uniform(0.5, 2, 250))
    change = compare_waves(a, b, confidence=0.9)
    reference = scipy.stats.ttest_ind_from_stats(
        b.mean, b.se * math.sqrt(b.n), b.n, a.mean, a.se * math.sqrt(a.n), a.n, equal_var=False
    )
    assert change.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert change.statistic == pytest.approx(reference.statistic, rel=1e-9)


def test_a_change_is_significant_only_when_p_is_below_alpha() -> None:
    # z-like cases on 10,000 df: a difference of 1.9 standard errors is not significant at
    # 95%, 2.1 is; at 90%, 1.9 is.
    se = 1 / math.sqrt(2)
    assert not compare_waves(estimate(0, se, 1e4), estimate(1.9, se, 1e4)).significant
    assert compare_waves(estimate(0, se, 1e4), estimate(2.1, se, 1e4)).significant
    assert compare_waves(estimate(0, se, 1e4), estimate(1.9, se, 1e4), confidence=0.9).significant
    flat = compare_waves(estimate(3, 0.0), estimate(3.5, 0.0))
    assert math.isnan(flat.p_value)
    assert not flat.significant


def test_a_trend_matches_the_closed_form_with_known_variances() -> None:
    """Weights wᵢ = 1/seᵢ²; slope Σw(x−x̄)(y−ȳ)/Σw(x−x̄)² with weighted means; when the
    points scatter less than their standard errors (φ < 1), var(slope) = 1/Σw(x−x̄)²."""
    means = [0.50, 0.52, 0.55, 0.55, 0.58]
    ses = [0.03, 0.025, 0.03, 0.02, 0.035]
    trend = wave_trend([estimate(m, s, 300) for m, s in zip(means, ses, strict=True)])
    x, y, w = np.arange(5.0), np.array(means), 1 / np.array(ses) ** 2
    xw, yw = np.average(x, weights=w), np.average(y, weights=w)
    sxx = np.sum(w * (x - xw) ** 2)
    slope = np.sum(w * (x - xw) * (y - yw)) / sxx
    phi = np.sum(w * (y - yw - slope * (x - xw)) ** 2) / 3
    assert phi < 1
    assert trend.scale == 1.0
    assert trend.slope == pytest.approx(slope, rel=1e-9)
    assert trend.intercept == pytest.approx(yw - slope * xw, rel=1e-9)
    assert trend.se == pytest.approx(math.sqrt(1 / sxx), rel=1e-9)
    t = slope / math.sqrt(1 / sxx)
    assert trend.p_value == pytest.approx(2 * scipy.stats.t.sf(abs(t), 3), rel=1e-9)
    half = scipy.stats.t.ppf(0.975, 3) * math.sqrt(1 / sxx)
    assert trend.low == pytest.approx(slope - half, rel=1e-9)
    assert trend.high == pytest.approx(slope + half, rel=1e-9)
    assert trend.significant == (trend.p_value < 0.05)


def test_waves_scattering_beyond_sampling_error_widen_the_trend_like_ordinary_regression() -> None:
    """With equal standard errors much smaller than the scatter, the dispersion φ > 1 takes
    over and the trend is ordinary least squares: scipy.stats.linregress."""
    months = np.array([0.0, 3, 6, 9, 12, 15, 18])
    means = np.array([0.61, 0.58, 0.66, 0.63, 0.70, 0.64, 0.72])
    trend = wave_trend([estimate(m, 0.001) for m in means], waves=months)
    reference = scipy.stats.linregress(months, means)
    assert trend.scale > 1
    assert trend.slope == pytest.approx(reference.slope, rel=1e-9)
    assert trend.se == pytest.approx(reference.stderr, rel=1e-9)
    assert trend.p_value == pytest.approx(reference.pvalue, rel=1e-9)


def test_a_trend_needs_three_waves_with_standard_errors() -> None:
    with pytest.raises(ValueError, match="at least three waves"):
        wave_trend([estimate(1, 0.1), estimate(2, 0.1)])
    with pytest.raises(ValueError, match="positive standard error"):
        wave_trend([estimate(1, 0.1), estimate(2, 0.0), estimate(3, 0.1)])
    with pytest.raises(ValueError, match="same index"):
        wave_trend([estimate(1, 0.1)] * 3, waves=[2, 2, 2])
    with pytest.raises(ValueError, match="3 estimates and 2 wave"):
        wave_trend([estimate(1, 0.1)] * 3, waves=[1, 2])
