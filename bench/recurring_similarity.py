"""Recurring concerns: which text similarity finds reports of the same problem.

Measures character n-gram TF-IDF, the WordLlama sentence embedding (loaded offline from the
wordllama package), their maximum and their weighted mean on the labelled pairs of
``ourbeat/analytics/data/recurring_labelled_pairs.json``: the threshold (and the mean's
weight) are chosen on the training split, the figures that decide are those of the
held-out split. Then times the blocking on synthetic points and the scoring of its pairs.

    .venv/bin/python bench/recurring_similarity.py [--events 50000] [--json]

The figures go into docs/decisions/0005-recurring-concern-similarity.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ourbeat.analytics import recurring  # noqa: E402


def figures_table(evaluation: recurring.Evaluation) -> str:
    lines = [
        f"labelled pairs: {evaluation.train_pairs} training, {evaluation.test_pairs} held out",
        "",
        "| scorer | threshold (train) | precision | recall | F1 | average precision "
        "| train F1 | train AP |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, figures in evaluation.figures.items():
        label: str = name
        if figures.tfidf_weight is not None:
            label = f"mean (TF-IDF weight {figures.tfidf_weight:.2f})"
        lines.append(
            f"| {label} | {figures.threshold:.3f} | {figures.test.precision:.3f} "
            f"| {figures.test.recall:.3f} | {figures.test.f1:.3f} "
            f"| {figures.test_average_precision:.3f} | {figures.train.f1:.3f} "
            f"| {figures.train_average_precision:.3f} |"
        )
    lines += ["", f"chosen: {evaluation.chosen}"]
    chosen = evaluation.figures[evaluation.chosen]
    lines.append(
        f"threshold {chosen.threshold:.3f}; another category offered from "
        f"{chosen.other_category_threshold:.3f} (precision >= "
        f"{recurring.OTHER_CATEGORY_PRECISION} on training)"
    )
    lines += ["", "held-out accuracy by language and kind:", ""]
    lines.append("| pairs | " + " | ".join(recurring.SCORERS) + " |")
    lines.append("|---|" + "---|" * len(recurring.SCORERS))
    for kind, accuracy in evaluation.by_kind.items():
        lines.append(
            f"| {kind} | "
            + " | ".join(f"{accuracy[name]:.2f}" for name in recurring.SCORERS)
            + " |"
        )
    return "\n".join(lines)


def timing(events: int, seed: int = 7) -> dict[str, float]:
    """Blocking and scoring on synthetic concerns spread over a town of about 10 x 10 km and
    a year: the points are drawn around 300 centres so that blocks are realistically full."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack(
        [51.70 + rng.uniform(0, 0.09, 300), -0.50 + rng.uniform(0, 0.14, 300)]
    )
    which = rng.integers(0, len(centres), events)
    latitudes = centres[which, 0] + rng.normal(0, 0.002, events)
    longitudes = centres[which, 1] + rng.normal(0, 0.003, events)
    days = rng.uniform(0, 365, events)
    started = time.perf_counter()
    left, right = recurring.candidate_pairs(latitudes, longitudes, days)
    blocked = time.perf_counter() - started
    words = ["light", "speeding", "needles", "noise", "graffiti", "parking", "dumped", "youths"]
    texts = [f"{words[i % len(words)]} near point {i % 97} on street {i % 13}" for i in which]
    sample = min(len(left), 200_000)
    started = time.perf_counter()
    recurring.chosen_similarities(texts, left[:sample], right[:sample])
    scored = time.perf_counter() - started
    return {
        "events": float(events),
        "all_pairs": events * (events - 1) / 2,
        "candidate_pairs": float(len(left)),
        "blocking_s": blocked,
        "scored_pairs": float(sample),
        "scoring_s": scored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    recurring.embedding_model()
    loaded = time.perf_counter() - started
    evaluation = recurring.evaluate()
    timings = timing(args.events)
    if args.json:
        print(
            json.dumps(
                {
                    "figures": {k: asdict(v) for k, v in evaluation.figures.items()},
                    "chosen": evaluation.chosen,
                    "by_kind": evaluation.by_kind,
                    "embedding_load_s": loaded,
                    "timing": timings,
                },
                indent=1,
            )
        )
        return
    print(figures_table(evaluation))
    print()
    print(f"embedding model loaded from the package in {loaded:.2f} s (no network)")
    print(
        f"blocking {timings['events']:.0f} events ({timings['all_pairs']:.3g} pairs in all): "
        f"{timings['candidate_pairs']:.0f} candidate pairs in {timings['blocking_s']:.2f} s; "
        f"scoring {timings['scored_pairs']:.0f} pairs with {recurring.SCORER} in "
        f"{timings['scoring_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
