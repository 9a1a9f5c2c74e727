"""Repeat locations and repeat victims are ranked by how often they come back, with their
share of all events, first and last dates, category mix and the median time between
repeats, and the share of events at the "vital few" (the top 10 % of keys); only
pseudonymous keys are accepted, so a raw victim reference can never reach a ranking.

The expectations are worked by hand below, or computed by plain Python (``Counter``) in the
property test."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ourbeat.analytics.repeats import repeat_locations, repeat_victims, vital_few_share

# The bad-input cases pass what the signature forbids, as an untyped caller could.
untyped: Any = repeat_locations

A, B, C, D = ("a" * 16, "b" * 16, "c" * 16, "d" * 16)

# Twelve events: D four times, A three, B twice, C once, two without a location.
KEYS = [D, A, "", D, B, A, C, D, B, "", A, D]
CATEGORIES = [
    "burglary",
    "violent-crime",
    "burglary",
    "burglary",
    "shoplifting",
    "violent-crime",
    "drugs",
    "other-theft",
    "shoplifting",
    "drugs",
    "anti-social-behaviour",
    "burglary",
]
DATES = [
    date(2025, 1, 1),  # D
    datetime(2025, 1, 5, 0, 0, tzinfo=UTC),  # A
    date(2025, 1, 6),
    date(2025, 1, 3),  # D
    date(2025, 3, 1),  # B
    datetime(2025, 1, 5, 12, 0, tzinfo=UTC),  # A
    date(2025, 2, 1),  # C
    date(2025, 1, 10),  # D
    date(2025, 3, 1),  # B
    date(2025, 1, 9),
    datetime(2025, 2, 4, 0, 0, tzinfo=UTC),  # A
    date(2025, 1, 11),  # D
]


def test_locations_are_ranked_by_count_with_share_dates_mix_and_time_between() -> None:
    ranking = repeat_locations(KEYS, CATEGORIES, dates=DATES)
    assert [(r.key, r.count) for r in ranking.rows] == [(D, 4), (A, 3), (B, 2)]
    assert (ranking.events, ranking.unkeyed, ranking.keys) == (10, 2, 4)
    assert (ranking.repeat_keys, ranking.repeat_events) == (3, 9)
    d, a, b = ranking.rows
    assert d.share == pytest.approx(4 / 10)
    assert (d.first, d.last) == (date(2025, 1, 1), date(2025, 1, 11))
    # Jan 1 -> 3 -> 10 -> 11: gaps of 2, 7 and 1 days.
    assert d.median_days_between == pytest.approx(2.0)
    # Jan 5 00:00 -> Jan 5 12:00 -> Feb 4 00:00: half a day, then 29 and a half days.
    assert a.median_days_between == pytest.approx(15.0)
    assert b.median_days_between == pytest.approx(0.0)
    assert d.categories == {"burglary": 3, "other-theft": 1}
    assert list(a.categories) == ["violent-crime", "anti-social-behaviour"]
    assert b.categories == {"shoplifting": 2}


def test_the_vital_few_are_the_top_tenth_of_keys_rounded_up() -> None:
    # Four keys: the top one (ceil 0.4) holds 4 of the 10 keyed events.
    assert repeat_locations(KEYS).vital_few_share == pytest.approx(0.4)
    # Twenty keys: two with ten events each and eighteen with one.
    counts = [10, 10] + [1] * 18
    keys = [f"{k:016x}" for k, n in enumerate(counts) for _ in range(n)]
    assert repeat_locations(keys).vital_few_share == pytest.approx(20 / 38)
    assert vital_few_share(counts) == pytest.approx(20 / 38)
    # The top half: the two tens and eight ones.
    assert vital_few_share(counts, 0.5) == pytest.approx(28 / 38)
    assert vital_few_share([]) == 0.0


def test_minimum_and_limit_cut_the_rows_but_not_the_totals() -> None:
    assert [r.key for r in repeat_locations(KEYS, minimum=4).rows] == [D]
    assert [r.key for r in repeat_locations(KEYS, minimum=1).rows] == [D, A, B, C]
    limited = repeat_locations(KEYS, limit=1)
    assert [r.key for r in limited.rows] == [D]
    assert (limited.repeat_keys, limited.repeat_events) == (3, 9)
    assert repeat_locations(KEYS, limit=0).rows == []


def test_ties_go_to_the_most_recent_then_to_the_key() -> None:
    keys = [B, B, A, A, C, C]
    day = date(2025, 1, 1)
    dates = [day, day.replace(day=2), day, day.replace(month=5), day, day.replace(day=2)]
    assert [r.key for r in repeat_victims(keys, dates=dates).rows] == [A, B, C]
    assert [r.key for r in repeat_victims([C, C, A, A, B, B]).rows] == [A, B, C]


def test_without_dates_or_categories_only_counts_are_given() -> None:
    (row, *_rest) = repeat_victims(KEYS).rows
    assert (row.first, row.last, row.median_days_between, row.categories) == (None, None, None, {})


def test_aware_datetimes_are_compared_as_instants() -> None:
    plus_two = timezone(timedelta(hours=2))
    dates = [
        datetime(2025, 6, 1, 1, 0, tzinfo=plus_two),  # 2025-05-31 23:00 UTC
        datetime(2025, 6, 1, 11, 0, tzinfo=UTC),
    ]
    (row,) = repeat_locations([A, A], dates=dates).rows
    assert row.median_days_between == pytest.approx(0.5)
    assert (row.first, row.last) == (date(2025, 5, 31), date(2025, 6, 1))


def test_arrays_and_series_are_accepted_like_lists() -> None:
    from_list = repeat_locations(KEYS, CATEGORIES, dates=DATES)
    as_dates = pd.to_datetime(pd.Series(DATES, dtype=object), utc=True)
    from_arrays = repeat_locations(
        np.array(KEYS), pd.Series(CATEGORIES), dates=as_dates.to_numpy(dtype="datetime64[ns]")
    )
    assert from_arrays == from_list


def test_nothing_in_gives_an_empty_ranking() -> None:
    for keys in ([], ["", ""]):
        ranking = repeat_victims(keys, dates=[None] * len(keys))
        assert ranking.rows == []
        assert (ranking.events, ranking.keys, ranking.vital_few_share) == (0, 0, 0.0)


@pytest.mark.parametrize(
    "reference", ["Jane Smith", "CR/0123/24", "A" * 16, "0123456789abcdef0", "zzzzzzzzzzzzzzzz"]
)
def test_a_raw_victim_reference_is_refused_and_never_echoed(reference: str) -> None:
    with pytest.raises(ValueError, match="not pseudonymous keys") as error:
        repeat_victims([A, reference, A])
    assert reference not in str(error.value)
    assert "position 1" in str(error.value)


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda: untyped(A), TypeError),
        (lambda: untyped([A, None]), ValueError),
        (lambda: untyped([A, 7]), ValueError),
        (lambda: untyped(np.array([[A, A]])), ValueError),
        (lambda: untyped([A, A], ["burglary"]), ValueError),
        (lambda: untyped([A, A], dates=[date(2025, 1, 1)]), ValueError),
        (lambda: untyped([A, A], dates=[1, 2]), TypeError),
        (lambda: untyped([A, A], dates=["2025-01-01", "2025-01-02"]), TypeError),
        (lambda: untyped([A, A], minimum=0), ValueError),
        (lambda: untyped([A, A], minimum=1.5), TypeError),
        (lambda: untyped([A, A], limit=-1), ValueError),
        (lambda: untyped([A, A], limit=True), TypeError),
        (lambda: untyped(iter([A, A])), TypeError),
        (lambda: vital_few_share([1, 2], 0), ValueError),
    ],
)
def test_bad_input_gets_a_clear_error(call: object, problem: type[Exception]) -> None:
    with pytest.raises(problem):
        call()  # type: ignore[operator]


@given(
    st.lists(st.sampled_from([A, B, C, D, "e" * 16, "f" * 16, ""]), max_size=60),
    st.integers(min_value=1, max_value=5),
)
def test_counts_and_shares_agree_with_plain_counting(keys: list[str], minimum: int) -> None:
    counter = Counter(k for k in keys if k)
    ranking = repeat_locations(keys, minimum=minimum, limit=100)
    expected = sorted(((-n, k) for k, n in counter.items() if n >= minimum))
    assert [(r.key, r.count) for r in ranking.rows] == [(k, -n) for n, k in expected]
    total = sum(counter.values())
    assert all(r.share == pytest.approx(r.count / total) for r in ranking.rows)
    assert ranking.unkeyed == keys.count("")
    top = max(1, math.ceil(len(counter) / 10))
    by_count = sorted(counter.values(), reverse=True)
    assert ranking.vital_few_share == pytest.approx(sum(by_count[:top]) / total if total else 0)
