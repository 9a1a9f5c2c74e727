"""The H3 grid that hot spot analyses count events on (h3 4.x, cells as uint64 integers).

Pure numpy/scipy/shapely: no Django. A *universe* is the sorted array of every cell of the
study area, zero-count cells included: Gi* compares each cell's neighbourhood with the mean
and variance of all cells, which empty cells left out would bias upwards.

h3 has no vectorised API, so the per-point and per-cell calls are kept to the minimum:
points are indexed once per distinct coordinate pair (police.uk snaps crimes to shared map
points), and the neighbours of a cell are computed for all cells at once from the digits of
their H3 index (the same digit arithmetic as h3's own ``h3NeighborRotations``), falling
back to ``h3.grid_disk`` only for the few cells where that walk leaves the base cell or the
base cell is a pentagon.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import h3
import h3.api.basic_int as h3_int
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import shapely
from shapely.geometry import MultiPolygon, Polygon

CellArray = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]

MAX_RESOLUTION = 15
# ring_weights builds one (cell, neighbour) pair per cell of each grid disk: at most this
# many, about 2 GB of working memory.
_MAX_DISK_PAIRS = 50_000_000

# Layout of an H3 cell index (h3Index.h): the resolution in bits 52–55, the base cell in
# bits 45–51, then one 3-bit digit per resolution, resolution r at bit 3 × (15 − r).
_RESOLUTION_SHIFT = np.uint64(52)
_BASE_CELL_SHIFT = np.uint64(45)
_MODE_SHIFT = np.uint64(59)
_CELL_MODE = np.uint64(1)
_DIGIT_MASK = np.uint64(7)

_EDGE_DIRECTION_SHIFT = 56


def _digit_tables(resolution: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """How a move in direction 1 … 6 (K, J, JK, I, IK, IJ) changes an index digit at a
    resolution of ``resolution``'s class (odd: class III; even: class II): the new digit,
    and the direction carried to the next coarser digit (0: none), from each digit 0 … 6.

    Read off h3 itself rather than copied: the cell with digit d at ``resolution`` and
    digit 0 above it, inside a hexagonal base cell, has one directed edge per direction;
    the edge's destination holds the new digit, and, since a move from digit 0 never
    carries further, the carried direction as its next coarser digit."""
    hexagon = next(cell for cell in h3_int.get_res0_cells() if not h3_int.is_pentagon(cell))
    new_digit = np.tile(np.arange(7, dtype=np.uint64), (7, 1))
    carry = np.zeros((7, 7), dtype=np.uint64)
    shift = 3 * (MAX_RESOLUTION - resolution)
    for digit in range(1, 7):
        # The hexagon's centre child at resolution − 1 (digits 0), then digit ``digit``.
        centre = h3_int.cell_to_center_child(hexagon, resolution - 1)
        cell = next(
            child
            for child in h3_int.cell_to_children(centre, resolution)
            if (child >> shift) & 7 == digit
        )
        for edge in h3_int.origin_to_directed_edges(cell):
            direction = (edge >> _EDGE_DIRECTION_SHIFT) & 7
            neighbour = h3_int.get_directed_edge_destination(edge)
            new_digit[digit, direction] = (neighbour >> shift) & 7
            carry[digit, direction] = (neighbour >> (shift + 3)) & 7
    new_digit[:, 0] = np.arange(7, dtype=np.uint64)
    return new_digit, carry


# h3's own neighbour walk (h3NeighborRotations in algos.c) uses these tables.
_NEW_DIGIT_ODD, _CARRY_ODD = _digit_tables(3)
_NEW_DIGIT_EVEN, _CARRY_EVEN = _digit_tables(4)
_PENTAGON_BASE_CELLS = np.array(
    sorted(h3_int.get_base_cell_number(cell) for cell in h3_int.get_pentagons(0)),
    dtype=np.uint64,
)


def _check_resolution(resolution: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"the H3 resolution must be an integer, not {resolution!r}")
    if not 0 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"the H3 resolution must be 0 to {MAX_RESOLUTION}, not {resolution}")
    return int(resolution)


def _coordinates(lat: npt.ArrayLike, lng: npt.ArrayLike) -> tuple[Any, Any]:
    try:
        latitudes = np.asarray(lat, dtype=np.float64).ravel()
        longitudes = np.asarray(lng, dtype=np.float64).ravel()
    except (TypeError, ValueError) as error:
        raise ValueError(f"coordinates must be numbers: {error}") from None
    if latitudes.shape != longitudes.shape:
        raise ValueError(
            f"{latitudes.size} latitudes but {longitudes.size} longitudes: give one of each"
        )
    return latitudes, longitudes


def _usable(latitudes: Any, longitudes: Any) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.asarray(
            np.isfinite(latitudes)
            & np.isfinite(longitudes)
            & (np.abs(latitudes) <= 90)
            & (np.abs(longitudes) <= 180)
        )


def cells_for_points(lat: npt.ArrayLike, lng: npt.ArrayLike, resolution: int) -> CellArray:
    """The H3 cell (an integer) of every point at ``resolution``, in the points' order.

    A point without a usable location — NaN or infinite, latitude outside ±90° or longitude
    outside ±180° — gets 0, which is no cell. h3 is called once per distinct point, and
    police.uk points repeat a lot (16,014 Essex crimes sit on 7,182 map points).
    """
    resolution = _check_resolution(resolution)
    latitudes, longitudes = _coordinates(lat, lng)
    cells = np.zeros(latitudes.size, dtype=np.uint64)
    usable = _usable(latitudes, longitudes)
    if not usable.any():
        return cells
    # One complex number per point sorts by latitude then longitude: a cheap 2-D unique.
    points = latitudes[usable] + 1j * longitudes[usable]
    distinct, position = np.unique(points, return_inverse=True)
    to_cell = h3_int.latlng_to_cell
    distinct_cells = np.fromiter(
        (
            to_cell(point_lat, point_lng, resolution)
            for point_lat, point_lng in zip(
                distinct.real.tolist(), distinct.imag.tolist(), strict=True
            )
        ),
        dtype=np.uint64,
        count=distinct.size,
    )
    cells[usable] = distinct_cells[position.ravel()]
    return cells


def _polygons(polygons: Any) -> list[Polygon]:
    if isinstance(polygons, Polygon | MultiPolygon):
        polygons = [polygons]
    flat: list[Polygon] = []
    for geometry in polygons:
        if isinstance(geometry, Polygon):
            flat.append(geometry)
        elif isinstance(geometry, MultiPolygon):
            flat.extend(geometry.geoms)
        else:
            raise ValueError(
                f"study areas must be shapely Polygons or MultiPolygons, not {type(geometry)}"
            )
    return [polygon for polygon in flat if not polygon.is_empty]


def _ring(coordinates: Iterable[Any]) -> list[tuple[float, float]]:
    """A shapely ring (lng, lat, closed) as h3 wants it (lat, lng, open)."""
    points = [(float(y), float(x)) for x, y, *_ in coordinates]
    return points[:-1] if len(points) > 1 and points[0] == points[-1] else points


def _cells_with_centre_in(polygons: Iterable[Polygon], resolution: int) -> CellArray:
    parts = [
        np.asarray(
            h3_int.h3shape_to_cells(
                h3.LatLngPoly(
                    _ring(polygon.exterior.coords),
                    *(_ring(hole.coords) for hole in polygon.interiors),
                ),
                resolution,
            ),
            dtype=np.uint64,
        )
        for polygon in polygons
    ]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)


def study_cells(
    resolution: int,
    *,
    polygons: Polygon | MultiPolygon | Iterable[Polygon | MultiPolygon] | None = None,
    lat: npt.ArrayLike | None = None,
    lng: npt.ArrayLike | None = None,
) -> CellArray:
    """The universe of a hot spot analysis: every cell of the study area, sorted.

    With ``polygons`` (shapely, WGS84 lng/lat): each cell whose centre lies inside one of
    them, plus each cell that holds one of the events at ``lat``/``lng`` if given, so that
    no event is lost to a boundary. Without: the cells covering the convex hull of the
    events, with one ring of cells around them. Cells without events are part of the
    universe either way.
    """
    resolution = _check_resolution(resolution)
    if (lat is None) != (lng is None):
        raise ValueError("give both lat and lng, or neither")
    latitudes, longitudes = _coordinates(
        np.zeros(0) if lat is None else lat, np.zeros(0) if lng is None else lng
    )
    event_cells = np.unique(cells_for_points(latitudes, longitudes, resolution))
    event_cells = event_cells[event_cells != 0]
    if polygons is not None:
        area_cells = _cells_with_centre_in(_polygons(polygons), resolution)
        return np.union1d(area_cells, event_cells)
    if event_cells.size == 0:
        raise ValueError("a study area needs polygons or at least one located event")
    located = _usable(latitudes, longitudes)
    hull = shapely.MultiPoint(np.column_stack([longitudes[located], latitudes[located]]))
    hull = hull.convex_hull
    inside = (
        _cells_with_centre_in([hull], resolution)
        if isinstance(hull, Polygon)
        else np.zeros(0, dtype=np.uint64)
    )
    core = np.union1d(inside, event_cells)
    neighbours, _ = _neighbour_table(core)
    return np.union1d(core, neighbours[neighbours != 0])


def _check_universe(universe: npt.ArrayLike) -> CellArray:
    cells = np.asarray(universe)
    if cells.ndim != 1:
        raise ValueError("the universe must be a 1-D array of H3 cells")
    if cells.size and not np.issubdtype(cells.dtype, np.integer):
        raise ValueError(f"H3 cells must be integers, not {cells.dtype}")
    cells = cells.astype(np.uint64, copy=False)
    if cells.size > 1 and not (cells[1:] > cells[:-1]).all():
        raise ValueError("the universe must be sorted and without repeats (use study_cells)")
    return cells


def cell_counts(event_cells: npt.ArrayLike, universe: npt.ArrayLike) -> IntArray:
    """How many events fall in each cell of ``universe`` (aligned with it); events in no
    cell (0) or in a cell outside the universe are left out."""
    cells = _check_universe(universe)
    events = np.asarray(event_cells).ravel()
    if events.size and not np.issubdtype(events.dtype, np.integer):
        raise ValueError(f"H3 cells must be integers, not {events.dtype}")
    events = events.astype(np.uint64, copy=False)
    position = np.searchsorted(cells, events)
    inside = position < cells.size
    inside[inside] = cells[position[inside]] == events[inside]
    return np.bincount(position[inside], minlength=cells.size).astype(np.int64)


def _resolution_of(cells: CellArray) -> int:
    resolutions = np.unique((cells >> _RESOLUTION_SHIFT) & np.uint64(15))
    modes = (cells >> _MODE_SHIFT) & np.uint64(15)
    if (modes != _CELL_MODE).any():
        raise ValueError("not every value is an H3 cell index")
    if resolutions.size != 1:
        raise ValueError(f"cells of one resolution expected, got {resolutions.tolist()}")
    return int(resolutions[0])


def _neighbour_table(cells: CellArray) -> tuple[CellArray, npt.NDArray[np.bool_]]:
    """The six neighbours of every cell (n × 6; 0 pads a pentagon's missing one), and which
    rows came from the vectorised digit walk (the rest from ``h3.grid_disk``)."""
    n = cells.size
    table = np.zeros((n, 6), dtype=np.uint64)
    if n == 0:
        return table, np.ones(0, dtype=bool)
    resolution = _resolution_of(cells)
    base_cell = (cells >> _BASE_CELL_SHIFT) & np.uint64(127)
    walked = ~np.isin(base_cell, _PENTAGON_BASE_CELLS)
    for column, direction in enumerate(range(1, 7)):
        neighbour = cells.copy()
        moving = np.arange(n)
        carry = np.full(n, direction, dtype=np.uint64)
        digit_resolution = resolution
        # Move one step at the finest digit; a carry moves the next coarser digit, and so on.
        while moving.size:
            if digit_resolution == 0:
                # The walk left the base cell: that needs h3's base-cell tables and rotations.
                walked[moving] = False
                break
            shift = np.uint64(3 * (MAX_RESOLUTION - digit_resolution))
            digit = (neighbour[moving] >> shift) & _DIGIT_MASK
            step = carry[moving]
            odd = digit_resolution % 2 == 1
            new_digit = (_NEW_DIGIT_ODD if odd else _NEW_DIGIT_EVEN)[digit, step]
            next_carry = (_CARRY_ODD if odd else _CARRY_EVEN)[digit, step]
            neighbour[moving] = (neighbour[moving] & ~(_DIGIT_MASK << shift)) | (new_digit << shift)
            carry[moving] = next_carry
            moving = moving[next_carry != 0]
            digit_resolution -= 1
        table[:, column] = neighbour
    for row in np.flatnonzero(~walked).tolist():
        origin = int(cells[row])
        around = [cell for cell in h3_int.grid_disk(origin, 1) if cell != origin]
        table[row] = 0
        table[row, : len(around)] = around
    return table, walked


def _disk_pairs(cells: CellArray, k: int) -> tuple[IntArray, CellArray]:
    """Every (origin row, cell) with the cell within ``k`` grid steps of ``cells[row]``,
    the origin included; cells outside ``cells`` too (a path may pass through them)."""
    origins = np.arange(cells.size, dtype=np.int64)
    if k == 0:
        return origins, cells.copy()
    table, _ = _neighbour_table(cells)
    pair_origin = np.concatenate([origins, np.repeat(origins, 6)])
    pair_cell = np.concatenate([cells, table.ravel()])
    keep = pair_cell != 0
    pair_origin, pair_cell = pair_origin[keep], pair_cell[keep]
    frontier_origin, frontier_cell = pair_origin[cells.size :], pair_cell[cells.size :]
    for _ in range(k - 1):
        distinct, position = np.unique(frontier_cell, return_inverse=True)
        step_table, _ = _neighbour_table(distinct)
        candidate_origin = np.repeat(frontier_origin, 6)
        candidate_cell = step_table[position.ravel()].ravel()
        real = candidate_cell != 0
        candidate_origin, candidate_cell = candidate_origin[real], candidate_cell[real]
        # Keep each (origin, cell) pair once, and only pairs not reached in fewer steps.
        is_candidate = np.concatenate(
            [np.zeros(pair_cell.size, dtype=bool), np.ones(candidate_cell.size, dtype=bool)]
        )
        all_origin = np.concatenate([pair_origin, candidate_origin])
        all_cell = np.concatenate([pair_cell, candidate_cell])
        # Sorted by origin, cell, then known pairs before candidates: a candidate that
        # comes first in its group is new.
        order = np.lexsort((is_candidate, all_cell, all_origin))
        all_origin, all_cell, is_candidate = all_origin[order], all_cell[order], is_candidate[order]
        first = np.ones(all_cell.size, dtype=bool)
        first[1:] = (all_origin[1:] != all_origin[:-1]) | (all_cell[1:] != all_cell[:-1])
        new = first & is_candidate
        frontier_origin, frontier_cell = all_origin[new], all_cell[new]
        pair_origin = np.concatenate([pair_origin, frontier_origin])
        pair_cell = np.concatenate([pair_cell, frontier_cell])
    return pair_origin, pair_cell


def ring_weights(universe: npt.ArrayLike, k: int = 1) -> sp.csr_array:
    """Binary spatial weights of the universe: w_ij = 1 when cell j is within ``k`` grid
    steps of cell i (h3's ``grid_disk``), restricted to the universe, the diagonal
    included (Gi*: each cell belongs to its own neighbourhood). Symmetric, n × n."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        raise ValueError(f"k must be a whole number of rings (0 or more), not {k!r}")
    cells = _check_universe(universe)
    n = cells.size
    if n == 0:
        return sp.csr_array((0, 0), dtype=np.float64)
    disk_size = 3 * int(k) * (int(k) + 1) + 1
    if n * disk_size > _MAX_DISK_PAIRS:
        raise ValueError(
            f"{n:,} cells with {k} rings each make {n * disk_size:,} pairs, too many: "
            f"use fewer rings or a coarser resolution"
        )
    origin, member = _disk_pairs(cells, int(k))
    position = np.searchsorted(cells, member)
    inside = position < n
    inside[inside] = cells[position[inside]] == member[inside]
    weights = sp.csr_array(
        (np.ones(int(inside.sum())), (origin[inside], position[inside])), shape=(n, n)
    )
    weights.sum_duplicates()
    weights.sort_indices()
    return weights


def cell_boundaries(cells: npt.ArrayLike) -> list[list[tuple[float, float]]]:
    """The boundary of each cell as (lat, lng) vertices, for drawing it on a map."""
    return [
        [(float(vertex_lat), float(vertex_lng)) for vertex_lat, vertex_lng in boundary]
        for boundary in (
            h3_int.cell_to_boundary(int(cell)) for cell in np.asarray(cells).ravel().tolist()
        )
    ]
