"""Counts under the threshold are never published, and no suppressed count can be worked
out from the published counts and totals: neither by subtraction along a row or column, nor
by solving all the table's equations together, nor with what the attacker knows of the
bounds (counts are not negative; primary counts are under the threshold)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from ourbeat.surveys.statistics import suppress_small_cells

Table = npt.NDArray[np.float64]


def with_totals(table: npt.ArrayLike) -> Table:
    """The table as published: cells with row totals, column totals and the grand total."""
    t = np.asarray(table, dtype=np.float64)
    if t.ndim == 1:
        return np.append(t, t.sum())
    out = np.zeros((t.shape[0] + 1, t.shape[1] + 1))
    out[:-1, :-1] = t
    out[:-1, -1] = t.sum(axis=1)
    out[-1, :-1] = t.sum(axis=0)
    out[-1, -1] = t.sum()
    return out


def lines_of(shape: tuple[int, ...]) -> list[list[int]]:
    """Each line of the published array: its flat positions, the total last."""
    if len(shape) == 1:
        return [list(range(shape[0]))]
    positions = np.arange(shape[0] * shape[1]).reshape(shape)
    return [positions[i].tolist() for i in range(shape[0])] + [
        positions[:, j].tolist() for j in range(shape[1])
    ]


def subtraction_attack(full: Table, hidden: npt.NDArray[np.bool_]) -> set[int]:
    """What an attacker with a pencil gets: in any row or column with one unknown, the
    unknown is the total minus the others (or the sum of the cells); repeat while it helps."""
    known = np.where(hidden, np.nan, full).ravel()
    recovered: set[int] = set()
    progress = True
    while progress:
        progress = False
        for line in lines_of(full.shape):
            unknown = [p for p in line if np.isnan(known[p])]
            if len(unknown) != 1:
                continue
            (p,) = unknown
            cells, total = line[:-1], line[-1]
            if p == total:
                known[p] = sum(known[q] for q in cells)
            else:
                known[p] = known[total] - sum(known[q] for q in cells if q != p)
            recovered.add(p)
            progress = True
    return recovered


def equations(full: Table, hidden: npt.NDArray[np.bool_]) -> tuple[Table, Table, list[int]]:
    unknown = np.flatnonzero(hidden.ravel()).tolist()
    flat = full.ravel()
    rows, rhs = [], []
    for line in lines_of(full.shape):
        coefficient = dict.fromkeys(line[:-1], 1.0) | {line[-1]: -1.0}
        row = [coefficient.get(p, 0.0) for p in unknown]
        if any(row):
            rows.append(row)
            rhs.append(-sum(c * flat[p] for p, c in coefficient.items() if p not in unknown))
    return np.array(rows), np.array(rhs), unknown


def linear_attack(full: Table, hidden: npt.NDArray[np.bool_]) -> set[int]:
    """An unknown is determined by the equations when its unit vector lies in their row space."""
    system, _, unknown = equations(full, hidden)
    if not unknown:
        return set()
    rank = np.linalg.matrix_rank(system)
    found = set()
    for k, p in enumerate(unknown):
        unit = np.zeros((1, len(unknown)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(p)
    return found


def bounds_attack(full: Table, hidden: npt.NDArray[np.bool_], threshold: int) -> set[int]:
    """An unknown is disclosed when its smallest and largest possible values agree, given the
    equations, that counts are not negative and that primary counts are under the threshold."""
    system, rhs, unknown = equations(full, hidden)
    flat = full.ravel()
    bounds = [(0, threshold - 1 if flat[p] < threshold else None) for p in unknown]
    found = set()
    for k, p in enumerate(unknown):
        c = np.zeros(len(unknown))
        c[k] = 1
        low = scipy.optimize.linprog(c, A_eq=system, b_eq=rhs, bounds=bounds)
        high = scipy.optimize.linprog(-c, A_eq=system, b_eq=rhs, bounds=bounds)
        if low.status == 0 and high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            found.add(p)
    return found


def assert_safe(table: npt.ArrayLike, threshold: int = 10) -> None:
    full = with_totals(table)
    result = suppress_small_cells(table, threshold=threshold)
    assert result.mask.shape == full.shape
    assert (result.mask[full < threshold]).all(), "a count under the threshold is published"
    assert (result.primary == (full < threshold)).all()
    assert not subtraction_attack(full, result.mask)
    assert not linear_attack(full, result.mask)
    assert not bounds_attack(full, result.mask, threshold)


TABLE = [[3, 20, 30], [25, 12, 40], [30, 40, 50]]


def test_the_attacks_are_real_primary_suppression_alone_gives_a_cell_away() -> None:
    full = with_totals(TABLE)
    primary_only = full < 10
    assert subtraction_attack(full, primary_only) == {0}
    assert linear_attack(full, primary_only) == {0}


def test_one_small_cell_is_protected_by_the_smallest_rectangle_of_cells() -> None:
    result = suppress_small_cells(TABLE)
    expected = np.zeros((4, 4), dtype=bool)
    expected[0, 0] = expected[0, 1] = expected[1, 0] = expected[1, 1] = True
    assert (result.mask == expected).all()
    assert result.primary.sum() == 1
    assert not result.row_totals.any()
    assert not result.column_totals.any()
    assert not result.total
    assert_safe(TABLE)


def test_a_row_whose_hidden_cells_would_add_up_to_zero_gets_more_hidden() -> None:
    """Both small cells of the first row are 0. Hiding them with their columns' other cells
    is enough against subtraction, but the row's total then says that the two hidden
    cells add up to 0, so both are 0: the bounds give them away."""
    table = [[0, 0, 50], [20, 30, 40]]
    full = with_totals(table)
    rectangle = np.zeros(full.shape, dtype=bool)
    rectangle[0:2, 0:2] = True
    assert not subtraction_attack(full, rectangle)
    assert bounds_attack(full, rectangle, 10) == {0, 1, 4, 5}
    assert_safe(table)


def test_tables_without_small_counts_are_published_whole() -> None:
    result = suppress_small_cells([[10, 25], [40, 11]])
    assert not result.mask.any()
    assert not suppress_small_cells([[10, 25], [40, 11]], threshold=5).mask.any()


def test_the_threshold_is_a_setting() -> None:
    table = [[4, 20, 30], [25, 6, 40], [30, 40, 50]]
    assert suppress_small_cells(table, threshold=5).primary[:-1, :-1].sum() == 1
    assert suppress_small_cells(table, threshold=7).primary[:-1, :-1].sum() == 2
    assert_safe(table, threshold=5)
    assert_safe(table, threshold=7)


def test_small_totals_are_suppressed_too() -> None:
    """A row of 2 + 3 respondents: its total is small as well, and so is every cell."""
    table = [[2, 3], [40, 50], [30, 25]]
    result = suppress_small_cells(table)
    assert result.row_totals[0]
    assert result.cells[0].all()
    assert_safe(table)


def test_a_one_way_table_hides_a_second_count() -> None:
    result = suppress_small_cells([5, 50, 60])
    assert result.cells.tolist() == [True, True, False]
    assert not result.total
    assert_safe([5, 50, 60])
    with pytest.raises(ValueError, match="no row totals"):
        _ = result.row_totals


def test_a_table_with_a_small_grand_total_is_hidden_entirely() -> None:
    result = suppress_small_cells([[2, 3], [1, 0]])
    assert result.mask.all()


@settings(max_examples=30, deadline=None)
@given(
    table=st.integers(1, 5).flatmap(
        lambda rows: st.integers(1, 5).flatmap(
            lambda cols: st.lists(
                st.lists(
                    st.one_of(st.integers(0, 12), st.integers(10, 80)), min_size=cols, max_size=cols
                ),
                min_size=rows,
                max_size=rows,
            )
        )
    ),
    threshold=st.sampled_from([3, 5, 10]),
)
def test_random_two_way_tables_withstand_every_attack(
    table: list[list[int]], threshold: int
) -> None:
    assert_safe(table, threshold=threshold)


@settings(max_examples=30, deadline=None)
@given(
    table=st.lists(st.one_of(st.integers(0, 12), st.integers(10, 80)), min_size=1, max_size=8),
    threshold=st.sampled_from([3, 10]),
)
def test_random_one_way_tables_withstand_every_attack(table: list[int], threshold: int) -> None:
    assert_safe(table, threshold=threshold)


@pytest.mark.parametrize(
    ("table", "threshold", "message"),
    [
        ([], 10, "non-empty"),
        ([[1, -2], [3, 4]], 10, "not negative"),
        ([1.5, 2.0], 10, "whole numbers"),
        ([1.0, float("nan")], 10, "whole numbers"),
        ([[[1]]], 10, "one- or two-way"),
        ([1, 2], 0, "at least 1"),
        (["a", "b"], 10, "table of counts"),
    ],
)
def test_bad_tables_are_refused(table: object, threshold: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress_small_cells(table, threshold=threshold)  # type: ignore[arg-type]
