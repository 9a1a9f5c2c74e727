"""Survey estimates for every area, wave and item at once, from 1,000,000 responses.

Generates 1,000,000 synthetic responses (completed questionnaires; seed fixed) spread over
200 areas of uneven size and 12 waves, each answering 30 items (10 yes/no, 20 on a 1–5
scale): 30,000,000 answers. Each respondent has a weight (log-normal, as raking gives).
Times ``ourbeat.surveys.statistics.grouped_estimates`` (weighted mean, linearised standard
error, t interval, n, Kish's n_eff and deff for all 200 × 12 × 30 = 72,000 groups) against
the same computation written with pandas groupby (weighted mean, standard error, n, n_eff),
on the same data in the same run; checks that both agree to 1e-9 and prints both times.

    .venv/bin/python bench/survey_estimates.py [--responses 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ourbeat.surveys.statistics import GroupedEstimates, grouped_estimates

BINARY_ITEMS = 10


def make_answers(
    responses: int, areas: int, waves: int, items: int, seed: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Answers in long form: the group code ``(area × waves + wave) × items + item``, the
    answer and the respondent's weight, one row per answer, respondent by respondent.

    Each respondent has a latent attitude: the area's level, a drift over the waves, and
    their own; each item reads it with its own noise, as agreement (1–5) or yes/no."""
    rng = np.random.default_rng(seed)
    share = rng.dirichlet(np.full(areas, 4.0))
    area = rng.choice(areas, responses, p=share)
    wave = rng.integers(0, waves, responses)
    level = rng.normal(0, 0.6, areas)
    drift = rng.normal(0, 0.05, areas)
    attitude = level[area] + drift[area] * wave + rng.normal(0, 1, responses)
    weight = np.clip(rng.lognormal(0, 0.5, responses), 0.2, 6.0)

    latent = attitude[:, None] + rng.normal(0, 0.8, (responses, items))
    answers = np.empty((responses, items))
    answers[:, :BINARY_ITEMS] = latent[:, :BINARY_ITEMS] > 0
    answers[:, BINARY_ITEMS:] = np.digitize(latent[:, BINARY_ITEMS:], [-1.5, -0.5, 0.5, 1.5]) + 1
    base = (area.astype(np.int64) * waves + wave) * items
    codes = (base[:, None] + np.arange(items, dtype=np.int64)).ravel()
    return codes, answers.ravel(), np.repeat(weight, items)


def pandas_estimates(frame: pd.DataFrame) -> pd.DataFrame:
    """The same estimator with pandas groupby: sums of w, wy and w² per group, each answer's
    residual from its group's mean, and the sum of the squared weighted residuals."""
    parts = pd.DataFrame(
        {"group": frame["group"], "w": frame["w"], "wy": frame["w"] * frame["y"]}
    ).assign(w2=frame["w"] ** 2)
    grouped = parts.groupby("group", sort=True)
    sums = grouped[["w", "wy", "w2"]].sum()
    n = grouped.size()
    mean = sums["wy"] / sums["w"]
    residual = frame["y"] - frame["group"].map(mean)
    squares = ((frame["w"] * residual) ** 2).groupby(frame["group"], sort=True).sum()
    return pd.DataFrame(
        {
            "mean": mean,
            "se": np.sqrt(n / (n - 1) * squares / sums["w"] ** 2).where(n > 1),
            "n": n,
            "n_eff": sums["w"] ** 2 / sums["w2"],
        }
    )


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--waves", type=int, default=12)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    if args.items <= BINARY_ITEMS:
        parser.error(f"--items must be more than {BINARY_ITEMS}")
    groups = args.areas * args.waves * args.items

    start = time.perf_counter()
    codes, values, weights = make_answers(
        args.responses, args.areas, args.waves, args.items, args.seed
    )
    generated = time.perf_counter() - start
    frame = pd.DataFrame({"group": codes, "y": values, "w": weights})

    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    per_group = np.bincount(codes, minlength=groups)
    print(
        f"{args.responses:,} responses × {args.items} items = {codes.size:,} answers in "
        f"{args.areas} areas × {args.waves} waves × {args.items} items = {groups:,} groups "
        f"(answers per group: min {per_group.min()}, median {int(np.median(per_group))}, "
        f"max {per_group.max()}); generated in {generated:.1f} s; best of {args.repeats} runs"
    )

    ours_time, ours = best_of(
        args.repeats, lambda: grouped_estimates(codes, values, weights, n_groups=groups)
    )
    pandas_time, reference = best_of(args.repeats, lambda: pandas_estimates(frame))
    assert isinstance(ours, GroupedEstimates)
    assert isinstance(reference, pd.DataFrame)

    # pandas lists only the groups with answers; ours has every code (n = 0 and NaN for the
    # rest). A group of one has no standard error in either.
    reference = reference.reindex(np.arange(groups))
    for field in ("mean", "se", "n_eff"):
        np.testing.assert_allclose(
            getattr(ours, field), reference[field].to_numpy(), rtol=1e-9, atol=1e-12, err_msg=field
        )
    assert (ours.n == reference["n"].fillna(0).to_numpy()).all()

    rows = [
        ("pandas groupby (mean, SE, n, n_eff)", pandas_time),
        ("grouped_estimates (+ CI, deff)", ours_time),
    ]
    print()
    print(f"{'method':<38} {'seconds':>8} {'answers/s':>14}")
    for name, seconds in rows:
        print(f"{name:<38} {seconds:>8.2f} {codes.size / seconds:>14,.0f}")
    print()
    print(
        f"mean, SE, n and n_eff agree to 1e-9 (relative; 1e-12 absolute) for all {groups:,} groups"
    )
    print(f"grouped_estimates is {pandas_time / ours_time:.1f}x as fast as pandas groupby")


if __name__ == "__main__":
    main()
