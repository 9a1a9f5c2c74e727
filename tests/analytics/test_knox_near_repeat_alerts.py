"""Near-repeat alerts: when the Knox test shows a significant excess of close pairs, every
event of the current window is listed with the area at risk around it.

End to end on planted burglary series (repeats within 80 m and 3 days of a first event,
among events scattered at random), and the window's rules on tables built by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from ourbeat.analytics.stats.knox import (
    KnoxResult,
    knox,
    near_repeat_alerts,
    near_repeat_window,
    space_band_labels,
    time_band_labels,
)

START = date(2023, 1, 1)
TODAY = date(2023, 12, 31)


def planted_series(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """2,000 burglaries at random over 20 km × 20 km and a year, 150 series of a first
    burglary and three repeats within 20 m on each axis (so within 80 m of one another) and
    three days; the last series is in progress: it started four days before TODAY. Returns
    x, y, day numbers and the indexes of that last series."""
    rng = np.random.default_rng(seed)
    start = (START - date(1970, 1, 1)).days
    today = (TODAY - date(1970, 1, 1)).days
    x = list(rng.uniform(0, 20_000, 2_000))
    y = list(rng.uniform(0, 20_000, 2_000))
    days = list(rng.integers(start, today + 1, 2_000))
    current: list[int] = []
    for series in range(150):
        first_x, first_y = rng.uniform(0, 20_000, 2)
        first_day = today - 4 if series == 149 else int(rng.integers(start, today - 3))
        for repeat in range(4):
            if series == 149:
                current.append(len(x))
            dx, dy = (0.0, 0.0) if repeat == 0 else rng.uniform(-20, 20, 2)
            x.append(first_x + dx)
            y.append(first_y + dy)
            days.append(first_day + (0 if repeat == 0 else int(rng.integers(0, 4))))
    return np.array(x), np.array(y), np.array(days, dtype=np.int64), current


def test_a_planted_series_in_progress_raises_alerts_for_the_last_week() -> None:
    x, y, days, current = planted_series(2023)
    result = knox(
        x,
        y,
        days,
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=199,
        seed=2023,
    )
    window = near_repeat_window(result)
    assert window is not None
    assert (window.distance, window.days, window.metric) == (100.0, 7, "manhattan")

    alerts = near_repeat_alerts(x=x, y=y, days=days, result=result, today=TODAY)

    today = (TODAY - date(1970, 1, 1)).days
    recent = np.flatnonzero((days <= today) & (days > today - 7))
    assert sorted(alert.index for alert in alerts) == sorted(recent.tolist())
    assert set(current) <= {alert.index for alert in alerts}
    assert [alert.day for alert in alerts] == sorted((alert.day for alert in alerts), reverse=True)
    for alert in alerts:
        assert alert.day == date(1970, 1, 1) + timedelta(days=int(days[alert.index]))
        assert alert.until == alert.day + timedelta(days=6)
        assert alert.radius == 100.0
        assert (alert.x, alert.y) == (x[alert.index], y[alert.index])
        # Linked: the other recent events within 100 m (Manhattan) and 7 days, by brute force.
        others = recent[recent != alert.index]
        near = (np.abs(x[others] - x[alert.index]) + np.abs(y[others] - y[alert.index]) < 100) & (
            np.abs(days[others] - days[alert.index]) < 7
        )
        assert sorted(alert.linked) == sorted(others[near].tolist())
    by_index = {alert.index: alert for alert in alerts}
    for member in current:
        assert set(by_index[member].linked) >= set(current) - {member}
    assert by_index[current[0]].to_dict()["until"] == (TODAY + timedelta(days=2)).isoformat()


def test_no_event_in_the_window_gives_no_alert() -> None:
    x, y, days, _ = planted_series(2023)
    result = knox(
        x, y, days, space_bandwidth=100, space_bands=3, time_bandwidth=7, time_bands=3, seed=1
    )
    assert near_repeat_window(result) is not None
    before_everything = START - timedelta(days=1)
    alerts = near_repeat_alerts(x=x, y=y, days=days, result=result, today=before_everything)
    assert alerts == []


def table(
    significant: list[tuple[int, int]], *, below_one: list[tuple[int, int]] | None = None
) -> KnoxResult:
    """A 100 m × 3, 7 days × 3 result whose p is 0.01 in the given cells (with a ratio of
    2, or 0.5 for ``below_one``) and 0.6 elsewhere."""
    p = np.full((5, 4), 0.6)
    ratio = np.ones((5, 4))
    for cell in significant:
        p[cell], ratio[cell] = 0.01, 2.0
    for cell in below_one or []:
        p[cell], ratio[cell] = 0.01, 0.5
    return KnoxResult(
        observed=np.zeros((5, 4), dtype=np.int64),
        expected=np.ones((5, 4)),
        ratio=ratio,
        p=p,
        simulated=np.zeros((99, 5, 4), dtype=np.int64),
        row_labels=space_band_labels(100, 3),
        col_labels=time_band_labels(7, 3),
        distance_edges=(100.0, 200.0, 300.0),
        day_edges=(7, 14, 21),
        metric="euclidean",
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=99,
        seed=None,
        events=10,
    )


@pytest.mark.parametrize(
    ("cells", "below_one", "window"),
    [
        ([], [], None),
        ([(1, 0), (2, 0), (1, 1)], [], (200.0, 14, False)),
        # A far, isolated excess does not stretch the window.
        ([(1, 0), (3, 0), (3, 2)], [], (100.0, 7, False)),
        # Nothing in the first time band: no near-repeat window at all.
        ([(1, 1), (2, 1)], [], None),
        # Significant deficits (ratio below 1) are not risks.
        ([(1, 0)], [(2, 0), (1, 1)], (100.0, 7, False)),
        # The "More than" row and column never count.
        ([(4, 0), (1, 3), (2, 3)], [], None),
        # A repeat at the same place only: radius 0.
        ([(0, 0), (0, 1)], [], (0.0, 14, True)),
        ([(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (2, 2)], [], (300.0, 21, True)),
    ],
)
def test_the_window_is_the_run_of_significant_bands_from_the_origin(
    cells: list[tuple[int, int]],
    below_one: list[tuple[int, int]],
    window: tuple[float, int, bool] | None,
) -> None:
    found = near_repeat_window(table(cells, below_one=below_one))
    if window is None:
        assert found is None
    else:
        assert found is not None
        assert (found.distance, found.days, found.same_location) == window


def test_a_same_location_window_links_only_events_at_the_same_place() -> None:
    result = table([(0, 0)])
    x = np.array([500.0, 500.0, 510.0, 500.0])
    y = np.array([800.0, 800.0, 800.0, 800.0])
    days = np.array(["2023-12-30", "2023-12-28", "2023-12-31", "2023-12-20"], dtype="datetime64[D]")
    alerts = near_repeat_alerts(x=x, y=y, days=days, result=result, today=TODAY)
    assert [alert.index for alert in alerts] == [2, 0, 1]
    assert [alert.radius for alert in alerts] == [0.0, 0.0, 0.0]
    assert [alert.linked for alert in alerts] == [(), (1,), (0,)]
    assert alerts[0].metric == "euclidean"
    assert alerts[1].to_dict() == {
        "index": 0,
        "x": 500.0,
        "y": 800.0,
        "day": "2023-12-30",
        "radius": 0.0,
        "metric": "euclidean",
        "until": "2024-01-05",
        "linked": [1],
    }
