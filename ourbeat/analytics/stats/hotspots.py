"""Getis-Ord Gi* hot spots (Ord and Getis 1995), for any weights, with conditional-
permutation inference (Anselin 1995) and ArcGIS's classification into hot and cold spots.

Pure numpy/scipy: no Django. ``y`` is one value per cell of the study area (zeros
included), ``weights`` an n×n scipy.sparse matrix whose diagonal holds each cell's weight
on itself (Gi*: the cell counts in its own neighbourhood).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# (Gi_Bin, α): ArcGIS's confidence levels, 99 %, 95 % and 90 %.
CONFIDENCE_LEVELS: tuple[tuple[int, float], ...] = ((3, 0.01), (2, 0.05), (1, 0.10))
# The level at which ``GiStarResult.significant_fdr`` is judged.
SIGNIFICANCE_LEVEL = 0.05
# Permuted neighbourhood sums are compared in chunks of about this many (cell, permutation,
# neighbour) triples, so memory stays near 100 MB whatever the grid's size.
_CHUNK_VALUES = 4_000_000
# Cells are spread over independent sets of permutations: as many sets as about this many
# drawn values allow (at most one per cell), so the Monte Carlo error of the p-values is
# not shared by a whole map.
_DRAW_BUDGET = 2_000_000
# At most this many drawn values (permutations × (largest neighbourhood + 1)): about 1 GB
# of working memory.
_MAX_DRAWN_VALUES = 20_000_000
# Sums within this fraction of a cell's largest possible neighbourhood sum count as ties:
# the observed and the permuted sums are added in different orders.
_TIE_TOLERANCE = 1e-10


def _validated(
    y: npt.ArrayLike, weights: sp.sparray | sp.spmatrix
) -> tuple[FloatArray, sp.csr_array]:
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"y must be numbers: {error}") from None
    if values.ndim != 1:
        raise ValueError(f"y must be one value per cell (1-D), not of shape {values.shape}")
    n = values.shape[0]
    if n == 0:
        raise ValueError("y is empty: a hot spot analysis needs at least one cell")
    if not np.isfinite(values).all():
        raise ValueError(
            f"y holds {int((~np.isfinite(values)).sum())} missing or infinite values; "
            "a cell without events counts 0"
        )
    if not (sp.issparse(weights) and weights.ndim == 2):
        raise ValueError("weights must be a scipy.sparse matrix")
    # A copy in canonical form (sorted, duplicates summed) that the caller's matrix does
    # not share.
    w = sp.csr_array(weights, dtype=np.float64, copy=True)
    w.sum_duplicates()
    if w.shape != (n, n):
        raise ValueError(f"weights are {w.shape}, expected ({n}, {n}) for {n} values of y")
    if not np.isfinite(w.data).all() or (w.data < 0).any():
        raise ValueError("weights must be finite and not negative")
    return values, w


def gi_star_z(y: npt.ArrayLike, weights: sp.sparray | sp.spmatrix) -> FloatArray:
    """The Gi* z-score of every cell under normality (Ord and Getis 1995, eq. 14a):

    z_i = (Σ_j w_ij y_j − ȳ W_i) / (s √((n S1_i − W_i²) / (n − 1)))

    with W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (the variance uses the squared weights, so it
    holds for any weights, not only 0/1), ȳ and s the mean and the (population) standard
    deviation of all n values. A constant ``y`` has no hot spots: its z-scores are 0.
    """
    return _z_scores(*_validated(y, weights))


def _z_scores(values: FloatArray, w: sp.csr_array) -> FloatArray:
    n = values.shape[0]
    mean = values.mean()
    s = np.sqrt((values**2).mean() - mean**2)
    w_sum = np.asarray(w.sum(axis=1)).ravel()
    s1 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    numerator = w @ values - mean * w_sum
    denominator = s * np.sqrt((n * s1 - w_sum**2) / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    return np.asarray(z, dtype=np.float64)


def benjamini_hochberg(p: npt.ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order of ``p``.

    q_(i) = min over j ≥ i of p_(j) n / j for the p-values sorted ascending, at most 1. A
    test is significant at false discovery rate α when q ≤ α: the same cells as the
    step-up procedure (reject the k smallest p, k the largest with p_(k) ≤ k α / n).
    """
    values = np.asarray(p, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"p-values must be 1-D, not of shape {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any() or (values > 1).any():
        raise ValueError("p-values must lie between 0 and 1")
    n = values.size
    order = np.argsort(values, kind="stable")
    scaled = values[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(n, dtype=np.float64)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def gi_bins(z: npt.ArrayLike, p: npt.ArrayLike, *, fdr: bool = True) -> npt.NDArray[np.int8]:
    """ArcGIS's Gi_Bin: +3, +2, +1 for hot spots at 99, 95 and 90 % confidence, −3 … −1 for
    cold spots, 0 when not significant; the sign is the z-score's.

    Without ``fdr`` a cell is significant at level α when p ≤ α. With ``fdr`` (ArcGIS's
    "Apply False Discovery Rate (FDR) Correction"), when its Benjamini–Hochberg q ≤ α: the
    critical p-value of each confidence level is lowered to the largest p_(k) with
    p_(k) ≤ k α / n.
    """
    scores = np.asarray(z, dtype=np.float64)
    evidence = np.asarray(p, dtype=np.float64)
    if scores.shape != evidence.shape or scores.ndim != 1:
        raise ValueError("z and p must be 1-D arrays of the same length")
    if fdr:
        evidence = benjamini_hochberg(evidence)
    level = np.zeros(scores.size, dtype=np.int8)
    for bin_value, alpha in reversed(CONFIDENCE_LEVELS):
        level[evidence <= alpha] = bin_value
    return (np.sign(scores).astype(np.int8) * level).astype(np.int8)


@dataclass(frozen=True)
class GiStarResult:
    """Gi* for every cell, in the order of ``y``.

    ``z``: Ord and Getis's z-score. ``p_norm``: its two-sided normal p-value, 2 (1 − Φ(|z|)).
    ``p_sim``: the two-sided conditional-permutation p-value (see ``gi_star``), or None
    without permutations; ``p_upper`` and ``p_lower`` its one-sided parts,
    (1 + #{L* ≥ L_i}) / (P + 1) and (1 + #{L* ≤ L_i}) / (P + 1). ``p``: the p-value used
    for significance, ``p_sim`` when there are permutations, else ``p_norm``. ``q``: its
    Benjamini–Hochberg adjustment. ``significant_fdr``: q ≤ 0.05. ``bins``: ArcGIS's
    Gi_Bin (−3 … +3), with the FDR correction when ``fdr``. ``neighbours``: cells in each
    neighbourhood, the cell itself included (ArcGIS's NNeighbors).
    """

    z: FloatArray
    p_norm: FloatArray
    p_sim: FloatArray | None
    p_upper: FloatArray | None
    p_lower: FloatArray | None
    p: FloatArray
    q: FloatArray
    significant_fdr: npt.NDArray[np.bool_]
    bins: npt.NDArray[np.int8]
    neighbours: IntArray
    n: int
    permutations: int
    fdr: bool


def gi_star(
    y: npt.ArrayLike,
    weights: sp.sparray | sp.spmatrix,
    *,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    alpha_fdr: bool = True,
    progress: Callable[[float], object] | None = None,
) -> GiStarResult:
    """Getis-Ord Gi* with conditional-permutation inference and ArcGIS's hot/cold bins.

    The z-scores are ``gi_star_z``'s. Conditional permutation (Anselin 1995) holds y_i
    fixed and gives cell i's other neighbours values drawn at random, without
    replacement, from the n − 1 values of the other cells; because y_i, w_ii and Σy stay
    fixed, comparing the permuted Gi* with the observed one is comparing the weighted sums
    of the neighbours' values, L_i = Σ_{j≠i} w_ij y_j. With P permutations,

        p_sim_i = min(1, 2 (1 + min(#{L* ≥ L_i}, #{L* ≤ L_i})) / (P + 1)),

    a two-sided p-value: twice the smaller tail. PySAL esda's ``G_Local(...).p_sim`` is the
    smaller tail alone, (1 + min(#{L* ≥ L_i}, P − #{L* ≥ L_i})) / (P + 1), which counts a
    tie in the upper tail only (esda's p_sim = min(p_upper, (P + 2) / (P + 1) − p_upper)
    with ours). Without ties, ours is min(1, 2 × esda's p_sim), and a test at α on ours is
    esda's p_sim compared with α/2. With ties (counts), ours counts them in both tails, so a
    cell whose neighbours are all empty is not called a cold spot merely because most
    permutations tie with it.

    The null distribution is esda's; only the bookkeeping differs. The draws are made for
    many cells at once: G independent sets of P samples (as many sets as about two million
    drawn values allow, at most one per cell), each cell assigned to a set at random and
    taking the first |N_i| − 1 values of each of its set's samples (a draw of cell i itself
    is replaced by the sample's next value). The Monte Carlo error is thus shared within a
    set, not by the whole map. Where a cell's weights are all equal (binary weights), its
    tails are counted by binary search in the sorted prefix sums of its set's samples, so
    the cost grows as n log P, not n P. Results are reproducible with ``seed``.

    The smallest p_sim is 2 / (P + 1). The FDR correction finds k significant cells among n
    at level α only if their p-values are at most k α / n, so a large grid needs many
    permutations (P + 1 ≥ 2n / (k α)); they are cheap here (binary weights: n log P).

    ``permutations=0`` skips the permutations: ``p`` is then the normal p-value.
    ``alpha_fdr`` applies the Benjamini–Hochberg correction to ``bins`` (ArcGIS's FDR
    option). ``progress(fraction)`` is called a few times while the permutations run.
    """
    values, w = _validated(y, weights)
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise ValueError(f"permutations must be a whole number, not {permutations!r}")
    if permutations < 0:
        raise ValueError(f"permutations cannot be negative ({permutations})")
    permutations = int(permutations)
    n = values.shape[0]
    z = _z_scores(values, w)
    p_norm = np.asarray(2 * stats.norm.sf(np.abs(z)), dtype=np.float64)
    off_diagonal = _without_diagonal(w)
    widest = int(np.diff(off_diagonal.indptr).max())
    if permutations * (widest + 1) > _MAX_DRAWN_VALUES:
        raise ValueError(
            f"{permutations:,} permutations of neighbourhoods of up to {widest + 1} cells "
            f"need too much memory: at most {_MAX_DRAWN_VALUES // (widest + 1):,} permutations"
        )
    p_sim = p_upper = p_lower = None
    if permutations:
        rng = np.random.default_rng(seed)
        at_least, at_most = _permutation_tails(values, off_diagonal, permutations, rng, progress)
        p_upper = (at_least + 1) / (permutations + 1)
        p_lower = (at_most + 1) / (permutations + 1)
        p_sim = np.minimum(1.0, 2.0 * np.minimum(p_upper, p_lower))
    p = p_sim if p_sim is not None else p_norm
    q = benjamini_hochberg(p)
    has_self = w.diagonal() != 0
    return GiStarResult(
        z=z,
        p_norm=p_norm,
        p_sim=p_sim,
        p_upper=p_upper,
        p_lower=p_lower,
        p=p,
        q=q,
        significant_fdr=q <= SIGNIFICANCE_LEVEL,
        bins=gi_bins(z, p, fdr=alpha_fdr),
        neighbours=np.diff(off_diagonal.indptr).astype(np.int64) + has_self,
        n=n,
        permutations=permutations,
        fdr=bool(alpha_fdr),
    )


def _without_diagonal(w: sp.csr_array) -> sp.csr_array:
    """``w`` (canonical CSR) without its diagonal and without stored zeros."""
    n = w.shape[0]
    row = np.repeat(np.arange(n), np.diff(w.indptr))
    keep = (w.indices != row) & (w.data != 0)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row[keep], minlength=n), out=indptr[1:])
    return sp.csr_array((w.data[keep], w.indices[keep], indptr), shape=w.shape)


def _sample_without_replacement(
    rng: np.random.Generator, population: int, size: int, samples: int
) -> IntArray:
    """``samples`` rows of ``size`` distinct indices from range(population), each row a
    uniformly random ordered sample. The k-th draw picks among the population − k indices
    not drawn yet and steps past the drawn ones in increasing order (kept sorted by
    insertion); loops over the draw's position only (a neighbourhood's size), never over
    the samples."""
    drawn = np.empty((samples, size), dtype=np.int64)
    taken = np.empty((samples, size), dtype=np.int64)  # the first k columns, sorted
    for position in range(size):
        pick = rng.integers(0, population - position, samples)
        insert_at = np.zeros(samples, dtype=np.int64)
        for column in range(position):
            passed = pick >= taken[:, column]
            pick += passed
            insert_at += passed
        drawn[:, position] = pick
        for column in range(position, 0, -1):
            shift = insert_at < column
            taken[:, column] = np.where(shift, taken[:, column - 1], taken[:, column])
        taken[np.arange(samples), insert_at] = pick
    return drawn


def _padded_rows(off: sp.csr_array, width: int) -> FloatArray:
    """The rows of ``off`` as a dense block of their stored weights, left-aligned in CSR
    order and padded with zeros to ``width`` columns."""
    lengths = np.diff(off.indptr)
    row = np.repeat(np.arange(off.shape[0]), lengths)
    column = np.arange(off.indptr[-1]) - np.repeat(off.indptr[:-1], lengths)
    block = np.zeros((off.shape[0], width), dtype=np.float64)
    block[row, column] = off.data[: off.indptr[-1]]
    return block


@dataclass(frozen=True)
class _Draws:
    """The permutations: G independent sets of P ordered samples of K + 1 distinct cells
    (K the largest neighbourhood), each cell assigned at random to one set.

    Cell i with c_i neighbours takes the first c_i values of each sample of its set; where
    a sample drew i itself among those (a *hit*), the value at position c_i takes its place.
    That leaves every cell P uniformly random ordered samples of the n − 1 other cells: the
    null distribution of conditional permutation, as esda draws it.
    """

    values: FloatArray  # (G P) × (K + 1) drawn values; set g is rows g P … (g + 1) P − 1
    group: IntArray  # each cell's set
    permutations: int
    hit_cell: IntArray
    hit_sample: IntArray  # row in ``values``
    hit_position: IntArray
    hit_replacement: FloatArray  # the value at position c_i of the sample, replacing y_i

    @classmethod
    def sample(
        cls, rng: np.random.Generator, values: FloatArray, cardinality: IntArray, count: int
    ) -> _Draws:
        n = values.size
        widest = int(cardinality.max())
        groups = int(np.clip(_DRAW_BUDGET // (count * (widest + 1)), 1, n))
        group = (rng.permutation(n) % groups).astype(np.int64)
        draws = _sample_without_replacement(rng, n, widest + 1, groups * count)
        hit_sample, hit_position = np.nonzero(
            np.arange(widest)[None, :] < cardinality[draws[:, :widest]]
        )
        hit_cell = draws[hit_sample, hit_position]
        own = group[hit_cell] == hit_sample // count
        hit_cell, hit_sample, hit_position = hit_cell[own], hit_sample[own], hit_position[own]
        drawn = values[draws]
        return cls(
            values=drawn,
            group=group,
            permutations=count,
            hit_cell=hit_cell,
            hit_sample=hit_sample,
            hit_position=hit_position,
            hit_replacement=drawn[hit_sample, cardinality[hit_cell]],
        )

    def hits_on(self, rows: IntArray, n: int) -> npt.NDArray[np.bool_]:
        """Which hits fall on one of ``rows``."""
        member = np.zeros(n, dtype=bool)
        member[rows] = True
        return member[self.hit_cell]


def _permutation_tails(
    values: FloatArray,
    off: sp.csr_array,
    permutations: int,
    rng: np.random.Generator,
    progress: Callable[[float], object] | None,
) -> tuple[IntArray, IntArray]:
    """For every cell, how many of its permuted neighbourhood sums L* are ≥ and ≤ its
    observed L_i (equal within a rounding tolerance counts in both). ``off``: the weights
    without their diagonal."""
    n = values.size
    cardinality = np.diff(off.indptr).astype(np.int64)
    observed = off @ values
    # A cell without neighbours has L* = L_i = 0 in every permutation.
    at_least = np.full(n, permutations, dtype=np.int64)
    at_most = np.full(n, permutations, dtype=np.int64)
    if progress is not None:
        progress(0.0)
    if cardinality.max() > 0:
        tolerance = _TIE_TOLERANCE * np.abs(values).max() * np.asarray(abs(off).sum(axis=1)).ravel()
        bounds = (observed - tolerance, observed + tolerance)
        draws = _Draws.sample(rng, values, cardinality, permutations)
        # Rows whose weights are all equal (binary, or row-standardised) compare with sorted
        # prefix sums of the draws; other rows take a matrix product per chunk.
        occupied = np.flatnonzero(cardinality)
        row_high = np.maximum.reduceat(off.data, off.indptr[occupied])
        row_low = np.minimum.reduceat(off.data, off.indptr[occupied])
        tails = (at_least, at_most)
        _uniform_tails(
            occupied[row_high == row_low], off, cardinality, values, draws, bounds, tails
        )
        _general_tails(occupied[row_high != row_low], off, values, draws, bounds, tails, progress)
    if progress is not None:
        progress(1.0)
    return at_least, at_most


def _count_below(
    table: FloatArray, row: IntArray, threshold: FloatArray, *, inclusive: bool
) -> IntArray:
    """For each query, how many values of its row of ``table`` (each row sorted) are below
    its threshold (or equal, when ``inclusive``): a binary search run on all at once."""
    low = np.zeros(row.size, dtype=np.int64)
    high = np.full(row.size, table.shape[1], dtype=np.int64)
    searching = low < high
    while searching.any():
        middle = (low + high) // 2
        probe = table[row, np.minimum(middle, table.shape[1] - 1)]
        below = (probe <= threshold) if inclusive else (probe < threshold)
        low = np.where(searching & below, middle + 1, low)
        high = np.where(searching & ~below, middle, high)
        searching = low < high
    return low


def _uniform_tails(
    rows: IntArray,
    off: sp.csr_array,
    cardinality: IntArray,
    values: FloatArray,
    draws: _Draws,
    bounds: tuple[FloatArray, FloatArray],
    tails: tuple[IntArray, IntArray],
) -> None:
    """Tail counts of rows whose weights all equal a_i: L* = a_i × (sum of the first c_i
    values of a sample), so every cell of a set and a size compares with one sorted row
    of prefix sums."""
    if rows.size == 0:
        return
    at_least, at_most = tails
    permutations, widest = draws.permutations, draws.values.shape[1] - 1
    prefix = np.cumsum(draws.values[:, :widest], axis=1)
    # table[g × K + c − 1] = the sorted sums of the first c values of set g's samples.
    table = np.sort(
        prefix.reshape(-1, permutations, widest).transpose(0, 2, 1).reshape(-1, permutations),
        axis=1,
    )
    table_row = draws.group[rows] * widest + cardinality[rows] - 1
    weight = off.data[off.indptr[rows]]
    low, high = bounds[0][rows] / weight, bounds[1][rows] / weight
    at_least[rows] = permutations - _count_below(table, table_row, low, inclusive=False)
    at_most[rows] = _count_below(table, table_row, high, inclusive=True)
    # The samples that drew a cell itself: swap the plain prefix sum for the corrected one.
    n = values.size
    hit = draws.hits_on(rows, n)
    cell, sample = draws.hit_cell[hit], draws.hit_sample[hit]
    scale = off.data[off.indptr[cell]]
    before = prefix[sample, cardinality[cell] - 1]
    after = before + draws.hit_replacement[hit] - values[cell]
    low_hit, high_hit = bounds[0][cell] / scale, bounds[1][cell] / scale
    at_least += np.bincount(
        cell, (after >= low_hit).astype(np.int64) - (before >= low_hit), minlength=n
    ).astype(np.int64)
    at_most += np.bincount(
        cell, (after <= high_hit).astype(np.int64) - (before <= high_hit), minlength=n
    ).astype(np.int64)


def _general_tails(
    rows: IntArray,
    off: sp.csr_array,
    values: FloatArray,
    draws: _Draws,
    bounds: tuple[FloatArray, FloatArray],
    tails: tuple[IntArray, IntArray],
    progress: Callable[[float], object] | None,
) -> None:
    """Tail counts of rows with unequal weights: for a chunk of rows, the permuted sums are
    a batched product of each row's weights with its set's drawn values."""
    if rows.size == 0:
        return
    at_least, at_most = tails
    permutations, widest = draws.permutations, draws.values.shape[1] - 1
    drawn = draws.values[:, :widest].reshape(-1, permutations, widest)
    n = values.size
    hit = draws.hits_on(rows, n)
    order = np.argsort(draws.hit_cell[hit], kind="stable")
    hit_cell = draws.hit_cell[hit][order]
    hit_column = draws.hit_sample[hit][order] % permutations
    hit_change = off.data[off.indptr[hit_cell] + draws.hit_position[hit][order]] * (
        draws.hit_replacement[hit][order] - values[hit_cell]
    )
    rows_per_chunk = max(1, _CHUNK_VALUES // (permutations * widest))
    reported = 0.0
    for start in range(0, rows.size, rows_per_chunk):
        chunk = rows[start : start + rows_per_chunk]
        weights = _padded_rows(off[chunk], widest)
        sums = np.matmul(drawn[draws.group[chunk]], weights[:, :, None])[:, :, 0]
        first, last = np.searchsorted(hit_cell, [chunk[0], chunk[-1] + 1])
        local = np.searchsorted(chunk, hit_cell[first:last])
        sums[local, hit_column[first:last]] += hit_change[first:last]
        at_least[chunk] = np.count_nonzero(sums >= bounds[0][chunk, None], axis=1)
        at_most[chunk] = np.count_nonzero(sums <= bounds[1][chunk, None], axis=1)
        done = (start + chunk.size) / rows.size
        if progress is not None and done - reported >= 0.1 and done < 1:
            reported = done
            progress(done)
