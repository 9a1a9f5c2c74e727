"""The Knox test reproduces the Near Repeat Calculator 1.3 (Ratcliffe) on its own outputs.

The calculator's verbose files (../shared/data/nearrepeat/) hold, for every cell, the
observed count and the count of each of its permutations ("Expected, …"). The observed
tables must match exactly; expected counts, ratios and p-values come from random
permutations, so they are compared within Monte Carlo error: ours from 999 permutations, the
calculator's from 19 (be_month1) or 99 (arson).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

from ourbeat.analytics.stats.knox import KnoxResult, knox

NEAR_REPEAT = Path(__file__).resolve().parents[3] / "shared" / "data" / "nearrepeat"
OUR_PERMUTATIONS = 999
# Two-sided normal tail of 4.5 standard errors: about 7e-6 per cell, so over the 40 cells
# of both files a false alarm is very unlikely, while a wrong null (a band convention off
# by one day or one metre) moves several cells by far more.
STANDARD_ERRORS = 4.5
# A cell's count of permutations at or above the observed is binomial; the calculator's
# count must be plausible at this level given the probability that ours estimates.
BINOMIAL_LEVEL = 0.001


@dataclass(frozen=True)
class CalculatorRun:
    row_labels: list[str]
    col_labels: list[str]
    observed: np.ndarray
    ratio: np.ndarray
    p: np.ndarray
    permuted: np.ndarray  # (rows, columns, permutations)


@dataclass(frozen=True)
class Case:
    data: str
    verbose: str
    space_bandwidth: int
    time_bandwidth: int


CASES = {
    "be_month1": Case(
        "chicago_be_month1.csv", "chicago_be_month1_NRverbose_2019-09-23_143005.csv", 100, 7
    ),
    "arson": Case("chicago_arson.csv", "chicago_arson_NRverbose_2019-09-23_145637.csv", 200, 1),
}


def _number(text: str) -> float:
    # The calculator leaves zero cells blank and writes ".43" for 0.43.
    return float(text) if text.strip() else 0.0


def read_calculator(path: Path) -> CalculatorRun:
    lines = path.read_text(encoding="ascii").splitlines()

    def table(title: str) -> tuple[list[str], list[str], np.ndarray]:
        start = lines.index(title)
        col_labels = lines[start + 1].split(",")[2:-1]
        rows, values = [], []
        for line in lines[start + 3 :]:
            if not line.strip():
                break
            cells = line.split(",")
            rows.append(cells[1].strip())
            values.append([_number(cell) for cell in cells[2:-1]])
        return rows, col_labels, np.array(values)

    row_labels, col_labels, observed = table("Observed frequencies distribution")
    _, _, ratio = table("Observed over mean expected frequencies")
    _, _, p = table("Statistical significant table")

    blocks: dict[tuple[int, int], list[int]] = {}
    cell: tuple[int, int] | None = None
    for line in lines:
        if line.startswith("Row ") and " Column " in line:
            words = line.split()
            cell = (int(words[1]) - 1, int(words[3]) - 1)
            blocks[cell] = []
        elif cell is not None and (line.startswith("Expected,") or line.startswith(",")):
            blocks[cell] += [int(v) for v in line.split(",")[1:] if v.strip()]
        elif line.startswith("Observed,"):
            cell = None
    shape = observed.shape
    counts = {len(values) for values in blocks.values()}
    assert len(blocks) == shape[0] * shape[1], "a cell's permutations are missing"
    assert len(counts) == 1, "the cells have different numbers of permutations"
    permuted = np.array(
        [[blocks[(r, c)] for c in range(shape[1])] for r in range(shape[0])], dtype=np.int64
    )
    return CalculatorRun(
        row_labels, col_labels, observed.astype(np.int64), ratio, p, permuted=permuted
    )


def read_events(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return (
        np.array([float(row[0]) for row in rows]),
        np.array([float(row[1]) for row in rows]),
        np.array([row[2] for row in rows], dtype="datetime64[D]"),
    )


@pytest.fixture(scope="module", params=sorted(CASES))
def run(request: pytest.FixtureRequest) -> tuple[CalculatorRun, KnoxResult]:
    case = CASES[request.param]
    calculator = read_calculator(NEAR_REPEAT / case.verbose)
    x, y, days = read_events(NEAR_REPEAT / case.data)
    ours = knox(
        x,
        y,
        days,
        metric="manhattan",
        space_bandwidth=case.space_bandwidth,
        space_bands=3,
        time_bandwidth=case.time_bandwidth,
        time_bands=3,
        permutations=OUR_PERMUTATIONS,
        seed=20190923,
    )
    return calculator, ours


def test_the_observed_table_equals_the_calculators_exactly(
    run: tuple[CalculatorRun, KnoxResult],
) -> None:
    calculator, ours = run
    assert ours.observed.shape == calculator.observed.shape
    np.testing.assert_array_equal(ours.observed, calculator.observed)


def test_the_labels_are_the_calculators(run: tuple[CalculatorRun, KnoxResult]) -> None:
    calculator, ours = run
    assert list(ours.row_labels) == calculator.row_labels
    assert list(ours.col_labels) == calculator.col_labels


def _tolerance(ours: KnoxResult, calculator: CalculatorRun) -> np.ndarray:
    """The standard error of the difference of the two means, both drawn from the same
    permutation distribution (its spread estimated from our 999 tables)."""
    spread = ours.simulated.std(axis=0, ddof=1)
    theirs = calculator.permuted.shape[2]
    return STANDARD_ERRORS * spread * math.sqrt(1 / theirs + 1 / ours.permutations)


def test_expected_counts_agree_with_the_calculators_permutations(
    run: tuple[CalculatorRun, KnoxResult],
) -> None:
    calculator, ours = run
    their_mean = calculator.permuted.mean(axis=2)
    difference = np.abs(ours.expected - their_mean)
    assert (difference <= _tolerance(ours, calculator)).all(), (ours.expected, their_mean)


def test_ratios_agree_with_the_calculators_within_monte_carlo_error(
    run: tuple[CalculatorRun, KnoxResult],
) -> None:
    calculator, ours = run
    their_mean = calculator.permuted.mean(axis=2)
    # The calculator's printed ratio is its observed over the mean of its own lists.
    with np.errstate(divide="ignore", invalid="ignore"):
        recomputed = np.where(their_mean > 0, calculator.observed / their_mean, 0.0)
    np.testing.assert_allclose(calculator.ratio, recomputed, atol=5e-4)

    comparable = their_mean > 0
    ours_ratio = np.nan_to_num(ours.ratio)
    # ratio = observed / mean: a difference δ of the means moves it by observed·δ/(m₁m₂).
    smaller_mean = np.minimum(ours.expected, their_mean)
    allowed = (
        calculator.observed
        * _tolerance(ours, calculator)
        / (np.maximum(smaller_mean, 1e-12) * np.maximum(their_mean, 1e-12))
    )
    difference = np.abs(ours_ratio - calculator.ratio)
    assert (difference[comparable] <= allowed[comparable] + 5e-4).all(), (
        ours_ratio,
        calculator.ratio,
    )


def test_p_values_agree_with_the_calculators_within_binomial_error(
    run: tuple[CalculatorRun, KnoxResult],
) -> None:
    calculator, ours = run
    theirs = calculator.permuted.shape[2]
    observed = calculator.observed[:, :, None]
    their_exceed = (calculator.permuted >= observed).sum(axis=2)
    # Their printed p is (1 + #{permuted ≥ observed}) / iterations.
    np.testing.assert_allclose(calculator.p, (1 + their_exceed) / (theirs + 1), atol=5e-3)

    our_exceed = (ours.p * (ours.permutations + 1)).round().astype(int) - 1
    # The probability that a permutation reaches the observed count, kept off 0 and 1 (a
    # half count) so that a cell ours never saw exceeded still allows a rare exceedance.
    probability = (our_exceed + 0.5) / (ours.permutations + 1)
    for (r, c), count in np.ndenumerate(their_exceed):
        test = binomtest(int(count), theirs, float(probability[r, c]))
        assert test.pvalue > BINOMIAL_LEVEL, (r, c, int(count), float(ours.p[r, c]))


def test_where_the_calculator_is_decisive_ours_is_significant_too(
    run: tuple[CalculatorRun, KnoxResult],
) -> None:
    calculator, ours = run
    decisive = np.isclose(calculator.p, 1 / (calculator.permuted.shape[2] + 1))
    assert decisive.any()
    assert (ours.p[decisive] <= 0.05).all(), ours.p
