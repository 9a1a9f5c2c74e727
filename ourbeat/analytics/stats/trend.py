"""The Mann-Kendall trend test (Mann 1945, Kendall 1975, Gilbert 1987), vectorised over rows.

Pure numpy/scipy: no Django. The statistics are those of pymannkendall's ``original_test``
(S, its variance with the tie correction, the continuity-corrected z, the two-sided normal
p-value and Kendall's tau), computed for many series at once: the emerging hot spot analysis
runs one test per cell of the study area on that cell's series of Gi* z-scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The shortest series the test accepts. With two values S is ±1 and its variance 1, so the
#: continuity-corrected z is always 0: such a test cannot find a trend, and saying "no
#: trend" would hide that the series was too short to ask.
MIN_SERIES_LENGTH = 3

INCREASING = 1
DECREASING = -1
NO_TREND = 0


@dataclass(frozen=True)
class MannKendallResult:
    """One Mann-Kendall test per series.

    Every field has the input's shape without its last (time) axis: 0-d arrays for one
    series of shape (T,), arrays of shape (n,) for n series of shape (n, T).

    ``trend`` is +1 (significant increase), −1 (significant decrease) or 0 (no significant
    trend) at ``alpha``, two-sided, exactly as pymannkendall decides it.
    """

    s: IntArray
    var_s: FloatArray
    z: FloatArray
    p: FloatArray
    tau: FloatArray
    trend: IntArray
    alpha: float


def mann_kendall(series: npt.ArrayLike, *, alpha: float = 0.05) -> MannKendallResult:
    """The Mann-Kendall test of every series (row) in ``series``.

    For a series x of length T:

    - S = Σ_{i<j} sign(x_j − x_i);
    - Var(S) = (T(T−1)(2T+5) − Σ_g t_g(t_g−1)(2t_g+5)) / 18, the sum over the groups of
      tied values, t_g the size of group g;
    - z = (S − 1)/√Var(S) if S > 0, (S + 1)/√Var(S) if S < 0, 0 if S = 0 (continuity
      correction);
    - p = 2(1 − Φ(|z|)), two-sided;
    - tau = S / (T(T−1)/2);
    - a trend when |z| > Φ⁻¹(1 − alpha/2).

    A constant series has S = 0 and Var(S) = 0: z = 0, p = 1, no trend.

    ``series`` is a (T,) or (n, T) array of finite numbers with T ≥ 3; anything else raises
    ``ValueError``. (pymannkendall silently drops missing values; here a missing value is an
    error, because a cube of counts has none and a silent drop would shift the time axis.)
    The cost is O(n·T²) elementwise work in T − 1 vectorised steps, with O(n·T) memory.
    """
    try:
        values = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError("series must hold numbers") from error
    if values.ndim not in (1, 2):
        raise ValueError(f"series must be one (T,) or several (n, T) series, got {values.ndim}-d")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    length = values.shape[-1]
    if length < MIN_SERIES_LENGTH:
        raise ValueError(
            f"Mann-Kendall needs at least {MIN_SERIES_LENGTH} values per series, got {length}"
        )
    if not np.isfinite(values).all():
        raise ValueError("series must hold finite numbers only (no NaN or infinity)")

    rows = values.reshape(-1, length)
    s = _mk_score(rows)
    var_s = _variance_s(rows)
    z = np.zeros(rows.shape[0], dtype=np.float64)
    root = np.sqrt(var_s)
    increasing = s > 0
    decreasing = s < 0
    z[increasing] = (s[increasing] - 1) / root[increasing]
    z[decreasing] = (s[decreasing] + 1) / root[decreasing]
    p = 2.0 * norm.sf(np.abs(z))
    significant = np.abs(z) > norm.ppf(1.0 - alpha / 2.0)
    trend = np.where(significant, np.sign(z), 0).astype(np.int64)
    tau = s / (0.5 * length * (length - 1))

    shape = values.shape[:-1]
    return MannKendallResult(
        s=s.reshape(shape),
        var_s=var_s.reshape(shape),
        z=z.reshape(shape),
        p=np.asarray(p, dtype=np.float64).reshape(shape),
        tau=np.asarray(tau, dtype=np.float64).reshape(shape),
        trend=trend.reshape(shape),
        alpha=alpha,
    )


def _mk_score(rows: FloatArray) -> IntArray:
    """S of every row: one vectorised pass per lag, so memory stays O(n·T)."""
    length = rows.shape[1]
    s = np.zeros(rows.shape[0], dtype=np.int64)
    for lag in range(1, length):
        later, earlier = rows[:, lag:], rows[:, :-lag]
        s += np.count_nonzero(later > earlier, axis=1)
        s -= np.count_nonzero(later < earlier, axis=1)
    return s


def _variance_s(rows: FloatArray) -> FloatArray:
    """Var(S) of every row with the tie correction, from the run lengths of the sorted row."""
    n_rows, length = rows.shape
    ordered = np.sort(rows, axis=1)
    starts_group = np.ones_like(ordered, dtype=bool)
    starts_group[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    # Every row's first value starts a group, so numbering the groups over the flattened
    # array never merges two rows.
    group_of_value = np.cumsum(starts_group.ravel()) - 1
    group_size = np.bincount(group_of_value).astype(np.float64)
    row_of_group = np.repeat(np.arange(n_rows), length)[starts_group.ravel()]
    tie_term = np.bincount(
        row_of_group,
        weights=group_size * (group_size - 1) * (2 * group_size + 5),
        minlength=n_rows,
    )
    full = float(length * (length - 1) * (2 * length + 5))
    return np.asarray((full - tie_term) / 18, dtype=np.float64)
