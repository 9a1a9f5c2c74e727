"""The problem place (a set of H3 cells), its buffer, and the events that fall in them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import h3
import numpy as np
import numpy.typing as npt

from ourbeat.analytics.events import EventQuery, Events, load_events
from ourbeat.analytics.grid import cells_for_points

if TYPE_CHECKING:
    from ourbeat.problems.models import Problem


def cell_ints(cells: Iterable[str]) -> npt.NDArray[np.uint64]:
    """H3 cells given as strings ("89195da49b7ffff"), as the integers the grid uses."""
    return np.array(sorted({h3.str_to_int(cell) for cell in cells}), dtype=np.uint64)


def buffer_cells(cells: Iterable[str], rings: int) -> list[str]:
    """The cells within ``rings`` steps of the place, the place itself excluded."""
    place = set(cells)
    around: set[str] = set()
    for cell in place:
        around.update(h3.grid_disk(cell, rings))
    return sorted(around - place)


def in_cells(events: Events, cells: Iterable[str], resolution: int) -> npt.NDArray[np.bool_]:
    """Which events lie in one of the cells (events without a location never do)."""
    wanted = cell_ints(cells)
    if len(events) == 0 or wanted.size == 0:
        return np.zeros(len(events), dtype=bool)
    return np.isin(cells_for_points(events.lat, events.lng, resolution), wanted)


def problem_events(
    problem: Problem,
    *,
    categories: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Events:
    """The lead organisation's incidents of the problem's categories (or ``categories``) in
    the problem place, oldest first."""
    wanted = tuple(problem.categories if categories is None else categories)
    events = load_events(
        EventQuery(organisation_id=problem.organisation_id, categories=wanted, start=start, end=end)
    )
    return events.subset(in_cells(events, problem.cells, problem.resolution))
