"""Raking reaches the population margins by age band and sex, with the weights that a
hand-derived solution and an independent log-linear fit (statsmodels' Poisson GLM) give,
and refuses margins it cannot meet."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from ourbeat.surveys.statistics import RakingDidNotConverge, rake


def sample(counts: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    ages, sexes = [], []
    for (age, sex), count in counts.items():
        ages += [age] * count
        sexes += [sex] * count
    return ages, sexes


def test_a_two_by_two_table_rakes_to_the_hand_derived_cells() -> None:
    """Sample counts young/f 20, young/m 30, old/f 30, old/m 20; population margins young 60,
    old 40, f 50, m 50. Raking keeps the sample's odds ratio (20·20)/(30·30) = 4/9, so the
    raked young/f count x satisfies x(x − 10) / ((60 − x)(50 − x)) = 4/9, that is
    x² + 70x − 2400 = 0, x = (−70 + √14500)/2 = 25.2079...; the other cells follow from the
    margins: young/m 60 − x, old/f 50 − x, old/m x − 10. Each respondent's weight is its
    cell's raked count over its sample count."""
    ages, sexes = sample(
        {("young", "f"): 20, ("young", "m"): 30, ("old", "f"): 30, ("old", "m"): 20}
    )
    result = rake(
        {"age": ages, "sex": sexes},
        {"age": {"young": 60, "old": 40}, "sex": {"f": 50, "m": 50}},
        tol=1e-13,
    )
    x = (-70 + math.sqrt(14500)) / 2
    expected = {("young", "f"): x / 20, ("young", "m"): (60 - x) / 30}
    expected |= {("old", "f"): (50 - x) / 30, ("old", "m"): (x - 10) / 20}
    for age, sex, weight in zip(ages, sexes, result.weights, strict=True):
        assert weight == pytest.approx(expected[age, sex], rel=1e-9)
    assert result.max_relative_error <= 1e-13
    assert result.iterations > 1


def test_a_sample_in_proportion_needs_one_cycle_and_gives_the_product_of_margins() -> None:
    """When the sample's table is the product of its margins, one cycle of raking gives each
    cell R_i·C_j/N (Bishop, Fienberg and Holland 1975, §3.5)."""
    ages, sexes = sample({("a", "f"): 10, ("a", "m"): 30, ("b", "f"): 20, ("b", "m"): 60})
    result = rake(
        {"age": ages, "sex": sexes},
        {"age": {"a": 300, "b": 700}, "sex": {"f": 400, "m": 600}},
    )
    assert result.iterations == 1
    counts = {("a", "f"): 10, ("a", "m"): 30, ("b", "f"): 20, ("b", "m"): 60}
    rows, cols = {"a": 300, "b": 700}, {"f": 400, "m": 600}
    for age, sex, weight in zip(ages, sexes, result.weights, strict=True):
        assert weight == pytest.approx(rows[age] * cols[sex] / 1000 / counts[age, sex], rel=1e-12)


def test_raked_weights_equal_a_poisson_log_linear_fit_with_design_weights() -> None:
    """The raked cell totals are the maximum-likelihood fit of the main-effects log-linear
    model with the sample's weighted cell totals as offset, to any table with the
    population's margins (Bishop, Fienberg and Holland 1975, ch. 3): computed here with
    statsmodels' GLM, not by proportional fitting. One joint cell has no respondents, which
    raking (unlike post-stratification) allows."""
    rng = np.random.default_rng(5)
    bands, sexes = ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"], ["f", "m"]
    n = 900
    age = rng.choice(bands, n, p=[0.08, 0.12, 0.18, 0.2, 0.2, 0.22])
    sex = rng.choice(sexes, n, p=[0.58, 0.42])
    drop = (age == "16-24") & (sex == "m")
    age, sex = age[~drop], sex[~drop]
    design = rng.uniform(0.5, 2.0, age.size)
    margins = {
        "age": dict(zip(bands, [1500.0, 1800.0, 1700.0, 1600.0, 1400.0, 2000.0], strict=True)),
        "sex": {"f": 5100.0, "m": 4900.0},
    }
    result = rake({"age": age, "sex": sex}, margins, weights=design, tol=1e-13)

    cells = [(a, s) for a in bands for s in sexes if ((age == a) & (sex == s)).any()]
    offset = np.log([design[(age == a) & (sex == s)].sum() for a, s in cells])
    exog = np.array(
        [[1.0] + [float(a == b) for b in bands[1:]] + [float(s == "m")] for a, s in cells]
    )
    # A table with the population's margins on the observed cells: the product of the
    # margins, with the missing cell's 735 moved around the rectangle it spans with 25-34.
    table = {(a, s): margins["age"][a] * margins["sex"][s] / 10000 for a in bands for s in sexes}
    moved = table.pop(("16-24", "m"))
    table["16-24", "f"] += moved
    table["25-34", "f"] -= moved
    table["25-34", "m"] += moved
    target = np.array([table[cell] for cell in cells])
    fit = sm.GLM(target, exog, family=sm.families.Poisson(), offset=offset).fit(
        tol=1e-15, maxiter=200
    )
    factor = dict(zip(cells, fit.fittedvalues / np.exp(offset), strict=True))
    expected = design * np.array([factor[a, s] for a, s in zip(age, sex, strict=True)])
    np.testing.assert_allclose(result.weights, expected, rtol=1e-9)
    for name, labels in (("age", age), ("sex", sex)):
        for level, count in margins[name].items():
            assert result.weights[labels == level].sum() == pytest.approx(count, rel=1e-12)


def test_a_population_band_without_respondents_is_a_clear_error() -> None:
    ages, sexes = sample({("a", "f"): 5, ("a", "m"): 5, ("b", "f"): 5, ("b", "m"): 5})
    with pytest.raises(ValueError, match=r"age=c \(100 people\).*collapse"):
        rake(
            {"age": ages, "sex": sexes},
            {"age": {"a": 400, "b": 500, "c": 100}, "sex": {"f": 500, "m": 500}},
        )


def test_respondents_outside_the_margins_are_refused() -> None:
    with pytest.raises(ValueError, match="do not list: 'x'"):
        rake({"sex": ["f", "m", "x"]}, {"sex": {"f": 1, "m": 1}})
    with pytest.raises(ValueError, match="population is zero"):
        rake({"sex": ["f", "m", "m"]}, {"sex": {"f": 10, "m": 0}})


def test_margins_that_disagree_on_the_total_are_refused() -> None:
    ages, sexes = sample({("a", "f"): 5, ("a", "m"): 5, ("b", "f"): 5, ("b", "m"): 5})
    with pytest.raises(ValueError, match="disagree on the population total"):
        rake({"age": ages, "sex": sexes}, {"age": {"a": 50, "b": 50}, "sex": {"f": 50, "m": 40}})
    with pytest.raises(ValueError, match="differ"):
        rake({"age": ages}, {"age": {"a": 50, "b": 50}, "sex": {"f": 50, "m": 50}})


def test_margins_the_sample_cannot_meet_stop_with_an_error() -> None:
    """Only young women and old men answered: no weights give 60 young and 30 women."""
    ages, sexes = sample({("young", "f"): 10, ("old", "m"): 10})
    with pytest.raises(RakingDidNotConverge, match="did not converge in 50 cycles"):
        rake(
            {"age": ages, "sex": sexes},
            {"age": {"young": 60, "old": 40}, "sex": {"f": 30, "m": 70}},
            max_iter=50,
        )
