"""Hit rate, Predictive Accuracy Index and Recapture Rate Index on hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from ourbeat.analytics.stats.evaluation import (
    evaluate_hot_spots,
    hit_rate,
    predictive_accuracy_index,
    recapture_rate_index,
)


def test_pai_is_the_hit_rate_over_the_share_of_the_area() -> None:
    # 30 of 100 events in hot spots covering 5 of 100 km²: (30/100) / (5/100) = 6.
    pai = predictive_accuracy_index(
        events_in_hot_spots=30, events_total=100, hot_spot_area=5.0, study_area=100.0
    )
    assert pai == pytest.approx(6.0)


def test_pai_of_hot_spots_no_better_than_chance_is_one() -> None:
    pai = predictive_accuracy_index(
        events_in_hot_spots=25, events_total=200, hot_spot_area=12.5, study_area=100.0
    )
    assert pai == pytest.approx(1.0)


def test_rri_normalises_the_change_in_the_hot_spots_by_the_change_everywhere() -> None:
    # Hot spots: 40 → 30 events (×0.75); the whole area: 200 → 100 (×0.5): 0.75/0.5 = 1.5.
    rri = recapture_rate_index(
        events_in_hot_spots_before=40,
        events_in_hot_spots_after=30,
        events_before=200,
        events_after=100,
    )
    assert rri == pytest.approx(1.5)


def test_hit_rate_is_the_share_of_events_in_the_hot_spots() -> None:
    assert hit_rate(events_in_hot_spots=3, events_total=12) == pytest.approx(0.25)


def test_a_map_of_cells_is_judged_against_the_following_period() -> None:
    # Five cells; cells 0 and 3 are the hot spots.
    #   before: 10, 1, 2, 6, 1  → in hot spots 16 of 20
    #   after:   8, 2, 2, 4, 4  → in hot spots 12 of 20
    #   areas:   1, 2, 3, 1, 3  → hot spots 2 of 10
    # hit rate 12/20 = 0.6; PAI 0.6 / 0.2 = 3; RRI (12/16) / (20/20) = 0.75.
    result = evaluate_hot_spots(
        hot_spots=np.array([True, False, False, True, False]),
        counts_before=[10, 1, 2, 6, 1],
        counts_after=[8, 2, 2, 4, 4],
        cell_areas=[1.0, 2.0, 3.0, 1.0, 3.0],
    )
    assert (result.events_in_hot_spots, result.events_total) == (12, 20)
    assert (result.events_in_hot_spots_before, result.events_before) == (16, 20)
    assert (result.hot_spot_area, result.study_area) == (2.0, 10.0)
    assert result.hit_rate == pytest.approx(0.6)
    assert result.area_share == pytest.approx(0.2)
    assert result.predictive_accuracy_index == pytest.approx(3.0)
    assert result.recapture_rate_index == pytest.approx(0.75)


def test_without_cell_areas_each_cell_counts_as_one_unit_of_area() -> None:
    # 2 of 8 cells hot; 6 of 12 events after in them: (6/12) / (2/8) = 2.
    result = evaluate_hot_spots(
        hot_spots=np.array([True, True, False, False, False, False, False, False]),
        counts_before=[3, 3, 1, 1, 1, 1, 1, 1],
        counts_after=[4, 2, 1, 1, 1, 1, 1, 1],
    )
    assert result.predictive_accuracy_index == pytest.approx(2.0)
    # (6/6) / (12/12) = 1
    assert result.recapture_rate_index == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ({"events_in_hot_spots": 0, "events_total": 0}, "no events to predict"),
        ({"hot_spot_area": 0.0}, "no hot spots"),
        ({"hot_spot_area": 0.0, "study_area": 0.0}, "no study area"),
    ],
)
def test_pai_is_none_where_undefined(arguments: dict, why: str) -> None:
    call = {
        "events_in_hot_spots": 3,
        "events_total": 10,
        "hot_spot_area": 1.0,
        "study_area": 4.0,
        **arguments,
    }
    assert predictive_accuracy_index(**call) is None, why


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ({"events_in_hot_spots_before": 0}, "nothing to recapture"),
        ({"events_in_hot_spots_before": 0, "events_before": 0}, "no events before"),
        ({"events_in_hot_spots_after": 0, "events_after": 0}, "no events after"),
    ],
)
def test_rri_is_none_where_undefined(arguments: dict, why: str) -> None:
    call = {
        "events_in_hot_spots_before": 4,
        "events_in_hot_spots_after": 3,
        "events_before": 10,
        "events_after": 8,
        **arguments,
    }
    assert recapture_rate_index(**call) is None, why


def test_no_events_in_the_following_period_leaves_every_index_undefined() -> None:
    result = evaluate_hot_spots(
        hot_spots=np.array([True, False]), counts_before=[2, 1], counts_after=[0, 0]
    )
    assert result.hit_rate is None
    assert result.predictive_accuracy_index is None
    assert result.recapture_rate_index is None
    assert result.area_share == pytest.approx(0.5)


def test_no_hot_spots_give_a_hit_rate_of_zero_and_no_pai() -> None:
    result = evaluate_hot_spots(
        hot_spots=np.array([False, False]), counts_before=[2, 1], counts_after=[1, 1]
    )
    assert result.hit_rate == 0.0
    assert result.predictive_accuracy_index is None
    assert result.recapture_rate_index is None


def test_an_empty_study_area_leaves_every_index_undefined() -> None:
    result = evaluate_hot_spots(
        hot_spots=np.array([], dtype=bool), counts_before=[], counts_after=[]
    )
    assert result.hit_rate is None
    assert result.area_share is None
    assert result.predictive_accuracy_index is None
    assert result.recapture_rate_index is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"hot_spots": [1, 0, 1]}, "boolean"),
        ({"hot_spots": np.array([[True, False, True]])}, "boolean"),
        ({"counts_after": [1, 2]}, "one value per cell"),
        ({"counts_before": [1, -2, 3]}, "non-negative"),
        ({"counts_after": [1, np.nan, 3]}, "non-negative"),
        ({"cell_areas": [1.0, 1.0, -1.0]}, "non-negative"),
        ({"cell_areas": [1.0, 1.0]}, "one value per cell"),
    ],
)
def test_bad_maps_are_refused_with_a_clear_error(arguments: dict, message: str) -> None:
    call = {
        "hot_spots": np.array([True, False, True]),
        "counts_before": [1, 2, 3],
        "counts_after": [3, 2, 1],
        **arguments,
    }
    with pytest.raises(ValueError, match=message):
        evaluate_hot_spots(**call)


def test_inconsistent_counts_and_areas_are_refused() -> None:
    with pytest.raises(ValueError, match="numbers"):
        hit_rate(events_in_hot_spots="3", events_total=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="numbers"):
        evaluate_hot_spots(hot_spots=np.array([True]), counts_before=["many"], counts_after=[1])
    with pytest.raises(ValueError, match="more than"):
        hit_rate(events_in_hot_spots=5, events_total=4)
    with pytest.raises(ValueError, match="non-negative"):
        hit_rate(events_in_hot_spots=-1, events_total=4)
    with pytest.raises(ValueError, match="larger than the study area"):
        predictive_accuracy_index(
            events_in_hot_spots=1, events_total=2, hot_spot_area=5.0, study_area=4.0
        )
    with pytest.raises(ValueError, match="non-negative"):
        recapture_rate_index(
            events_in_hot_spots_before=1,
            events_in_hot_spots_after=1,
            events_before=float("nan"),
            events_after=2,
        )
