"""Repeat locations and repeat victims, ranked.

A small share of places and people account for a large share of harm (the "vital few"):
this module counts events by key, ranks the keys that come back, and says how concentrated
the events are. Pure numpy/pandas, no Django.

Keys are pseudonymous already: a location key or a victim key is the 16-hex-digit keyed
hash of ``ourbeat.analytics.keys``, and the functions here refuse anything else, so a raw
victim reference (a name, a crime number) can never be passed through into a ranking. An
empty key means "no location" or "no victim recorded": such events are counted apart and
take no part in the ranking or the shares.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

KEY_PATTERN = re.compile(r"[0-9a-f]{16}")
VITAL_FEW = 0.10


@dataclass(frozen=True)
class Repeat:
    """One key that came back: how often, its share of all keyed events, when first and
    last, which categories (most frequent first), and the median number of days between
    one event and the next at that key (``None`` without dates)."""

    key: str
    count: int
    share: float
    first: date | None
    last: date | None
    categories: dict[str, int]
    median_days_between: float | None


@dataclass(frozen=True)
class RepeatRanking:
    """The ranked repeats (at most ``limit``, most events first) and the concentration of
    all events: ``events`` keyed events at ``keys`` distinct keys, ``unkeyed`` events
    without a key, ``repeat_keys`` keys with at least ``minimum`` events holding
    ``repeat_events`` events, and ``vital_few_share``, the share of events at the top 10 %
    of keys (rounded up to whole keys)."""

    rows: list[Repeat]
    events: int
    unkeyed: int
    keys: int
    repeat_keys: int
    repeat_events: int
    vital_few_share: float


def _sequence(values: object, name: str) -> pd.Series:
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence with one value per event")
    if isinstance(values, pd.Series | pd.Index | np.ndarray):
        if np.ndim(values) != 1:
            raise ValueError(f"{name} must be one-dimensional")
        return pd.Series(np.asarray(values))
    return pd.Series(list(values), dtype=object)  # type: ignore[call-overload]


def _checked_keys(keys: object) -> pd.Series:
    series = _sequence(keys, "keys").astype(object).reset_index(drop=True)
    valid = series.map(lambda k: isinstance(k, str) and (k == "" or bool(KEY_PATTERN.fullmatch(k))))
    if not valid.all():
        wrong = np.flatnonzero(~valid.to_numpy(dtype=bool))
        # The offending value is not echoed: it may be exactly what must not be shown.
        raise ValueError(
            f"{len(wrong)} key(s) are not pseudonymous keys (16 lower-case hex digits, or "
            f"empty), the first at position {wrong[0]}"
        )
    return series


def _aligned(values: object, length: int, name: str) -> pd.Series:
    series = _sequence(values, name).reset_index(drop=True)
    if len(series) != length:
        raise ValueError(f"{name} has {len(series)} values for {length} keys")
    return series


def _dates(values: object, length: int) -> pd.Series:
    series = _aligned(values, length, "dates")
    if series.dtype.kind != "M":
        allowed = series.map(lambda v: v is None or v is pd.NaT or isinstance(v, date))
        if series.dtype != object or not allowed.all():
            raise TypeError("dates must be dates or datetimes")
    return pd.to_datetime(series, utc=True)


def _count(value: object, name: str, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer")
    if value < least:
        raise ValueError(f"{name} must be at least {least}")
    return int(value)


def vital_few_share(counts: npt.ArrayLike, fraction: float = VITAL_FEW) -> float:
    """The share of all events at the top ``fraction`` of keys (rounded up to whole keys,
    at least one), from each key's event count; 0.0 when there are no events."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    values = np.sort(np.asarray(counts, dtype=np.int64).reshape(-1))[::-1]
    total = int(values.sum())
    if total == 0:
        return 0.0
    top = max(1, math.ceil(fraction * len(values)))
    return float(values[:top].sum() / total)


def _ranking(
    keys: object, categories: object, dates: object, minimum: int, limit: int
) -> RepeatRanking:
    minimum = _count(minimum, "minimum", least=1)
    limit = _count(limit, "limit", least=0)
    frame = pd.DataFrame({"key": _checked_keys(keys)})
    n = len(frame)
    if categories is not None:
        frame["category"] = _aligned(categories, n, "categories").fillna("").astype(str)
    if dates is not None:
        frame["when"] = _dates(dates, n)
    keyed = frame[frame["key"] != ""]
    events = len(keyed)
    counts = keyed.groupby("key").size()
    repeats = counts[counts >= minimum]
    order = pd.DataFrame({"key": repeats.index.astype(str), "count": repeats.to_numpy()})
    # Most events first; ties by the latest event, then by key, so the order is stable.
    sort_by, descending = ["count"], [True]
    if dates is not None:
        latest = keyed.groupby("key")["when"].max()
        order["last"] = latest.reindex(order["key"]).to_numpy()
        sort_by, descending = ["count", "last"], [True, True]
    order = order.sort_values(
        [*sort_by, "key"],
        ascending=[not d for d in descending] + [True],
        kind="stable",
        na_position="last",
    ).head(limit)
    selected = keyed[keyed["key"].isin(order["key"])]
    mixes: dict[str, dict[str, int]] = {}
    if categories is not None:
        mix = selected.groupby(["key", "category"]).size().reset_index(name="n")
        mix = mix.sort_values(["key", "n", "category"], ascending=[True, False, True])
        for key, group in mix.groupby("key", sort=False):
            pairs = zip(group["category"], group["n"], strict=True)
            mixes[str(key)] = {str(category): int(n) for category, n in pairs}
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    gaps: dict[str, float] = {}
    if dates is not None:
        timed = selected.dropna(subset=["when"]).sort_values(["key", "when"], kind="stable")
        between = timed.groupby("key")["when"].diff().dt.total_seconds() / 86400
        grouped = timed.assign(days=between).groupby("key")
        first = {str(k): v.date() for k, v in grouped["when"].min().items()}
        last = {str(k): v.date() for k, v in grouped["when"].max().items()}
        gaps = {str(k): float(v) for k, v in grouped["days"].median().dropna().items()}
    rows = [
        Repeat(
            key=key,
            count=int(count),
            share=int(count) / events,
            first=first.get(key),
            last=last.get(key),
            categories=mixes.get(key, {}),
            median_days_between=gaps.get(key),
        )
        for key, count in zip(order["key"], order["count"], strict=True)
    ]
    return RepeatRanking(
        rows=rows,
        events=events,
        unkeyed=n - events,
        keys=len(counts),
        repeat_keys=len(repeats),
        repeat_events=int(repeats.sum()),
        vital_few_share=vital_few_share(counts.to_numpy()),
    )


def repeat_locations(
    keys: Sequence[str] | npt.ArrayLike,
    categories: Sequence[str] | npt.ArrayLike | None = None,
    *,
    dates: Sequence[date | datetime | None] | npt.ArrayLike | None = None,
    minimum: int = 2,
    limit: int = 50,
) -> RepeatRanking:
    """Rank the locations with at least ``minimum`` events (at most ``limit`` of them).

    ``keys`` holds one location key per event ("" for an event without a location);
    ``categories`` and ``dates`` (dates or datetimes; aware ones are compared in UTC),
    when given, are aligned with it and add each location's category mix, its first and
    last date and the median days between repeats."""
    return _ranking(keys, categories, dates, minimum, limit)


def repeat_victims(
    keys: Sequence[str] | npt.ArrayLike,
    categories: Sequence[str] | npt.ArrayLike | None = None,
    *,
    dates: Sequence[date | datetime | None] | npt.ArrayLike | None = None,
    minimum: int = 2,
    limit: int = 50,
) -> RepeatRanking:
    """Rank the victims with at least ``minimum`` events, as ``repeat_locations`` does
    for places; ``keys`` are victim keys ("" where no victim was recorded)."""
    return _ranking(keys, categories, dates, minimum, limit)
