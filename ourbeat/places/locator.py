"""Locate many points at once: which of a list of polygons contains each point.

``RasterLocator`` lays a regular raster over the polygons' extent. A raster cell that no
boundary crosses lies wholly inside one polygon (or outside all of them), so it stores that
answer and the points falling in it are answered by one array lookup. Only the points in
cells that a boundary crosses go to the exact polygon test, ``lowest_intersecting``, which is
also the rule that defines the answer: the lowest index among the polygons that intersect
the point (its interior or its boundary), -1 for none. A point on an edge shared by two
areas therefore goes to the one listed first, as in ``selectors.locate_neighbourhood``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

NOWHERE = -1
# Raster cells that a boundary crosses; their points need the exact test.
_MIXED = -2
_POLYGON, _MULTIPOLYGON = 3, 6


def lowest_intersecting(
    tree: shapely.STRtree, x: npt.ArrayLike, y: npt.ArrayLike
) -> npt.NDArray[np.intp]:
    """The exact answer for each point: the lowest index of the tree's geometries that the
    point intersects, ``NOWHERE`` for none. One vectorised STRtree query."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    points = shapely.points(xs, ys)
    point_index, geometry_index = tree.query(points, predicate="intersects")
    # Overlapping polygons, or a point on a shared edge, give several pairs per point; the
    # sentinel larger than any index keeps the minimum well defined for the others.
    sentinel = len(tree.geometries)
    answer = np.full(len(points), sentinel, dtype=np.intp)
    np.minimum.at(answer, point_index, geometry_index)
    answer[answer == sentinel] = NOWHERE
    return answer


class RasterLocator:
    """Point-in-polygon for many points: a raster lookup, with the exact test only in the
    cells that boundaries cross. Answers are identical to ``lowest_intersecting`` on the
    same polygons.

    ``resolution`` is the number of raster cells along the longer side of the extent; more
    cells send fewer points to the exact test, at the cost of memory (4 bytes a cell) and
    build time.
    """

    def __init__(self, polygons: Sequence[BaseGeometry], *, resolution: int = 2048) -> None:
        if resolution < 1:
            raise ValueError("resolution must be at least 1")
        # Filled element by element: asarray could try to unpack geometries into arrays.
        self.polygons = np.empty(len(polygons), dtype=object)
        self.polygons[:] = list(polygons)
        self.tree = shapely.STRtree(self.polygons)
        kinds = shapely.get_type_id(self.polygons)
        present = kinds >= 0
        # Only areas: the raster marks rings, and a line or point has none to mark.
        if not np.isin(kinds[present], (_POLYGON, _MULTIPOLYGON)).all():
            raise TypeError("RasterLocator takes Polygons and MultiPolygons only")
        if shapely.is_empty(self.polygons[present]).all():
            # Nothing to find: one outside cell answers every point.
            self._origin = (0.0, 0.0)
            self._scale = (0.0, 0.0)
            self._shape = (1, 1)
            self.cells = np.full(1, NOWHERE, dtype=np.int32)
            return
        min_x, min_y, max_x, max_y = shapely.total_bounds(self.polygons)
        size = max(max_x - min_x, max_y - min_y) / resolution
        if not size > 0:
            size = 1e-9
        # Spare cells on every side: the outermost ring of cells is then never on a boundary,
        # so a point beyond the extent can be clamped into it and answer NOWHERE.
        margin = 2
        nx = int(np.ceil((max_x - min_x) / size)) + 2 * margin
        ny = int(np.ceil((max_y - min_y) / size)) + 2 * margin
        self._origin = (min_x - margin * size, min_y - margin * size)
        self._scale = (1.0 / size, 1.0 / size)
        self._shape = (ny, nx)

        mixed = self._on_boundaries(size)
        self.cells = self._fill(mixed)

    def _cell_of(
        self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.intp]:
        """The flat raster index of each point. Points outside the raster (and NaN) clamp
        into the outermost ring of cells, which answers NOWHERE."""
        ny, nx = self._shape
        fx = (x - self._origin[0]) * self._scale[0]
        fy = (y - self._origin[1]) * self._scale[1]
        # fmax/fmin rather than clip: they turn NaN into the bound instead of keeping it.
        ix = np.fmin(np.fmax(fx, 0.0), nx - 1).astype(np.intp)
        iy = np.fmin(np.fmax(fy, 0.0), ny - 1).astype(np.intp)
        iy *= nx
        iy += ix
        return iy

    def _on_boundaries(self, size: float) -> npt.NDArray[np.bool_]:
        """Mark every cell that a boundary passes through.

        Each ring is densified so that its segments are at most half a cell long; a segment
        then lies within the box of cells spanned by its two ends, at most 2 × 2 cells. The
        cell of a point is a monotonic function of its coordinates, so every point of the
        segment, and every query point exactly on it, falls in that box. The box is widened
        by a millionth of a cell to absorb the rounding of the inserted vertices, which lie
        on the original edges only up to the last bits of their coordinates. No cell left
        unmarked can hold points of two different answers.
        """
        ny, nx = self._shape
        parts = shapely.get_parts(self.polygons)
        rings = shapely.segmentize(shapely.get_rings(parts), size / 2)
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        fx = (coords[:, 0] - self._origin[0]) * self._scale[0]
        fy = (coords[:, 1] - self._origin[1]) * self._scale[1]
        same_ring = ring[1:] == ring[:-1]
        x0, x1, y0, y1 = (
            fx[:-1][same_ring],
            fx[1:][same_ring],
            fy[:-1][same_ring],
            fy[1:][same_ring],
        )
        slack = 1e-6
        lo_x = np.floor(np.minimum(x0, x1) - slack).astype(np.intp)
        hi_x = np.floor(np.maximum(x0, x1) + slack).astype(np.intp)
        lo_y = np.floor(np.minimum(y0, y1) - slack).astype(np.intp)
        hi_y = np.floor(np.maximum(y0, y1) + slack).astype(np.intp)
        mixed = np.zeros(ny * nx, dtype=bool)
        # Half-cell segments span at most two cells each way, so the four corners of the
        # box are the whole box.
        for iy in (lo_y, hi_y):
            for ix in (lo_x, hi_x):
                mixed[np.clip(iy, 0, ny - 1) * nx + np.clip(ix, 0, nx - 1)] = True
        return mixed

    def _fill(self, mixed: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
        """The answer of every unmarked cell. Along a row, a run of unmarked cells crosses
        no boundary, so one exact test at a cell centre answers the whole run."""
        ny, nx = self._shape
        clear = ~mixed
        starts = clear.copy()
        starts[1:] &= mixed[:-1]
        # A row's first cell starts a run even if the previous row ended clear.
        starts[::nx] = clear[::nx]
        first = np.flatnonzero(starts)
        size = 1.0 / self._scale[0]
        cx = self._origin[0] + (first % nx + 0.5) * size
        cy = self._origin[1] + (first // nx + 0.5) * size
        run_answer = lowest_intersecting(self.tree, cx, cy).astype(np.int32)
        run_of_cell = np.cumsum(starts) - 1
        cells = np.full(ny * nx, _MIXED, dtype=np.int32)
        cells[clear] = run_answer[run_of_cell[clear]]
        return cells

    def locate(self, x: npt.ArrayLike, y: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """For each point (x[i], y[i]), the index of the polygon that contains it (the
        lowest one if several intersect it), or ``NOWHERE``."""
        xs = np.ascontiguousarray(x, dtype=np.float64)
        ys = np.ascontiguousarray(y, dtype=np.float64)
        if xs.shape != ys.shape or xs.ndim != 1:
            raise ValueError("x and y must be one-dimensional arrays of the same length")
        answer = self.cells[self._cell_of(xs, ys)].astype(np.intp)
        near = np.flatnonzero(answer == _MIXED)
        if near.size:
            answer[near] = lowest_intersecting(self.tree, xs[near], ys[near])
        return answer

    @property
    def mixed_fraction(self) -> float:
        """Share of raster cells that a boundary crosses (their points take the exact test)."""
        return float(np.count_nonzero(self.cells == _MIXED)) / self.cells.size
