"""The before/after effect of an action in a treated area against comparison areas: the
weighted difference of differences of means, with the linearised (HC1) or cluster-robust
standard error, checked against closed forms, a noise-free model, and statsmodels' formula
interface built independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import statsmodels.formula.api as smf

from ourbeat.surveys.statistics import difference_in_differences


def two_by_two(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for area, treated in (("mill-lane", True), ("station-road", False)):
        for wave, after in (("2025-1", False), ("2025-2", True)):
            n = int(rng.integers(60, 120))
            shift = 0.4 if treated and after else 0.0
            rows.append(
                pd.DataFrame(
                    {
                        "y": rng.normal(3 + shift + 0.2 * after, 1, n),
                        "w": rng.uniform(0.5, 2.5, n),
                        "area": area,
                        "wave": wave,
                        "treated": treated,
                        "after": after,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_two_areas_and_two_waves_give_the_difference_of_weighted_mean_differences() -> None:
    """δ = (ȳ_T1 − ȳ_T0) − (ȳ_C1 − ȳ_C0) of the weighted means; its HC1 variance is
    n/(n − 4) times the sum over the four cells of Σw²(y − ȳ_cell)²/(Σw)², the linearised
    variances of the four independent means."""
    data = two_by_two(31)
    result = difference_in_differences(
        data.y, data.w, area=data.area, wave=data.wave, treated=data.treated, after=data.after
    )
    means, variance = {}, 0.0
    for (treated, after), cell in data.groupby(["treated", "after"]):
        mean = np.average(cell.y, weights=cell.w)
        means[treated, after] = mean
        variance += np.sum(cell.w**2 * (cell.y - mean) ** 2) / cell.w.sum() ** 2
    n = len(data)
    variance *= n / (n - 4)
    effect = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    assert result.effect == pytest.approx(effect, rel=1e-9)
    assert result.se == pytest.approx(np.sqrt(variance), rel=1e-9)
    t = effect / np.sqrt(variance)
    assert result.p_value == pytest.approx(2 * scipy.stats.t.sf(abs(t), n - 4), rel=1e-9)
    half = scipy.stats.t.ppf(0.975, n - 4) * np.sqrt(variance)
    assert result.low == pytest.approx(effect - half, rel=1e-9)
    assert result.high == pytest.approx(effect + half, rel=1e-9)
    assert (result.areas, result.treated_areas, result.waves, result.n) == (2, 1, 2, n)


def panel(seed: int, noise: float) -> pd.DataFrame:
    """Six areas (one treated) over five waves (the action after the third), each area and
    wave with its own level, some area-waves missing."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 0.5, 6)
    common = rng.normal(0, 0.3, 5)
    frames = []
    for a in range(6):
        for t in range(5):
            if (a, t) in {(2, 1), (4, 4)}:
                continue
            n = int(rng.integers(20, 60))
            d = float(a == 0 and t >= 3)
            frames.append(
                pd.DataFrame(
                    {
                        "y": 3 + level[a] + common[t] + 0.35 * d + rng.normal(0, noise, n),
                        "w": rng.uniform(0.3, 3, n),
                        "area": f"area-{a}",
                        "wave": t,
                        "treated": a == 0,
                        "after": t >= 3,
                        "d": d,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_without_noise_the_effect_of_the_model_is_recovered_exactly() -> None:
    data = panel(32, noise=0.0)
    result = difference_in_differences(
        data.y, data.w, area=data.area, wave=data.wave, treated=data.treated, after=data.after
    )
    assert result.effect == pytest.approx(0.35, rel=1e-9)
    assert result.se == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("cov", ["robust", "cluster"])
def test_several_areas_and_waves_match_statsmodels_formula_fit(cov: str) -> None:
    data = panel(33, noise=1.0)
    result = difference_in_differences(
        data.y,
        data.w,
        area=data.area,
        wave=data.wave,
        treated=data.treated,
        after=data.after,
        cov=cov,  # type: ignore[arg-type]
        confidence=0.9,
    )
    model = smf.wls("y ~ C(area) + C(wave) + d", data=data, weights=data.w)
    if cov == "robust":
        fit = model.fit(cov_type="HC1", use_t=True)
    else:
        codes = data.area.astype("category").cat.codes
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    assert result.effect == pytest.approx(fit.params["d"], rel=1e-9)
    assert result.se == pytest.approx(fit.bse["d"], rel=1e-9)
    assert result.p_value == pytest.approx(fit.pvalues["d"], rel=1e-9)
    low, high = fit.conf_int(alpha=0.1).loc["d"]
    assert result.low == pytest.approx(low, rel=1e-9)
    assert result.high == pytest.approx(high, rel=1e-9)
    assert result.df == (5 if cov == "cluster" else len(data) - 11)
    assert result.significant == (result.p_value < 0.1)


def test_designs_that_cannot_identify_an_effect_are_refused() -> None:
    data = two_by_two(34)
    kwargs = {"area": data.area, "wave": data.wave}
    with pytest.raises(ValueError, match="no comparison area"):
        difference_in_differences(
            data.y, data.w, **kwargs, treated=[True] * len(data), after=data.after
        )
    with pytest.raises(ValueError, match="before and after"):
        difference_in_differences(
            data.y, data.w, **kwargs, treated=data.treated, after=[False] * len(data)
        )
    mixed = data.treated.to_numpy().copy()
    mixed[0] = not mixed[0]
    with pytest.raises(ValueError, match="same for every respondent of an area"):
        difference_in_differences(data.y, data.w, **kwargs, treated=mixed, after=data.after)
    with pytest.raises(ValueError, match="true/false"):
        difference_in_differences(
            data.y, data.w, **kwargs, treated=data.treated * 2, after=data.after
        )
    with pytest.raises(ValueError, match='cov must be "robust" or "cluster"'):
        difference_in_differences(
            data.y,
            data.w,
            **kwargs,
            treated=data.treated,
            after=data.after,
            cov="hc3",  # type: ignore[arg-type]
        )


def test_treated_and_comparison_areas_seen_in_different_waves_are_refused() -> None:
    """Treated area in waves 1 and 3, comparison area in 2 and 4: the wave effects absorb the
    action, nothing is left to compare."""
    y = np.arange(8, dtype=float)
    area = ["t"] * 4 + ["c"] * 4
    wave = [1, 1, 3, 3, 2, 2, 4, 4]
    treated = [True] * 4 + [False] * 4
    after = [w >= 3 for w in wave]
    with pytest.raises(ValueError, match="do not identify the effect"):
        difference_in_differences(y, None, area=area, wave=wave, treated=treated, after=after)
