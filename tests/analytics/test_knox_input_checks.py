"""``knox`` reads dates in any usual form and refuses bad arguments with a ValueError that
names the problem."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from ourbeat.analytics.stats.knox import knox

X = [0.0, 50.0, 120.0, 130.0, 400.0]
Y = [0.0, 0.0, 30.0, 10.0, 0.0]
DAYS = [date(2024, 1, 1) + timedelta(days=gap) for gap in (0, 3, 9, 9, 30)]
BANDS: dict[str, Any] = {
    "space_bandwidth": 100,
    "space_bands": 3,
    "time_bandwidth": 7,
    "time_bands": 3,
}


def test_dates_as_dates_iso_strings_datetime64_or_day_numbers_give_the_same_table() -> None:
    forms: list[Any] = [
        DAYS,
        [day.isoformat() for day in DAYS],
        np.array(DAYS, dtype="datetime64[D]"),
        [(day - date(1970, 1, 1)).days for day in DAYS],
        np.array([(day - date(1970, 1, 1)).days for day in DAYS], dtype=float),
    ]
    tables = [
        knox(
            X, Y, days, space_bandwidth=100, space_bands=3, time_bandwidth=7, time_bands=3
        ).observed
        for days in forms
    ]
    for table in tables[1:]:
        np.testing.assert_array_equal(table, tables[0])
    # Worked by hand, Manhattan metres and days apart:
    # (1,2) 50 m 3 d; (1,3) 150 m 9 d; (1,4) 140 m 9 d; (1,5) 400 m 30 d; (2,3) 100 m 6 d;
    # (2,4) 90 m 6 d; (2,5) 350 m 27 d; (3,4) 30 m 0 d; (3,5) 310 m 21 d; (4,5) 280 m 21 d.
    expected = np.zeros((5, 4), dtype=int)
    for row, column in [(1, 0), (2, 1), (2, 1), (4, 3), (2, 0), (1, 0), (4, 3), (1, 0), (4, 3)]:
        expected[row, column] += 1
    expected[3, 3] += 1
    np.testing.assert_array_equal(tables[0], expected)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": X[:4]}, "4 coordinates but 5 dates|same length"),
        ({"days": DAYS[:4]}, "5 coordinates but 4 dates"),
        ({"x": X[:1], "y": Y[:1], "days": DAYS[:1]}, "at least two events"),
        ({"x": [0.0, np.nan, 1, 2, 3]}, "finite"),
        ({"y": [0.0, np.inf, 1, 2, 3]}, "finite"),
        ({"x": [0.0, 1e39, 1, 2, 3]}, "too large for single precision"),
        ({"x": ["a", "b", "c", "d", "e"]}, "coordinates must be numbers"),
        ({"days": ["2024-01-01", "soon", "2024-01-03", "2024-01-04", "2024-01-05"]}, "dates"),
        ({"days": [0, 1.5, 2, 3, 4]}, "whole numbers"),
        ({"days": [[0, 1], [2, 3]]}, "one-dimensional"),
        ({"metric": "chebyshev"}, "metric must be one of"),
        ({"space_bandwidth": 0}, "space_bandwidth must be a positive number"),
        ({"space_bandwidth": float("inf")}, "space_bandwidth must be a positive number"),
        ({"space_bandwidth": "wide"}, "space_bandwidth must be a number"),
        ({"space_bands": 0}, "space_bands must be between"),
        ({"space_bands": 2.5}, "space_bands must be a whole number"),
        ({"time_bands": 101}, "time_bands must be between"),
        ({"time_bandwidth": 0}, "time_bandwidth must be between"),
        ({"time_bandwidth": 1.5}, "time_bandwidth must be a whole number"),
        ({"permutations": 0}, "permutations must be between"),
        ({"permutations": True}, "permutations must be a whole number"),
        ({"seed": "abc"}, "seed must be a whole number"),
        ({"max_close_pairs": 3}, "use narrower space bands"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(
    change: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"x": X, "y": Y, "days": DAYS, **BANDS, "permutations": 9}
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        knox(
            arguments.pop("x"),
            arguments.pop("y"),
            arguments.pop("days"),
            **arguments,
        )


def test_progress_is_reported_up_to_the_number_of_permutations() -> None:
    reports: list[tuple[int, int]] = []
    knox(
        X,
        Y,
        DAYS,
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=25,
        seed=1,
        progress=lambda done, total: reports.append((done, total)),
    )
    assert reports[-1] == (25, 25)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
