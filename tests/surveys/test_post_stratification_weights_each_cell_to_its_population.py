"""Post-stratification gives each joint cell of age band and sex its population count, so a
weighted mean becomes the population-share-weighted mean of the cells' means."""

from __future__ import annotations

import numpy as np
import pytest

from ourbeat.surveys.statistics import post_stratify, weighted_estimate


def test_a_hand_worked_example() -> None:
    """Four respondents: two young women (design weights 1 and 3), one young man, one old
    woman; population young/f 40, young/m 35, old/f 25. The young women's weights become
    1·40/4 = 10 and 3·40/4 = 30; the young man's 35; the old woman's 25."""
    result = post_stratify(
        {"age": ["young", "young", "young", "old"], "sex": ["f", "f", "m", "f"]},
        {("young", "f"): 40, ("young", "m"): 35, ("old", "f"): 25},
        weights=[1, 3, 2, 7],
    )
    np.testing.assert_allclose(result.weights, [10, 30, 35, 25], rtol=1e-12)
    assert result.iterations == 1


def test_the_weighted_mean_is_the_population_weighted_mean_of_cell_means() -> None:
    rng = np.random.default_rng(8)
    bands = ["16-34", "35-54", "55+"]
    age = rng.choice(bands, 500)
    sex = rng.choice(["f", "m"], 500)
    y = rng.integers(1, 6, 500).astype(float)
    design = rng.uniform(0.5, 3, 500)
    population = {
        ("16-34", "f"): 1200.0,
        ("16-34", "m"): 1300.0,
        ("35-54", "f"): 1600.0,
        ("35-54", "m"): 1500.0,
        ("55+", "f"): 1900.0,
        ("55+", "m"): 1500.0,
    }
    result = post_stratify({"age": age, "sex": sex}, population, weights=design)
    expected = 0.0
    for (a, s), count in population.items():
        cell = (age == a) & (sex == s)
        expected += count / 9000 * np.average(y[cell], weights=design[cell])
    assert weighted_estimate(y, result.weights).mean == pytest.approx(expected, rel=1e-12)


def test_one_variable_takes_bare_labels() -> None:
    result = post_stratify({"sex": ["f", "m", "m"]}, {"f": 50, "m": 50})
    np.testing.assert_allclose(result.weights, [50, 25, 25])


def test_a_population_cell_without_respondents_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"\(age=old, sex=m\) \(30 people\)"):
        post_stratify(
            {"age": ["young", "young", "old"], "sex": ["f", "m", "f"]},
            {("young", "f"): 40, ("young", "m"): 35, ("old", "f"): 25, ("old", "m"): 30},
        )


def test_respondents_in_an_unlisted_cell_are_refused() -> None:
    with pytest.raises(ValueError, match="does not list"):
        post_stratify(
            {"age": ["young", "old", "old"], "sex": ["f", "m", "f"]},
            {("young", "f"): 40, ("old", "f"): 25, ("young", "m"): 30},
        )
    with pytest.raises(ValueError, match="one label for each"):
        post_stratify({"age": ["young"], "sex": ["f"]}, {"young": 10})
