"""The weighted displacement quotient and the before/after figures (Bowers and Johnson 2003)
against examples worked by hand. A = response area, B = buffer, C = control; t0 before,
t1 after."""

from __future__ import annotations

import math

import pytest

from ourbeat.problems.assessment import (
    COUNTERPRODUCTIVE,
    DIFFUSION,
    DIFFUSION_GREATER,
    DISPLACEMENT,
    NEITHER,
    NO_SUCCESS,
    ZERO_BEFORE,
    ZERO_CONTROL,
    ZERO_COUNT,
    Counts,
    impact_figures,
    percent_change,
    relative_change,
    success_measure,
    total_net_effect,
    wdq_reading,
    weighted_displacement_quotient,
)

# The worked example: A 100 → 60, B 80 → 70, C 1000 → 950.
A, B, C = Counts(100, 60), Counts(80, 70), Counts(1000, 950)


def test_percent_changes_of_the_worked_example() -> None:
    # A: (60 − 100)/100 = −40%; B: (70 − 80)/80 = −12.5%; C: (950 − 1000)/1000 = −5%.
    assert percent_change(A).value == pytest.approx(-40.0)
    assert percent_change(B).value == pytest.approx(-12.5)
    assert percent_change(C).value == pytest.approx(-5.0)


def test_success_measure_buffer_measure_and_wdq_of_the_worked_example() -> None:
    figures = impact_figures(A, B, C)
    # Success: 60/950 − 100/1000 = (600 − 950)/9500 = −350/9500 = −0.0368421…
    assert figures["success_measure"]["value"] == pytest.approx(-350 / 9500)
    # Buffer: 70/950 − 80/1000 = (700 − 760)/9500 = −60/9500 = −0.0063157…
    assert figures["buffer_measure"]["value"] == pytest.approx(-60 / 9500)
    # WDQ = (−60/9500)/(−350/9500) = 60/350 = 6/35 = 0.171428…: diffusion of benefits.
    assert figures["wdq"]["value"] == pytest.approx(6 / 35)
    assert figures["wdq_reading"] == DIFFUSION


def test_total_net_effect_of_the_worked_example() -> None:
    # The control fell by C_t1/C_t0 = 950/1000 = 0.95. Expected in A: 100·0.95 = 95, seen 60:
    # 35 prevented. Expected in B: 80·0.95 = 76, seen 70: 6 prevented. Total 41.
    figures = impact_figures(A, B, C)
    assert figures["net_effect_area"]["value"] == pytest.approx(35)
    assert figures["net_effect_buffer"]["value"] == pytest.approx(6)
    assert total_net_effect(A, B, C).value == pytest.approx(41)


def test_relative_change_and_its_interval_of_the_worked_example() -> None:
    # (60/100)/(950/1000) = 0.6/0.95 = 0.631578…
    # SE = sqrt(1/100 + 1/60 + 1/1000 + 1/950)
    #    = sqrt(0.01 + 0.0166667 + 0.001 + 0.0010526) = sqrt(0.0287193) = 0.169468
    # log 0.631579 = −0.459532; ± 1.959964 · 0.169468 = ± 0.332152
    # interval exp(−0.791684) = 0.45310 to exp(−0.127380) = 0.88040.
    change = relative_change(A, C)
    assert change.value == pytest.approx(0.631579, abs=1e-6)
    assert change.low == pytest.approx(0.45310, abs=1e-4)
    assert change.high == pytest.approx(0.88040, abs=1e-4)
    assert change.high is not None
    assert math.log(change.high) - math.log(0.631579) == pytest.approx(0.332152, abs=1e-5)


def test_crime_rising_in_the_buffer_is_displacement() -> None:
    # A 100 → 60, B 80 → 100, C 1000 → 1000.
    # Success: 60/1000 − 100/1000 = −0.04; buffer: 100/1000 − 80/1000 = +0.02;
    # WDQ = 0.02/−0.04 = −0.5: displacement, smaller than the direct benefit.
    wdq = weighted_displacement_quotient(Counts(100, 60), Counts(80, 100), Counts(1000, 1000))
    assert wdq.value == pytest.approx(-0.5)
    assert wdq_reading(wdq) == DISPLACEMENT


def test_displacement_larger_than_the_benefit_is_counterproductive() -> None:
    # A 100 → 60, B 80 → 130, C 1000 → 1000: buffer +0.05, success −0.04, WDQ = −1.25;
    # net effect: A 100 − 60 = 40 prevented, B 80 − 130 = −50: 10 more crimes overall.
    area, buffer, control = Counts(100, 60), Counts(80, 130), Counts(1000, 1000)
    wdq = weighted_displacement_quotient(area, buffer, control)
    assert wdq.value == pytest.approx(-1.25)
    assert wdq_reading(wdq) == COUNTERPRODUCTIVE
    assert total_net_effect(area, buffer, control).value == pytest.approx(-10)


def test_a_buffer_falling_faster_than_the_area_is_diffusion_greater_than_the_benefit() -> None:
    # A 100 → 90, B 100 → 70, C 500 → 500: success 90/500 − 100/500 = −0.02,
    # buffer 70/500 − 100/500 = −0.06, WDQ = 3.
    wdq = weighted_displacement_quotient(Counts(100, 90), Counts(100, 70), Counts(500, 500))
    assert wdq.value == pytest.approx(3)
    assert wdq_reading(wdq) == DIFFUSION_GREATER


def test_an_unchanged_buffer_is_neither() -> None:
    # A 50 → 25, B 40 → 40, C 200 → 200: buffer 0, WDQ 0.
    wdq = weighted_displacement_quotient(Counts(50, 25), Counts(40, 40), Counts(200, 200))
    assert wdq.value == pytest.approx(0)
    assert wdq_reading(wdq) == NEITHER


def test_without_success_the_wdq_is_not_given() -> None:
    # A 50 → 60, C 200 → 200: success 60/200 − 50/200 = +0.05, nothing to weigh.
    wdq = weighted_displacement_quotient(Counts(50, 60), Counts(40, 10), Counts(200, 200))
    assert wdq.value is None
    assert wdq.reason == NO_SUCCESS
    assert wdq_reading(wdq) is None
    # No change at all: success exactly 0, still no success.
    assert weighted_displacement_quotient(Counts(5, 5), Counts(4, 4), Counts(9, 9)).reason == (
        NO_SUCCESS
    )


def test_zero_counts_give_reasons_instead_of_dividing_by_zero() -> None:
    assert percent_change(Counts(0, 4)).reason == ZERO_BEFORE
    assert percent_change(Counts(0, 4)).value is None
    assert success_measure(Counts(5, 3), Counts(0, 10)).reason == ZERO_CONTROL
    assert success_measure(Counts(5, 3), Counts(10, 0)).reason == ZERO_CONTROL
    assert weighted_displacement_quotient(Counts(5, 3), Counts(1, 1), Counts(0, 7)).reason == (
        ZERO_CONTROL
    )
    assert total_net_effect(Counts(5, 3), Counts(1, 1), Counts(0, 7)).value is None
    for area, control in [(Counts(0, 3), Counts(9, 9)), (Counts(3, 0), Counts(9, 9))]:
        change = relative_change(area, control)
        assert (change.value, change.low, change.high, change.reason) == (
            None,
            None,
            None,
            ZERO_COUNT,
        )
    # A fall to zero in A still has a percent change (−100%) and a success measure.
    assert percent_change(Counts(4, 0)).value == pytest.approx(-100)
    assert success_measure(Counts(4, 0), Counts(8, 8)).value == pytest.approx(-0.5)


def test_the_figures_are_json_safe() -> None:
    import json

    figures = impact_figures(A, B, Counts(0, 0))
    assert json.loads(json.dumps(figures)) == figures
    assert figures["wdq"] == {"value": None, "reason": ZERO_CONTROL}
    assert figures["counts"]["control"] == {"before": 0, "after": 0}


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Counts(-1, 3)
