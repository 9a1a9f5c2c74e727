"""Closing a wave weights its responses, neighbourhood by neighbourhood, to the population
margins by age band and sex (raking), as shares of the neighbourhood's respondents (weights
average 1). Respondents who did not declare a dimension form an "undeclared" cell held at its
share of the sample, weighted by the other dimension only; a category the margins do not
list counts as undeclared; a category without respondents is left out of the targets; with
no margins, or margins that cannot be met, every weight is 1.0."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import Mode, PopulationMargin, Response
from ourbeat.surveys.services import fielding
from ourbeat.surveys.services.fielding import area_weights
from tests.surveys.fielding_helpers import questionnaire, wave_of

AGE = {"16-24": 1200, "25-34": 1800, "35-44": 1500, "45-54": 1500, "55-64": 1000, "65+": 1000}
SEX = {"female": 4100, "male": 3900}
MARGINS = {"age_band": AGE, "sex": SEX}


def _weighted(labels: list[str], weights: np.ndarray) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for label, weight in zip(labels, weights, strict=True):
        totals[label] += float(weight)
    return dict(totals)


def _sample(seed: int = 4, n: int = 120) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    ages = list(rng.choice(list(AGE), size=n, p=[0.05, 0.1, 0.15, 0.2, 0.25, 0.25]))
    sexes = list(rng.choice(["female", "male"], size=n, p=[0.65, 0.35]))
    return [str(a) for a in ages], [str(s) for s in sexes]


def test_declared_respondents_are_raked_to_both_margins_with_weights_averaging_one() -> None:
    ages, sexes = _sample()
    result = area_weights(ages, sexes, MARGINS)
    n = len(ages)
    assert result.outcome == "raked"
    assert result.weights.mean() == pytest.approx(1.0, abs=1e-12)
    by_age = _weighted(ages, result.weights)
    by_sex = _weighted(sexes, result.weights)
    for band, people in AGE.items():
        assert by_age[band] == pytest.approx(n * people / sum(AGE.values()), rel=1e-9)
    for sex, people in SEX.items():
        assert by_sex[sex] == pytest.approx(n * people / sum(SEX.values()), rel=1e-9)


def test_one_dimension_reduces_to_post_stratification_worked_by_hand() -> None:
    # 6 women and 2 men answered; the population is 4,100 women and 3,900 men: each woman
    # counts 8·(4100/8000)/6, each man 8·(3900/8000)/2.
    sexes = ["female"] * 6 + ["male"] * 2
    result = area_weights([""] * 8, sexes, {"sex": SEX})
    assert result.outcome == "raked"
    expected = [8 * 4100 / 8000 / 6] * 6 + [8 * 3900 / 8000 / 2] * 2
    assert np.allclose(result.weights, expected, rtol=0, atol=1e-9)


def test_undeclared_respondents_are_weighted_by_the_other_dimension_only() -> None:
    ages, sexes = _sample(seed=9)
    sexes[:30] = [""] * 30  # these did not say
    sexes[30:35] = ["other"] * 5  # the margins count women and men only
    result = area_weights(ages, sexes, MARGINS)
    n = len(ages)
    assert result.outcome == "raked"
    coded = [s if s in SEX else "" for s in sexes]
    by_sex = _weighted(coded, result.weights)
    undeclared = coded.count("")
    assert undeclared == 35
    # The undeclared cell keeps its share of the sample; the declared share the population's.
    assert by_sex[""] == pytest.approx(undeclared, rel=1e-9)
    for sex, people in SEX.items():
        assert by_sex[sex] == pytest.approx((n - undeclared) * people / 8000, rel=1e-9)
    by_age = _weighted(ages, result.weights)
    for band, people in AGE.items():
        assert by_age[band] == pytest.approx(n * people / 8000, rel=1e-9)
    assert result.weights.mean() == pytest.approx(1.0, abs=1e-12)


def test_a_category_without_respondents_is_left_out_of_the_targets() -> None:
    ages = ["25-34"] * 3 + ["55-64"] * 5  # nobody of the other bands answered
    result = area_weights(ages, [""] * 8, {"age_band": AGE})
    assert result.outcome == "raked"
    # 25-34 and 55-64 share the sample as 1,800 to 1,000.
    assert result.weights[:3].sum() == pytest.approx(8 * 1800 / 2800, rel=1e-9)
    assert result.weights[3:].sum() == pytest.approx(8 * 1000 / 2800, rel=1e-9)


def test_no_margins_or_nobody_declaring_or_margins_that_cannot_be_met_give_weight_one() -> None:
    ages, sexes = _sample(n=10)
    assert area_weights(ages, sexes, {}).outcome == "no margins"
    assert area_weights([""] * 4, [""] * 4, MARGINS).outcome == "no margins"
    assert list(area_weights([""] * 4, [""] * 4, MARGINS).weights) == [1.0] * 4
    # Young women and old men only, in a population that is 20% women: the one cell of each
    # age band cannot meet both margins.
    impossible = area_weights(
        ["16-24", "65+"], ["female", "male"], {"age_band": AGE, "sex": {"female": 1, "male": 4}}
    )
    assert impossible.outcome == "not met"
    assert list(impossible.weights) == [1.0, 1.0]
    assert area_weights([], [], MARGINS).weights.size == 0


def test_closing_a_wave_weights_each_neighbourhood_to_its_own_margins(
    town: Any, personas: dict[str, Any]
) -> None:
    q = questionnaire(town.force)
    wave = wave_of(q, personas["org_admin"], [town.home, town.elsewhere])
    PopulationMargin.objects.filter(area__in=[town.home, town.elsewhere]).delete()
    for dimension, margins in MARGINS.items():
        for category, people in margins.items():
            PopulationMargin.objects.create(
                area=town.home, dimension=dimension, category=category, population=people
            )
    ages, sexes = _sample(seed=11, n=40)
    sexes[0] = ""
    for age, sex in zip(ages, sexes, strict=True):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={q.confidence.pk: 4},
            age_band=age,
            sex=sex,
            mode=Mode.OPEN_LINK,
        )
    for _ in range(3):
        fielding.response_submit(
            wave=wave,
            area=town.elsewhere,
            language="ru",
            answers={q.safe.pk: 2},
            age_band="65+",
            mode=Mode.OPEN_LINK,
        )
    assert set(Response.objects.filter(wave=wave).values_list("weight", flat=True)) == {None}
    fielding.wave_close(actor=personas["org_admin"], wave=wave)
    home = list(Response.objects.filter(wave=wave, area=town.home).order_by("pk"))
    weights = np.asarray([r.weight for r in home])
    expected = area_weights([r.age_band for r in home], [r.sex for r in home], MARGINS)
    assert np.allclose(weights, expected.weights, rtol=0, atol=1e-12)
    assert weights.mean() == pytest.approx(1.0, abs=1e-12)
    assert len(set(np.round(weights, 9))) > 1
    elsewhere = Response.objects.filter(wave=wave, area=town.elsewhere)
    assert list(elsewhere.values_list("weight", flat=True)) == [1.0, 1.0, 1.0]
    event = AuditEvent.objects.get(action="surveys.wave.close", object_id=str(wave.pk))
    assert event.data == {
        "responses": 43,
        "weighting": {"no margins": [town.elsewhere.pk], "raked": [town.home.pk]},
    }
