"""The Knox test for near repeats, with the conventions of the Near Repeat Calculator 1.3.

Pure numpy/scipy: no Django. Every pair of events is placed in a space band and a time band;
the observed table counts the pairs in each cell, and Monte Carlo permutations of the dates
over the fixed locations give the counts expected if when and where were independent.

The calculator's conventions, reproduced so that observed tables match it exactly:

- coordinates are held in single precision (float32), then distances are taken between
  those rounded points; "same location" means a distance of exactly 0;
- a space band labelled "a to b" covers distances [a − 1, b): with a bandwidth of 100 the
  bands are [0, 100) without 0 itself, [100, 200), [200, 300), and "More than 300" is
  [300, ∞);
- time bands are whole days, and "a to b" also covers [a − 1, b): with 7 days, "0 to 7"
  holds differences of 0–6 days, "8 to 14" 7–13 days, "15 to 21" 14–20 days and
  "More than 21" 21 days or more (the calculator's own outputs decide this; see
  ``tests/analytics/test_knox_matches_the_near_repeat_calculator.py``);
- with N iterations it runs N − 1 permutations and reports
  p = (1 + #{simulated ≥ observed}) / N; here ``permutations`` is N − 1.

Only the close pairs (closer than the outer limit of the space bands) are listed, by a
KD-tree radius search; the "More than" row is the all-pairs time histogram, computed from the
sorted dates, minus the close rows. A permutation moves dates, not places, so the close pairs
stay the same and only their time differences change; and the multiset of dates is unchanged,
so the all-pairs time histogram (the column totals) is the same in every permutation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Metric = Literal["manhattan", "euclidean"]

METRICS: tuple[Metric, ...] = ("manhattan", "euclidean")
MAX_BANDS = 100
MAX_PERMUTATIONS = 99_999
# Close pairs are held as two int32 indices and a band code; past this many the bands are
# too wide for a near-repeat question and the memory would run away.
DEFAULT_MAX_CLOSE_PAIRS = 20_000_000
# Elements of the (permutations × pairs) blocks worked on at once: bounds the memory of a
# step to a few tens of megabytes whatever the number of events or permutations.
_BLOCK_ELEMENTS = 1 << 22
_EPOCH = date(1970, 1, 1)

ProgressCallback = Callable[[int, int], object]
Dates = npt.ArrayLike | Sequence[date]


@dataclass(frozen=True, eq=False)
class KnoxResult:
    """The Knox tables in the calculator's layout.

    Rows: "Same location", each space band, "More than …" (``space_bands + 2`` rows);
    columns: each time band, "More than …" (``time_bands + 1`` columns).
    """

    observed: IntArray
    """Pairs of events in each cell."""
    expected: FloatArray
    """Mean count of each cell over the permutations."""
    ratio: FloatArray
    """observed / expected (NaN where nothing is expected)."""
    p: FloatArray
    """(1 + #{simulated ≥ observed}) / (permutations + 1): one-sided, for an excess."""
    simulated: IntArray = field(repr=False)
    """The table of every permutation: ``(permutations, rows, columns)``."""
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    distance_edges: tuple[float, ...]
    """Upper limits of the space bands (exclusive): ``bandwidth × 1 … bandwidth × bands``."""
    day_edges: tuple[int, ...]
    """Upper limits of the time bands in days (exclusive)."""
    metric: Metric
    space_bandwidth: float
    space_bands: int
    time_bandwidth: int
    time_bands: int
    permutations: int
    seed: int | None
    events: int

    @property
    def iterations(self) -> int:
        """The calculator's "iterations": the observed table plus the permutations."""
        return self.permutations + 1

    @property
    def pairs(self) -> int:
        """All pairs of events, n(n − 1)/2: the sum of every table."""
        return self.events * (self.events - 1) // 2

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the four tables as row-major lists (NaN → None), labels and
        parameters. The permutation tables are left out."""
        return {
            "parameters": {
                "metric": self.metric,
                "space_bandwidth": self.space_bandwidth,
                "space_bands": self.space_bands,
                "time_bandwidth": self.time_bandwidth,
                "time_bands": self.time_bands,
                "permutations": self.permutations,
                "seed": self.seed,
            },
            "events": self.events,
            "pairs": self.pairs,
            "iterations": self.iterations,
            "row_labels": list(self.row_labels),
            "col_labels": list(self.col_labels),
            "observed": self.observed.tolist(),
            "expected": _plain(self.expected),
            "ratio": _plain(self.ratio),
            "p": _plain(self.p),
        }


@dataclass(frozen=True)
class NearRepeatWindow:
    """How far in space and time the Knox test shows a significant excess of near repeats.

    ``distance`` is the outer limit (exclusive) of the last significant space band, in the
    metric of the test; 0 when only the same location is significant. ``days`` is the outer
    limit of the last significant time band: pairs up to ``days − 1`` days apart.
    """

    distance: float
    days: int
    metric: Metric
    space_bands: int
    """How many space bands (not counting "Same location") the window spans."""
    time_bands: int
    same_location: bool
    """Whether "Same location" shows a significant excess in the window (a repeat)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "distance": self.distance,
            "days": self.days,
            "metric": self.metric,
            "space_bands": self.space_bands,
            "time_bands": self.time_bands,
            "same_location": self.same_location,
        }


@dataclass(frozen=True)
class NearRepeatAlert:
    """A recent event whose surroundings are at raised risk of a near repeat.

    The area at risk is every point within ``radius`` of (x, y) in the test's ``metric``
    (a diamond for Manhattan, a circle for Euclidean; ``radius`` 0 means the same location
    only), from ``day`` through ``until`` (inclusive).
    """

    index: int
    """Position of the event in the arrays given to ``near_repeat_alerts``."""
    x: float
    y: float
    day: date
    radius: float
    metric: Metric
    until: date
    linked: tuple[int, ...]
    """Other recent events within the radius and the time window of this one: a series."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "x": self.x,
            "y": self.y,
            "day": self.day.isoformat(),
            "radius": self.radius,
            "metric": self.metric,
            "until": self.until.isoformat(),
            "linked": list(self.linked),
        }


def knox(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    days: Dates,
    *,
    metric: Metric = "manhattan",
    space_bandwidth: float,
    space_bands: int,
    time_bandwidth: int,
    time_bands: int,
    permutations: int = 99,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
    max_close_pairs: int = DEFAULT_MAX_CLOSE_PAIRS,
) -> KnoxResult:
    """The Knox test of ``n`` events at (``x``, ``y``) (projected metres) on ``days``.

    ``days`` are dates: ``datetime64``, ``datetime.date`` objects, ISO strings, or whole day
    numbers (days since 1970-01-01). ``permutations`` is the calculator's iterations minus
    one; ``seed`` makes them reproducible. ``progress(done, total)`` is called after each
    block of permutations. Raises ``ValueError`` on bad input, including more than
    ``max_close_pairs`` pairs within the outer space band (narrow the bands).
    """
    xs, ys = _coordinates(x, y)
    day_numbers = day_numbers_of(days)
    if day_numbers.shape != xs.shape:
        raise ValueError(f"{xs.size} coordinates but {day_numbers.size} dates")
    n = xs.size
    if n < 2:
        raise ValueError("the Knox test needs at least two events")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    space_bandwidth = _positive_number("space_bandwidth", space_bandwidth)
    space_bands = _count("space_bands", space_bands, 1, MAX_BANDS)
    time_bandwidth = _count("time_bandwidth", time_bandwidth, 1, 1_000_000)
    time_bands = _count("time_bands", time_bands, 1, MAX_BANDS)
    permutations = _count("permutations", permutations, 1, MAX_PERMUTATIONS)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise ValueError("seed must be a whole number or None")

    distance_edges = space_bandwidth * np.arange(1, space_bands + 1, dtype=np.float64)
    day_edges = time_bandwidth * np.arange(1, time_bands + 1, dtype=np.int64)
    columns = time_bands + 1

    first, second, close_rows = _close_pairs(xs, ys, metric, distance_edges, max_close_pairs)
    # Band codes of the close rows (row × columns), so that a pair's cell is code + column.
    row_codes = (close_rows * columns).astype(np.int32)
    close_cells = (space_bands + 1) * columns
    day32 = (day_numbers - day_numbers.min()).astype(np.int32)

    observed_close = _close_table(
        day32[None, :], first, second, row_codes, time_bandwidth, time_bands, close_cells
    )[0]
    time_totals = _all_pairs_time_histogram(day_numbers, day_edges)

    rng = np.random.default_rng(seed)
    simulated_close = np.empty((permutations, close_cells), dtype=np.int64)
    block = max(1, min(permutations, _BLOCK_ELEMENTS // max(first.size, n, close_cells)))
    for start in range(0, permutations, block):
        size = min(block, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(day32, (size, n)), axis=1)
        simulated_close[start : start + size] = _close_table(
            shuffled, first, second, row_codes, time_bandwidth, time_bands, close_cells
        )
        if progress is not None:
            progress(start + size, permutations)

    observed = _with_beyond_row(observed_close[None, :], time_totals, space_bands)[0]
    simulated = _with_beyond_row(simulated_close, time_totals, space_bands)
    expected = simulated.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = (1 + (simulated >= observed).sum(axis=0)) / (permutations + 1)

    return KnoxResult(
        observed=observed,
        expected=expected,
        ratio=ratio,
        p=p,
        simulated=simulated,
        row_labels=space_band_labels(space_bandwidth, space_bands),
        col_labels=time_band_labels(time_bandwidth, time_bands),
        distance_edges=tuple(float(edge) for edge in distance_edges),
        day_edges=tuple(int(edge) for edge in day_edges),
        metric=metric,
        space_bandwidth=space_bandwidth,
        space_bands=space_bands,
        time_bandwidth=time_bandwidth,
        time_bands=time_bands,
        permutations=permutations,
        seed=None if seed is None else int(seed),
        events=n,
    )


def space_band_labels(bandwidth: float, bands: int) -> tuple[str, ...]:
    """The calculator's row labels: "Same location", "1 to 100", …, "More than 300"."""
    labels = ["Same location"]
    labels += [
        f"{_number(k * bandwidth + 1)} to {_number((k + 1) * bandwidth)}" for k in range(bands)
    ]
    labels.append(f"More than {_number(bands * bandwidth)}")
    return tuple(labels)


def time_band_labels(bandwidth: int, bands: int) -> tuple[str, ...]:
    """The calculator's column labels: "0 to 7", "8 to 14", …, "More than 21"."""
    labels = [f"0 to {bandwidth}"]
    labels += [f"{k * bandwidth + 1} to {(k + 1) * bandwidth}" for k in range(1, bands)]
    labels.append(f"More than {bands * bandwidth}")
    return tuple(labels)


def day_numbers_of(days: Dates) -> IntArray:
    """Dates as whole days since 1970-01-01 (``datetime64``, ``date``, ISO strings or
    integers). Raises ``ValueError`` for anything else."""
    values = np.asarray(days)
    if values.ndim != 1:
        raise ValueError("dates must be a one-dimensional sequence")
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(values != np.floor(values)):
            raise ValueError("day numbers must be whole numbers")
        return values.astype(np.int64)
    try:
        as_days = values.astype("datetime64[D]")
    except (TypeError, ValueError) as error:
        raise ValueError(f"dates could not be read: {error}") from None
    if np.any(np.isnat(as_days)):
        raise ValueError("a date is missing")
    return as_days.astype(np.int64)


def near_repeat_window(result: KnoxResult, *, alpha: float = 0.05) -> NearRepeatWindow | None:
    """The extent of the significant near-repeat excess, or None if there is none.

    A cell shows an excess when its p ≤ ``alpha`` and its ratio > 1. The window is the
    block of consecutive bands from the origin in which every band shows an excess: the time
    window runs over the first time bands each holding an excess in some close row (same
    location or a space band); the distance over the first space bands each holding an
    excess within that time window. An isolated excess far out (a chance result, or a
    different process) does not stretch the window. The "More than" row and column never
    count.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    close_rows = result.space_bands + 1
    excess = (result.p[:close_rows, : result.time_bands] <= alpha) & (
        np.nan_to_num(result.ratio[:close_rows, : result.time_bands]) > 1
    )
    time_bands = _leading_run(excess.any(axis=0))
    if time_bands == 0:
        return None
    in_window = excess[:, :time_bands]
    space_bands = _leading_run(in_window[1:].any(axis=1))
    same_location = bool(in_window[0].any())
    if space_bands == 0 and not same_location:
        return None
    return NearRepeatWindow(
        distance=result.distance_edges[space_bands - 1] if space_bands else 0.0,
        days=result.day_edges[time_bands - 1],
        metric=result.metric,
        space_bands=space_bands,
        time_bands=time_bands,
        same_location=same_location,
    )


def near_repeat_alerts(
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    days: Dates,
    result: KnoxResult,
    today: date,
    alpha: float = 0.05,
) -> list[NearRepeatAlert]:
    """Alerts for the current period: every event of the last ``window.days`` days up to
    ``today`` (an event of day d is a near-repeat risk through d + days − 1), with the area
    at risk around it, when ``result`` shows a significant near-repeat excess
    (``near_repeat_window``); an empty list when it does not.

    The events are usually those the Knox test ran on (the same arrays), but any events in
    the same projected coordinates will do. Alerts come newest first; ``linked`` lists the
    other alerted events within the window of each (a series in progress).
    """
    window = near_repeat_window(result, alpha=alpha)
    xs, ys = _coordinates(x, y)
    # The alerts give the coordinates as they came; the rounded ones only measure distances.
    given_x, given_y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    day_numbers = day_numbers_of(days)
    if day_numbers.shape != xs.shape:
        raise ValueError(f"{xs.size} coordinates but {day_numbers.size} dates")
    if window is None:
        return []
    today_number = (today - _EPOCH).days
    age = today_number - day_numbers
    recent = np.flatnonzero((age >= 0) & (age < window.days))
    if recent.size == 0:
        return []
    recent = recent[np.lexsort((recent, -day_numbers[recent]))]

    points = np.column_stack([xs[recent], ys[recent]])
    tree = cKDTree(points)
    distance_p = 1 if window.metric == "manhattan" else 2
    near = tree.query_pairs(window.distance * (1 + 1e-9), p=distance_p, output_type="ndarray")
    first, second = near[:, 0], near[:, 1]
    gaps = _distances(points[first], points[second], window.metric)
    apart = np.abs(day_numbers[recent[first]] - day_numbers[recent[second]])
    linked_pair = (gaps == 0) | ((gaps < window.distance) & (window.space_bands > 0))
    linked_pair &= apart < window.days
    first, second = first[linked_pair], second[linked_pair]
    neighbours = np.concatenate([first, second])
    others = np.concatenate([second, first])
    order = np.lexsort((others, neighbours))
    neighbours, others = neighbours[order], others[order]
    bounds = np.searchsorted(neighbours, np.arange(recent.size + 1))

    alerts = []
    for position, index in enumerate(recent.tolist()):
        day = _EPOCH + timedelta(days=int(day_numbers[index]))
        linked = others[bounds[position] : bounds[position + 1]]
        alerts.append(
            NearRepeatAlert(
                index=index,
                x=float(given_x[index]),
                y=float(given_y[index]),
                day=day,
                radius=window.distance,
                metric=window.metric,
                until=day + timedelta(days=window.days - 1),
                linked=tuple(int(i) for i in recent[linked]),
            )
        )
    return alerts


def _close_pairs(
    xs: FloatArray,
    ys: FloatArray,
    metric: Metric,
    distance_edges: FloatArray,
    max_close_pairs: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """The pairs (i < j) closer than the outer space band, and the row of each: 0 for the
    same location, k for the k-th space band."""
    points = np.column_stack([xs, ys])
    tree = cKDTree(points)
    outer = float(distance_edges[-1])
    distance_p = 1 if metric == "manhattan" else 2
    # The tree's own arithmetic decides who is within the radius; a hair wider catches a
    # pair it rounds the other way, and the bands below are then decided by our distances.
    radius = outer * (1 + 1e-9)
    candidates = (tree.count_neighbors(tree, radius, p=distance_p) - xs.size) // 2
    if candidates > max_close_pairs:
        raise ValueError(
            f"{candidates:,} pairs of events are within {_number(outer)} metres of each other "
            f"(the limit is {max_close_pairs:,}); use narrower space bands"
        )
    pairs = tree.query_pairs(radius, p=distance_p, output_type="ndarray")
    first = pairs[:, 0].astype(np.int32)
    second = pairs[:, 1].astype(np.int32)
    del pairs
    gaps = _distances(points[first], points[second], metric)
    keep = gaps < outer
    first, second, gaps = first[keep], second[keep], gaps[keep]
    rows = np.searchsorted(distance_edges, gaps, side="right") + 1
    rows[gaps == 0] = 0
    return first, second, rows.astype(np.int64)


def _distances(a: FloatArray, b: FloatArray, metric: Metric) -> FloatArray:
    difference = np.abs(a - b)
    if metric == "manhattan":
        return np.asarray(difference.sum(axis=1), dtype=np.float64)
    return np.asarray(np.hypot(difference[:, 0], difference[:, 1]), dtype=np.float64)


def _close_table(
    day_rows: npt.NDArray[np.int32],
    first: npt.NDArray[np.int32],
    second: npt.NDArray[np.int32],
    row_codes: npt.NDArray[np.int32],
    time_bandwidth: int,
    time_bands: int,
    close_cells: int,
) -> IntArray:
    """Counts of the close pairs per cell, one table (flattened) for each row of dates."""
    tables = day_rows.shape[0]
    counts = np.zeros((tables, close_cells), dtype=np.int64)
    if first.size == 0:
        return counts
    offsets = (np.arange(tables, dtype=np.int32) * close_cells)[:, None]
    step = max(1, _BLOCK_ELEMENTS // tables)
    for start in range(0, first.size, step):
        stop = start + step
        gap = np.take(day_rows, first[start:stop], axis=1)
        gap -= np.take(day_rows, second[start:stop], axis=1)
        np.abs(gap, out=gap)
        gap //= time_bandwidth
        np.minimum(gap, time_bands, out=gap)
        gap += row_codes[start:stop]
        gap += offsets
        counts += np.bincount(gap.ravel(), minlength=tables * close_cells).reshape(
            tables, close_cells
        )
    return counts


def _all_pairs_time_histogram(day_numbers: IntArray, day_edges: IntArray) -> IntArray:
    """Pairs of all events in each time band (and beyond), exactly, from the sorted dates:
    for each event, the later events less than an edge away are a searchsorted away."""
    ordered = np.sort(day_numbers)
    n = ordered.size
    below_edge = np.array(
        [
            int((np.searchsorted(ordered, ordered + edge, side="left") - np.arange(n) - 1).sum())
            for edge in day_edges.tolist()
        ],
        dtype=np.int64,
    )
    cumulative = np.concatenate([below_edge, [n * (n - 1) // 2]])
    return np.diff(cumulative, prepend=0)


def _with_beyond_row(close: IntArray, time_totals: IntArray, space_bands: int) -> IntArray:
    tables = close.reshape(close.shape[0], space_bands + 1, time_totals.size)
    beyond = time_totals - tables.sum(axis=1)
    return np.concatenate([tables, beyond[:, None, :]], axis=1)


def _coordinates(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Coordinates rounded to single precision, as the calculator holds them, then widened
    so that distances between the rounded points are exact."""
    try:
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"coordinates must be numbers: {error}") from None
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError("x and y must be one-dimensional and of the same length")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("coordinates must be finite numbers")
    largest = float(np.finfo(np.float32).max)
    if np.any(np.abs(xs) > largest) or np.any(np.abs(ys) > largest):
        raise ValueError("coordinates are too large for single precision")
    return xs.astype(np.float32).astype(np.float64), ys.astype(np.float32).astype(np.float64)


def _positive_number(name: str, value: float) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number")
    return number


def _count(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:,} and {high:,}")
    return int(value)


def _leading_run(flags: npt.ArrayLike) -> int:
    """How many of the first flags are all true."""
    values = np.asarray(flags, dtype=bool)
    misses = np.flatnonzero(~values)
    return int(misses[0]) if misses.size else int(values.size)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _plain(table: FloatArray) -> list[list[float | None]]:
    return [[None if math.isnan(v) else float(v) for v in row] for row in table.tolist()]


__all__ = (
    "KnoxResult",
    "NearRepeatAlert",
    "NearRepeatWindow",
    "day_numbers_of",
    "knox",
    "near_repeat_alerts",
    "near_repeat_window",
    "space_band_labels",
    "time_band_labels",
)
