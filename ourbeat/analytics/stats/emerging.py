"""Emerging hot spot analysis, as ArcGIS Pro's "Emerging Hot Spot Analysis" tool does it.

Pure numpy/scipy: no Django. Three steps (ArcGIS Pro help, "How Emerging Hot Spot Analysis
works", space-time pattern mining toolbox):

1. Count the events of every cell in every time step: the space-time cube
   (:func:`space_time_cube`).
2. Compute the Getis-Ord Gi* z-score of every bin of the cube with a space-time
   neighbourhood: the bin's spatial neighbours in its own time step and in the previous
   time steps of the neighbourhood time window (:func:`space_time_gi_star`; ArcGIS's
   "Neighborhood Time Step" k, which counts the previous steps, is ``time_window = k + 1``
   here, and ArcGIS's default k = 1 is the default ``time_window=2``). The mean and the
   variance are those of the whole cube (ArcGIS's default global window).
3. Run the Mann-Kendall trend test on each cell's series of Gi* z-scores and put each cell
   in one of the published categories (:func:`classify_emerging`).

The categories follow ArcGIS Pro's published definitions (the tool's help page "How
Emerging Hot Spot Analysis works", the table of pattern names; these rules are written from
those definitions;
https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm).
"Hot" below means a statistically significant hot spot bin (Gi* z > 0
with p < ``alpha``, 0.10 by default: ArcGIS's 90 % confidence), T is the number of time
steps and "90 % of the steps" means at least 0.9·T of them:

- **new**: hot in the final step and never hot before.
- **consecutive**: one uninterrupted run of at least two hot bins ending in the final step,
  never hot before that run, and fewer than 90 % of the steps hot.
- **intensifying**: hot in at least 90 % of the steps, the final step included, and the
  Mann-Kendall test finds a significant increase of the z-scores.
- **persistent**: hot in at least 90 % of the steps, the final step included, and no
  significant trend.
- **diminishing**: hot in at least 90 % of the steps, the final step included, and a
  significant decrease of the z-scores.
- **sporadic**: hot in the final step, an on-and-off history of hot bins, fewer than 90 %
  of the steps hot, and never a significant cold spot.
- **oscillating**: hot in the final step, a significant cold spot in some earlier step, and
  fewer than 90 % of the steps hot.
- **historical**: not hot in the final step, but hot in at least 90 % of the steps.

Cold spots mirror these rules (cold for hot; for intensifying cold the z-scores decrease
significantly, for diminishing cold they increase). A cell in none of them is "no pattern"
(code ``"none"``). Where the published definitions overlap (a cell cold earlier and hot
only in the final step is both "new" and "oscillating"), the first of the order above wins.

Which cells form the cube is the caller's choice: ArcGIS analyses the locations with at
least one event (or those inside an analysis mask); a study area's grid with its empty
cells is the mask case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.stats import false_discovery_control, norm

from ourbeat.analytics.stats.hotspots import gi_star_z
from ourbeat.analytics.stats.trend import MannKendallResult, mann_kendall

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

#: ArcGIS's confidence for hot and cold bins and for the trend: 90 %.
DEFAULT_ALPHA = 0.10

#: The largest cube this module builds (cells × time steps); beyond it the Gi* weights
#: alone would take gigabytes.
MAX_CUBE_BINS = 20_000_000

NO_PATTERN = "none"
PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
#: Every code :func:`classify_emerging` can return, hot spots first, then cold spots.
CATEGORY_CODES: tuple[str, ...] = (
    *(f"{pattern}_hot" for pattern in PATTERNS),
    *(f"{pattern}_cold" for pattern in PATTERNS),
    NO_PATTERN,
)

GlobalWindow = Literal["entire_cube", "individual_time_step"]


@dataclass(frozen=True)
class EmergingHotSpots:
    """The result of :func:`emerging_hot_spots` for n cells and T time steps.

    ``gi_z`` and ``gi_p`` (n, T): each bin's Gi* z-score and two-sided normal p-value;
    ``significant`` (n, T): the bins that are hot or cold at ``alpha`` (after the FDR
    correction when ``fdr`` was asked for); ``trend``: the Mann-Kendall test of each cell's
    z-score series (fields of shape (n,)); ``categories`` (n,): one code of
    :data:`CATEGORY_CODES` per cell.
    """

    gi_z: FloatArray
    gi_p: FloatArray
    significant: npt.NDArray[np.bool_]
    trend: MannKendallResult
    categories: StrArray
    alpha: float
    time_window: int
    fdr: bool


def space_time_cube(
    cell_index: npt.ArrayLike, time_index: npt.ArrayLike, n_cells: int, n_steps: int
) -> IntArray:
    """The event count of every (cell, time step) bin, shape (n_cells, n_steps).

    ``cell_index[k]`` and ``time_index[k]`` place event k (integers in [0, n_cells) and
    [0, n_steps)); bins without events count 0. Out-of-range or non-integer indices,
    arrays of different lengths and cubes larger than :data:`MAX_CUBE_BINS` raise
    ``ValueError``.
    """
    if n_cells < 1 or n_steps < 1:
        raise ValueError(f"a cube needs cells and time steps, got {n_cells}×{n_steps}")
    if n_cells * n_steps > MAX_CUBE_BINS:
        raise ValueError(
            f"a cube of {n_cells}×{n_steps} bins exceeds the limit of {MAX_CUBE_BINS:,} bins"
        )
    cells = _integer_indices(cell_index, "cell_index", n_cells)
    steps = _integer_indices(time_index, "time_index", n_steps)
    if cells.shape != steps.shape:
        raise ValueError(f"cell_index has {cells.size} events but time_index has {steps.size}")
    counts = np.bincount(cells * n_steps + steps, minlength=n_cells * n_steps)
    return counts.reshape(n_cells, n_steps).astype(np.int64)


def space_time_weights(
    spatial_weights: sp.sparray | sp.spmatrix, n_steps: int, *, time_window: int = 2
) -> sp.csr_array:
    """The binary-in-time space-time weights of the flattened cube.

    Bins are numbered time-major (bin t·n_cells + c is cell c in step t). Bin (t, c) gives
    weight w_cd to bin (u, d) when t − time_window < u ≤ t: the spatial weights, repeated
    over the current step and the ``time_window − 1`` previous ones (fewer at the start of
    the cube). That is kron(L, W) with L the T×T lower band of ones of width
    ``time_window``.
    """
    if time_window < 1:
        raise ValueError(f"time_window must be at least 1, got {time_window}")
    lags = range(min(time_window, n_steps))
    in_window = sp.diags_array(
        [np.ones(n_steps - lag) for lag in lags],
        offsets=[-lag for lag in lags],
        shape=(n_steps, n_steps),
    )
    return sp.csr_array(sp.kron(in_window, sp.csr_array(spatial_weights), format="csr"))


def space_time_gi_star(
    counts: npt.ArrayLike,
    spatial_weights: sp.sparray | sp.spmatrix,
    *,
    time_window: int = 2,
    global_window: GlobalWindow = "entire_cube",
) -> tuple[FloatArray, FloatArray]:
    """The Gi* z-score and two-sided normal p-value of every bin of a cube of (n, T) counts.

    ``spatial_weights`` is an n×n sparse matrix over the cells with every cell's weight on
    itself on the diagonal (Gi*). ``time_window`` is the number of time steps in a bin's
    neighbourhood, its own included: 1 compares a bin with its spatial neighbours in the
    same step only; the default 2 also takes in the previous step, which is ArcGIS's
    default "Neighborhood Time Step" of 1 (ArcGIS counts the previous steps only: its
    neighbourhood time step k is ``time_window = k + 1`` here).

    With ``global_window="entire_cube"`` (ArcGIS's default "Define Global Window") the mean
    and variance in Gi* are those of all bins of the cube: the z-scores are those of
    :func:`~ourbeat.analytics.stats.hotspots.gi_star_z` on the flattened cube with the
    space-time weights of :func:`space_time_weights` (the tests check it), computed
    without building that matrix: its T·nnz(W)·time_window entries would take gigabytes
    for a county over a few years, while the same sums come from one sparse product per
    step. Computing the steps one by one would compare each step with its own mean
    instead, which is the other option, ``"individual_time_step"`` (ArcGIS's "Individual
    time step"; only with ``time_window=1``, since the window then holds a single step).
    """
    try:
        cube = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError("counts must hold numbers") from error
    if cube.ndim != 2:
        raise ValueError(f"counts must be an (n_cells, n_steps) array, got {cube.ndim}-d")
    if not np.isfinite(cube).all():
        raise ValueError("counts must hold finite numbers only")
    n_cells, n_steps = cube.shape
    weights = _checked_spatial_weights(spatial_weights, n_cells)
    if time_window < 1:
        raise ValueError(f"time_window must be at least 1, got {time_window}")

    if global_window == "entire_cube":
        gi_z = _entire_cube_gi_star_z(cube, weights, time_window)
    elif global_window == "individual_time_step":
        if time_window != 1:
            raise ValueError("an individual-time-step global window needs time_window=1")
        gi_z = np.column_stack([gi_star_z(cube[:, step], weights) for step in range(n_steps)])
    else:
        raise ValueError(f"unknown global_window {global_window!r}")
    gi_p = 2.0 * norm.sf(np.abs(gi_z))
    return np.ascontiguousarray(gi_z, dtype=np.float64), np.asarray(gi_p, dtype=np.float64)


def classify_emerging(
    gi_z: npt.ArrayLike,
    gi_p: npt.ArrayLike,
    *,
    alpha: float = DEFAULT_ALPHA,
    trend: MannKendallResult | None = None,
) -> StrArray:
    """The emerging hot spot category of every cell from its (T,) series of Gi* results.

    ``gi_z`` and ``gi_p`` are (n, T) arrays (time along the rows, final step last); a bin is
    hot when p < ``alpha`` and z > 0, cold when p < ``alpha`` and z < 0. ``trend`` is the
    Mann-Kendall test of each row of ``gi_z``; when it is not given it is computed here at
    the same ``alpha``. Returns one code of :data:`CATEGORY_CODES` per row, by the rules in
    this module's docstring. Needs T ≥ 3 (the trend test's minimum).
    """
    z = np.asarray(gi_z, dtype=np.float64)
    p = np.asarray(gi_p, dtype=np.float64)
    if z.ndim != 2 or z.shape != p.shape:
        raise ValueError(
            f"gi_z and gi_p must be (n_cells, n_steps) arrays of one shape, "
            f"got {z.shape} and {p.shape}"
        )
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    if np.isnan(p).any() or np.isnan(z).any():
        raise ValueError("gi_z and gi_p must not hold NaN")
    if trend is None:
        trend = mann_kendall(z, alpha=alpha)
    if trend.trend.shape != z.shape[:1]:
        raise ValueError("trend must hold one Mann-Kendall result per cell")

    significant = p < alpha
    categories = np.full(z.shape[0], NO_PATTERN, dtype=f"<U{max(map(len, CATEGORY_CODES))}")
    hot_rules = _pattern_masks(significant & (z > 0), significant & (z < 0), trend.trend)
    cold_rules = _pattern_masks(significant & (z < 0), significant & (z > 0), -trend.trend)
    # Apply in reverse order of precedence so that the earlier pattern overwrites a later
    # one where the published definitions overlap; hot and cold never overlap.
    for pattern in reversed(PATTERNS):
        categories[hot_rules[pattern]] = f"{pattern}_hot"
        categories[cold_rules[pattern]] = f"{pattern}_cold"
    return categories


def emerging_hot_spots(
    counts: npt.ArrayLike,
    spatial_weights: sp.sparray | sp.spmatrix,
    *,
    time_window: int = 2,
    alpha: float = DEFAULT_ALPHA,
    fdr: bool = False,
    global_window: GlobalWindow = "entire_cube",
) -> EmergingHotSpots:
    """Emerging hot spot analysis of a cube of (n_cells, n_steps) counts.

    ``counts`` comes from :func:`space_time_cube` over the study area's cells (cells
    without events included: they are part of the mean and the variance);
    ``spatial_weights`` is an n×n sparse matrix with the diagonal set (for an H3 grid, the
    ring weights of the grid module). See :func:`space_time_gi_star` for ``time_window``
    and ``global_window`` and :func:`classify_emerging` for the categories.

    With ``fdr=True`` the bins' p-values are first adjusted with the Benjamini-Hochberg
    false discovery rate over the whole cube (current ArcGIS Pro applies such a correction;
    ArcMap and the classic definitions use the raw p-values, which is the default here).
    The trend test always uses the raw z-scores.
    """
    gi_z, gi_p = space_time_gi_star(
        counts, spatial_weights, time_window=time_window, global_window=global_window
    )
    if gi_z.shape[1] < 3:
        raise ValueError(f"emerging hot spots need at least 3 time steps, got {gi_z.shape[1]}")
    decision_p = false_discovery_control(gi_p.ravel()).reshape(gi_p.shape) if fdr else gi_p
    trend = mann_kendall(gi_z, alpha=alpha)
    categories = classify_emerging(gi_z, decision_p, alpha=alpha, trend=trend)
    return EmergingHotSpots(
        gi_z=gi_z,
        gi_p=gi_p,
        significant=decision_p < alpha,
        trend=trend,
        categories=categories,
        alpha=alpha,
        time_window=time_window,
        fdr=fdr,
    )


def _entire_cube_gi_star_z(cube: FloatArray, weights: sp.csr_array, time_window: int) -> FloatArray:
    """Ord and Getis's Gi* z (as in ``gi_star_z``) of every bin against the whole cube.

    With B = kron(L, W) the space-time weights, bin (c, t) has Σ_j b_ij y_j = the sum of
    (W y_u)_c over the steps u in its window, W_i = m_t·ΣW_c and S1_i = m_t·ΣW²_c, with
    m_t = min(time_window, t + 1) the number of steps in the window.
    """
    n_steps = cube.shape[1]
    values = cube.ravel()
    n = values.size
    mean = values.mean()
    s = np.sqrt((values**2).mean() - mean**2)
    spatial_lag = np.asarray(weights @ cube)
    window_sum = spatial_lag.copy()
    for lag in range(1, min(time_window, n_steps)):
        window_sum[:, lag:] += spatial_lag[:, :-lag]
    steps_in_window = np.minimum(time_window, np.arange(1, n_steps + 1))
    w_sum = np.asarray(weights.sum(axis=1)).reshape(-1, 1) * steps_in_window
    s1 = np.asarray(weights.multiply(weights).sum(axis=1)).reshape(-1, 1) * steps_in_window
    numerator = window_sum - mean * w_sum
    denominator = s * np.sqrt((n * s1 - w_sum**2) / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    return np.asarray(z, dtype=np.float64)


def _pattern_masks(
    hot: npt.NDArray[np.bool_], cold: npt.NDArray[np.bool_], trend: IntArray
) -> dict[str, npt.NDArray[np.bool_]]:
    """Which rows fall in each hot spot pattern (pass cold for hot, and −trend, for cold)."""
    n_steps = hot.shape[1]
    hot_steps = hot.sum(axis=1)
    final_hot = hot[:, -1]
    # 10·count ≥ 9·T keeps the 90 % threshold exact in integers.
    mostly_hot = 10 * hot_steps >= 9 * n_steps
    # The length of the run of hot bins that ends in the final step.
    last_not_hot = np.where(~hot, np.arange(n_steps), -1).max(axis=1)
    final_run = n_steps - 1 - last_not_hot
    only_the_final_run = hot_steps == final_run
    ever_cold_before = cold[:, :-1].any(axis=1)
    recent = final_hot & ~mostly_hot
    new = final_hot & (hot_steps == 1)
    consecutive = recent & only_the_final_run & (final_run >= 2)
    return {
        "new": new,
        "consecutive": consecutive,
        "intensifying": final_hot & mostly_hot & (trend > 0),
        "persistent": final_hot & mostly_hot & (trend == 0),
        "diminishing": final_hot & mostly_hot & (trend < 0),
        "sporadic": recent & ~only_the_final_run & ~cold.any(axis=1),
        "oscillating": recent & ever_cold_before,
        "historical": ~final_hot & mostly_hot,
    }


def _integer_indices(values: npt.ArrayLike, name: str, upper: int) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got {array.dtype}")
    indices = array.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= upper):
        raise ValueError(f"{name} must lie in [0, {upper})")
    return indices


def _checked_spatial_weights(weights: sp.sparray | sp.spmatrix, n_cells: int) -> sp.csr_array:
    if not sp.issparse(weights):
        raise ValueError("spatial_weights must be a scipy.sparse matrix")
    matrix = sp.csr_array(weights, dtype=np.float64)
    if matrix.shape != (n_cells, n_cells):
        raise ValueError(f"spatial_weights are {matrix.shape}, expected ({n_cells}, {n_cells})")
    if matrix.nnz and (not np.isfinite(matrix.data).all() or matrix.data.min() < 0):
        raise ValueError("spatial_weights must be finite and non-negative")
    if (matrix.diagonal() <= 0).any():
        raise ValueError("spatial_weights need every cell's weight on itself on the diagonal (Gi*)")
    return matrix
