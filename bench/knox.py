"""The Knox test for near repeats on 20,000 and 50,000 real burglaries, 99 permutations.

Reads the Chicago residential burglaries of 2014–2017 (``../shared/data/nearrepeat/``,
45,319 events, dates day/month/year): the first 20,000 in date order (January 2014 to
July 2015), and all of them plus 4,681 drawn from them and moved by up to 500 m and 30 days
for 50,000. Bands as the Near Repeat Calculator is usually run on burglary: Manhattan
distance, 100 m × 3, 7 days × 3.

Times ``ourbeat.analytics.stats.knox.knox`` (KD-tree close pairs, sorted-date margins,
99 permutations in vectorised blocks; goal: under 10 s for 20,000 events) against the
reference in the same run: the observed table counted over all n(n − 1)/2 pairs with numpy
broadcasting (in blocks of rows, so memory stays bounded). The two observed tables must be
equal. A naive Knox test recounts all pairs for the observed table and for each
permutation, so it takes (1 + 99) × that time: the figure printed for it is that
extrapolation, not a run.

    .venv/bin/python bench/knox.py [--permutations 99] [--repeats 3] [--skip-reference-50k]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ourbeat.analytics.stats.knox import KnoxResult, knox

BURGLARIES = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "data"
    / "nearrepeat"
    / "chicago_burglary_2014_2017.csv"
)
SPACE_BANDWIDTH, SPACE_BANDS, TIME_BANDWIDTH, TIME_BANDS = 100.0, 3, 7, 3

Events = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]


def load_events(count: int, seed: int) -> Events:
    frame = pd.read_csv(BURGLARIES)
    days = pd.to_datetime(frame["date_single"], format="%d/%m/%Y").to_numpy()
    day_numbers = days.astype("datetime64[D]").astype(np.int64)
    order = np.argsort(day_numbers, kind="stable")
    x = frame["x"].to_numpy()[order]
    y = frame["y"].to_numpy()[order]
    day_numbers = day_numbers[order]
    if count <= len(frame):
        return x[:count], y[:count], day_numbers[:count]
    rng = np.random.default_rng(seed)
    extra = rng.choice(len(frame), count - len(frame))
    return (
        np.concatenate([x, x[extra] + rng.uniform(-500, 500, extra.size)]),
        np.concatenate([y, y[extra] + rng.uniform(-500, 500, extra.size)]),
        np.concatenate([day_numbers, day_numbers[extra] + rng.integers(-30, 31, extra.size)]),
    )


def all_pairs_observed(events: Events) -> npt.NDArray[np.int64]:
    """The observed table over every pair i < j, by broadcasting a block of rows against
    the events after it (about four million pairs at a time): Manhattan distances of the
    single-precision points, band by band as the calculator counts."""
    x, y, days = events
    block = max(1, 4_000_000 // x.size)
    xs = x.astype(np.float32).astype(np.float64)
    ys = y.astype(np.float32).astype(np.float64)
    n = xs.size
    columns = TIME_BANDS + 1
    counts = np.zeros((SPACE_BANDS + 2) * columns, dtype=np.int64)
    distance_edges = SPACE_BANDWIDTH * np.arange(1, SPACE_BANDS + 1)
    for start in range(0, n, block):
        stop = min(start + block, n)
        distance = np.abs(xs[start:stop, None] - xs[None, start:])
        distance += np.abs(ys[start:stop, None] - ys[None, start:])
        gap = np.abs(days[start:stop, None] - days[None, start:])
        later = np.arange(start, n)[None, :] > np.arange(start, stop)[:, None]
        rows = np.searchsorted(distance_edges, distance[later], side="right") + 1
        rows[distance[later] == 0] = 0
        cols = np.minimum(gap[later] // TIME_BANDWIDTH, TIME_BANDS)
        counts += np.bincount(rows * columns + cols, minlength=counts.size)
    return counts.reshape(SPACE_BANDS + 2, columns)


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_knox(events: Events, permutations: int, seed: int) -> KnoxResult:
    x, y, days = events
    return knox(
        x,
        y,
        days,
        metric="manhattan",
        space_bandwidth=SPACE_BANDWIDTH,
        space_bands=SPACE_BANDS,
        time_bandwidth=TIME_BANDWIDTH,
        time_bands=TIME_BANDS,
        permutations=permutations,
        seed=seed,
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument(
        "--skip-reference-50k",
        action="store_true",
        help="do not count all pairs of the 50,000 events (about 1.25 billion pairs)",
    )
    args = parser.parse_args()

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__};"
        f" {os.cpu_count()} CPUs ({cpu_model()})"
    )
    print(
        f"Manhattan, {SPACE_BANDWIDTH:g} m × {SPACE_BANDS}, {TIME_BANDWIDTH} days × "
        f"{TIME_BANDS}; {args.permutations} permutations; best of {args.repeats} runs"
    )
    print()
    print(
        f"{'events':>7} {'close pairs':>12} {'knox (s)':>9} {'all pairs, observed only (s)':>29}"
        f" {'naive knox, extrapolated (s)':>29}"
    )
    for count in (20_000, 50_000):
        events = load_events(count, args.seed)
        ours_time, ours = best_of(
            args.repeats, partial(run_knox, events, args.permutations, args.seed)
        )
        assert isinstance(ours, KnoxResult)
        close = int(ours.observed[: SPACE_BANDS + 1].sum())
        if count == 50_000 and args.skip_reference_50k:
            print(f"{count:>7,} {close:>12,} {ours_time:>9.2f} {'(skipped)':>29}")
            continue
        reference_time, reference = best_of(1, partial(all_pairs_observed, events))
        np.testing.assert_array_equal(ours.observed, reference)
        naive = reference_time * (args.permutations + 1)
        print(f"{count:>7,} {close:>12,} {ours_time:>9.2f} {reference_time:>29.2f} {naive:>29.0f}")
        print(
            f"        observed tables equal; knox with {args.permutations} permutations is "
            f"{reference_time / ours_time:.1f}x as fast as counting all pairs once, "
            f"{naive / ours_time:,.0f}x the naive test"
        )


if __name__ == "__main__":
    main()
