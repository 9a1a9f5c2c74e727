"""Getis-Ord Gi* hot spots (Ord and Getis 1995), for any weights.

Pure numpy/scipy: no Django. ``y`` is one value per cell of the study area (zeros
included), ``weights`` an n×n scipy.sparse matrix whose diagonal holds each cell's weight
on itself (Gi*: the cell counts in its own neighbourhood).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]


def gi_star_z(y: npt.ArrayLike, weights: sp.sparray | sp.spmatrix) -> FloatArray:
    """The Gi* z-score of every cell under normality (Ord and Getis 1995, eq. 14a):

    z_i = (Σ_j w_ij y_j − ȳ W_i) / (s √((n S1_i − W_i²) / (n − 1)))

    with W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (the variance uses the squared weights, so it
    holds for any weights, not only 0/1), ȳ and s the mean and the (population) standard
    deviation of all n values. A constant ``y`` has no hot spots: its z-scores are 0.
    """
    values = np.asarray(y, dtype=np.float64)
    w = sp.csr_array(weights, dtype=np.float64)
    n = values.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weights are {w.shape}, expected ({n}, {n})")
    mean = values.mean()
    s = np.sqrt((values**2).mean() - mean**2)
    w_sum = np.asarray(w.sum(axis=1)).ravel()
    s1 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    numerator = w @ values - mean * w_sum
    denominator = s * np.sqrt((n * s1 - w_sum**2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    return np.asarray(z, dtype=np.float64)
