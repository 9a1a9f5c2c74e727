"""Kernel density of points on a raster, as ArcGIS's Kernel Density tool computes it.

Pure numpy: no Django. Coordinates are projected (metres for ``per_square_km``); the
caller projects longitudes and latitudes first. The kernel is the quartic (biweight) one of
Silverman (1986, p. 76, eq. 4.5), which ArcGIS uses:

    K(d) = 3 / (π r²) · (1 − (d/r)²)²  for d < r, 0 otherwise,

so the density of a cell centre is Σ_i w_i K(d_i) over the points i (w_i their population,
1 without one) in points per square map unit, and the density integrates to Σ_i w_i.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: The largest raster this module computes (rows × columns).
MAX_RASTER_CELLS = 4_000_000
#: The most point-to-cell kernel evaluations one call may do (points × cells within the
#: radius of a point): beyond it the radius is too large for the cell size.
MAX_KERNEL_EVALUATIONS = 400_000_000
#: How many point-to-cell evaluations to hold in memory at once.
_EVALUATIONS_PER_CHUNK = 2_000_000

SQUARE_METRES_PER_SQUARE_KM = 1_000_000.0


@dataclass(frozen=True)
class KernelDensityRaster:
    """A density raster: ``density[row, col]`` is the density at the centre of that cell.

    Row 0 is the northern (top) row, as in image rasters: cell (row, col) spans
    x ∈ [x_min + col·cell_size, x_min + (col+1)·cell_size] and
    y ∈ [y_max − (row+1)·cell_size, y_max − row·cell_size]. ``unit`` says what the values
    count: ``"per_square_map_unit"`` or ``"per_square_km"``.
    """

    density: FloatArray
    x_min: float
    y_max: float
    cell_size: float
    radius: float
    unit: str

    @property
    def x_max(self) -> float:
        return self.x_min + self.density.shape[1] * self.cell_size

    @property
    def y_min(self) -> float:
        return self.y_max - self.density.shape[0] * self.cell_size

    def cell_centres(self) -> tuple[FloatArray, FloatArray]:
        """The x of every column's centre and the y of every row's centre."""
        n_rows, n_cols = self.density.shape
        x = self.x_min + (np.arange(n_cols, dtype=np.float64) + 0.5) * self.cell_size
        y = self.y_max - (np.arange(n_rows, dtype=np.float64) + 0.5) * self.cell_size
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def default_search_radius(
    x: npt.ArrayLike, y: npt.ArrayLike, *, weights: npt.ArrayLike | None = None
) -> float:
    """ArcGIS Kernel Density's default search radius (bandwidth).

    r = 0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2

    with SD the standard distance of the points from their mean centre, Dm the median
    distance from the mean centre and n the number of points; with ``weights`` (a
    population field) the mean centre, SD and Dm are weighted and n is the sum of the
    weights. The weighted median is the median of the distances each repeated by its
    weight: the distance at which the running weight reaches half the total, the average
    of the two middle distances when it reaches exactly half. Raises ``ValueError`` when
    the rule gives no positive radius (one point, or more than half of the weight on the
    mean centre): give a radius explicitly then.
    """
    xs, ys, ws = _checked_points(x, y, weights)
    total = ws.sum()
    if total <= 0:
        raise ValueError("the weights must not all be zero")
    mean_x = (ws * xs).sum() / total
    mean_y = (ws * ys).sum() / total
    squared = (xs - mean_x) ** 2 + (ys - mean_y) ** 2
    standard_distance = math.sqrt((ws * squared).sum() / total)
    median_distance = _weighted_median(np.sqrt(squared), ws)
    radius = (
        0.9 * min(standard_distance, math.sqrt(1.0 / math.log(2.0)) * median_distance) * total**-0.2
    )
    if not radius > 0:
        raise ValueError(
            "the points are too concentrated for the default search radius; give a radius"
        )
    return float(radius)


def kernel_density(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    cell_size: float,
    bounds: tuple[float, float, float, float],
    radius: float | None = None,
    weights: npt.ArrayLike | None = None,
    per_square_km: bool = False,
) -> KernelDensityRaster:
    """The quartic kernel density of the points (x, y) on a raster over ``bounds``.

    ``bounds`` is (x_min, y_min, x_max, y_max); the raster has ⌈width / cell_size⌉ columns
    and ⌈height / cell_size⌉ rows from the top-left corner (x_min, y_max), so it may reach a
    little past x_max and below y_min. Points outside the raster still add to the cells
    within ``radius`` of them. ``radius`` defaults to :func:`default_search_radius`;
    ``weights`` are the points' populations (finite, non-negative). With
    ``per_square_km`` the coordinates are taken as metres and the density is per km²,
    otherwise per square map unit.

    Every cell within the radius of a point is found from a stencil of cell offsets around
    the point's own cell, evaluated for chunks of points at a time; the densities are
    summed with ``np.bincount``. Empty input, a non-positive radius or cell size, a raster
    over :data:`MAX_RASTER_CELLS` cells or a radius so large against the cell size that
    the work would exceed :data:`MAX_KERNEL_EVALUATIONS` raise ``ValueError``.
    """
    xs, ys, ws = _checked_points(x, y, weights)
    if not (math.isfinite(cell_size) and cell_size > 0):
        raise ValueError(f"cell_size must be a positive number, got {cell_size}")
    x_min, y_min, x_max, y_max = (float(value) for value in bounds)
    if not all(math.isfinite(value) for value in (x_min, y_min, x_max, y_max)):
        raise ValueError("bounds must be finite numbers")
    if not (x_max > x_min and y_max > y_min):
        raise ValueError(
            "bounds must be (x_min, y_min, x_max, y_max) with x_max > x_min, y_max > y_min"
        )
    n_cols = math.ceil((x_max - x_min) / cell_size)
    n_rows = math.ceil((y_max - y_min) / cell_size)
    if n_rows * n_cols > MAX_RASTER_CELLS:
        raise ValueError(
            f"a raster of {n_rows}×{n_cols} cells exceeds the limit of {MAX_RASTER_CELLS:,}; "
            "use a larger cell size or smaller bounds"
        )
    if radius is None:
        radius = default_search_radius(xs, ys, weights=ws)
    if not (math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a positive number, got {radius}")

    # Points farther than the radius outside the raster add nothing; dropping them also
    # keeps the cell arithmetic below far from integer overflow.
    near = (
        (xs > x_min - radius)
        & (xs < x_min + n_cols * cell_size + radius)
        & (ys < y_max + radius)
        & (ys > y_max - n_rows * cell_size - radius)
    )
    xs, ys, ws = xs[near], ys[near], ws[near]
    # The stencil's offsets lie within radius + √2/2 cells of the point's own cell, so this
    # bounds its size before it is built. A radius wider than the raster is cheaper to
    # evaluate against every cell instead.
    stencil_bound = math.ceil(math.pi * (radius / cell_size + 1.5) ** 2)
    cells_per_point = min(stencil_bound, n_rows * n_cols)
    if xs.size * cells_per_point > MAX_KERNEL_EVALUATIONS:
        raise ValueError(
            f"a radius of {radius:g} with cells of {cell_size:g} reaches up to "
            f"{cells_per_point:,} cells per point, too many for {xs.size:,} points; "
            "use a larger cell size, a smaller radius or smaller bounds"
        )
    # Positions in cell units, measured from the centre of the top-left cell.
    col_position = (xs - x_min) / cell_size - 0.5
    row_position = (y_max - ys) / cell_size - 0.5
    if stencil_bound < n_rows * n_cols:
        row_offsets, col_offsets = _stencil(radius / cell_size)
        own_row = np.rint(row_position).astype(np.int64)[:, None]
        own_col = np.rint(col_position).astype(np.int64)[:, None]
    else:
        # Every cell of the raster, "offset" from a zero origin.
        row_offsets, col_offsets = (
            axis.ravel() for axis in np.indices((n_rows, n_cols), dtype=np.int64)
        )
        own_row = own_col = np.zeros((xs.size, 1), dtype=np.int64)
    radius_in_cells = radius / cell_size
    kernel_scale = 3.0 / (math.pi * radius**2)

    totals = np.zeros(n_rows * n_cols, dtype=np.float64)
    chunk = max(1, _EVALUATIONS_PER_CHUNK // row_offsets.size)
    for start in range(0, xs.size, chunk):
        part = slice(start, start + chunk)
        rows = own_row[part] + row_offsets[None, :]
        cols = own_col[part] + col_offsets[None, :]
        u2 = (
            (rows - row_position[part, None]) ** 2 + (cols - col_position[part, None]) ** 2
        ) / radius_in_cells**2
        keep = (u2 < 1.0) & (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
        values = ws[part, None] * (1.0 - u2) ** 2
        totals += np.bincount(
            (rows * n_cols + cols)[keep], weights=values[keep], minlength=totals.size
        )
    density = kernel_scale * totals.reshape(n_rows, n_cols)
    if per_square_km:
        density *= SQUARE_METRES_PER_SQUARE_KM
    return KernelDensityRaster(
        density=density,
        x_min=x_min,
        y_max=y_max,
        cell_size=float(cell_size),
        radius=float(radius),
        unit="per_square_km" if per_square_km else "per_square_map_unit",
    )


def _stencil(radius_in_cells: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The (row, col) offsets from a point's own cell to every cell whose centre may lie
    within the radius: the point is at most half a cell from its own cell's centre in each
    axis, so an offset can reach when its nearest corner-adjusted gap is within the radius.
    """
    reach = math.ceil(radius_in_cells + 0.5)
    span = np.arange(-reach, reach + 1)
    rows, cols = np.meshgrid(span, span, indexing="ij")
    gap_rows = np.clip(np.abs(rows) - 0.5, 0, None)
    gap_cols = np.clip(np.abs(cols) - 0.5, 0, None)
    reachable = gap_rows**2 + gap_cols**2 < radius_in_cells**2
    return rows[reachable].astype(np.int64), cols[reachable].astype(np.int64)


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    # Points without weight take no part (nor could they be the middle of a tie).
    values, weights = values[weights > 0], weights[weights > 0]
    order = np.argsort(values, kind="stable")
    ordered, running = values[order], np.cumsum(weights[order])
    half = running[-1] / 2.0
    index = int(np.searchsorted(running, half, side="left"))
    if running[index] == half and index + 1 < ordered.size:
        return float((ordered[index] + ordered[index + 1]) / 2.0)
    return float(ordered[index])


def _checked_points(
    x: npt.ArrayLike, y: npt.ArrayLike, weights: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    try:
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
        ws = None if weights is None else np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError("coordinates and weights must be numbers") from error
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError("x and y must be one-dimensional arrays of the same length")
    if xs.size == 0:
        raise ValueError("there are no points")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("coordinates must be finite numbers")
    if ws is None:
        return xs, ys, np.ones_like(xs)
    if ws.shape != xs.shape:
        raise ValueError("weights must hold one value per point")
    if not np.isfinite(ws).all() or (ws < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return xs, ys, ws
