"""The statistics of ourbeat's surveys: pure functions on numpy arrays, no Django.

What is here, and the estimator each one uses:

``weighted_estimate``
    The weighted (Hájek) mean ``ȳ = Σ wᵢyᵢ / Σ wᵢ`` (a proportion when the values are 0/1),
    its standard error by Taylor linearisation for a with-replacement design (respondents, or
    the given clusters, as primary sampling units), a Student-t interval, and Kish's effective
    sample size and weighting design effect.
``grouped_estimates``
    The same for every group at once (area × wave × item), with ``np.bincount``: no Python
    loop over groups. Equal to ``weighted_estimate`` group by group.
``rake`` and ``post_stratify``
    Calibration of weights to population counts: iterative proportional fitting to the margins
    (age band, sex, …), or a ratio adjustment within each joint cell.
``suppress_small_cells``
    Primary suppression of counts under a threshold and complementary suppression, so that
    no suppressed count can be worked out from the published ones and the totals.
``compare_waves`` and ``wave_trend``
    The change between two waves (Welch's t-test on the two independent estimates) and the
    linear trend over several (weighted least squares with the estimates' variances).
``difference_in_differences``
    A treated area against comparison areas over waves before and after an action: a
    respondent-level two-way fixed-effects regression with weights (statsmodels WLS).

Every function checks its input and answers bad input with a ``ValueError`` that says what is
wrong. The references are those of the survey-sampling textbooks: Lohr, *Sampling: Design and
Analysis* (2nd ed., 2010), ch. 9 (linearisation) and 7.5 (design effects); Kish, *Survey
Sampling* (1965) and "Weighting for unequal Pᵢ" (J. Off. Stat. 1992); Deming and Stephan
(1940) and Bishop, Fienberg and Holland, *Discrete Multivariate Analysis* (1975), ch. 3
(raking); Hundepool et al., *Statistical Disclosure Control* (2012), ch. 4 (tables). R's
``survey`` package (Lumley) and Stata's ``svy`` compute the same standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.optimize
import scipy.stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

# ---------------------------------------------------------------------------------------------
# Input checks


def _float_array(data: npt.ArrayLike, name: str) -> FloatArray:
    """``data`` as a one-dimensional, non-empty array of finite floats."""
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: there is nothing to estimate")
    if not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array))
        raise ValueError(
            f"{name} has {bad.size} missing or infinite values (NaN or ±inf), the first at "
            f"position {bad[0]}: leave out the missing answers before estimating"
        )
    return array


def _same_length(name: str, array: np.ndarray[Any, Any], n: int, reference: str) -> None:
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {array.shape}")
    if array.shape[0] != n:
        raise ValueError(
            f"{reference} and {name} have different lengths ({n} and {array.shape[0]})"
        )


def _weights(data: npt.ArrayLike | None, n: int, reference: str = "values") -> FloatArray:
    """Positive, finite weights, one for each of ``n`` respondents (all 1 when ``None``)."""
    if data is None:
        return np.ones(n)
    try:
        weights = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("weights must be numbers") from None
    _same_length("weights", weights, n, reference)
    if not np.isfinite(weights).all():
        bad = np.flatnonzero(~np.isfinite(weights))
        raise ValueError(
            f"weights has {bad.size} missing or infinite values (NaN or ±inf), the first at "
            f"position {bad[0]}"
        )
    if not (weights > 0).all():
        bad = np.flatnonzero(weights <= 0)
        raise ValueError(
            f"weights must be positive: {bad.size} are zero or negative, the first at position "
            f"{bad[0]} ({weights[bad[0]]:g}); leave out respondents who should not count"
        )
    return weights


def _labels(data: npt.ArrayLike, n: int, name: str, reference: str = "values") -> IntArray:
    """Codes 0..k-1 for arbitrary labels (area names, cluster ids), in sorted label order."""
    array = np.asarray(data)
    _same_length(name, array, n, reference)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} has missing values (NaN)")
    try:
        _, inverse = np.unique(array, return_inverse=True)
    except TypeError:  # labels of mixed types (str and None) do not sort
        raise ValueError(
            f"{name} mixes labels of different types (such as text and None)"
        ) from None
    return inverse.reshape(-1).astype(np.intp, copy=False)


def _confidence(confidence: float) -> float:
    if not (isinstance(confidence, int | float) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number between 0 and 1, not {confidence!r}")
    return float(confidence)


def _t_quantile(confidence: float, df: float) -> float:
    return float(scipy.stats.t.ppf((1 + confidence) / 2, df))


# ---------------------------------------------------------------------------------------------
# Weighted estimates


@dataclass(frozen=True)
class Estimate:
    """A weighted mean (or proportion) with its design-based uncertainty.

    ``mean``: the weighted mean ``Σ wy / Σ w``; a proportion when every value is 0 or 1
    (``proportion`` is then true). ``se``: its linearised standard error. ``low``/``high``: the
    ``confidence`` interval ``mean ± t(df)·se``. ``df``: the design degrees of freedom
    (primary sampling units − 1). ``n``: respondents. ``psus``: primary sampling units
    (respondents, or clusters). ``n_eff``: Kish's effective sample size ``(Σw)²/Σw²``.
    ``deff``: Kish's weighting design effect ``n·Σw²/(Σw)² = n/n_eff``.
    """

    mean: float
    se: float
    low: float
    high: float
    df: float
    n: int
    psus: int
    n_eff: float
    deff: float
    confidence: float
    proportion: bool


def weighted_estimate(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    clusters: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """The weighted mean of ``values`` with its linearised standard error and interval.

    **Estimator.** The Hájek (ratio) mean ``ȳ = Σ wᵢyᵢ / W`` with ``W = Σ wᵢ``; for 0/1
    values it is the weighted proportion.

    **Standard error: Taylor linearisation, with-replacement design** (Lohr 2010, §9.1;
    Wolter, *Introduction to Variance Estimation*, ch. 6). The mean is a ratio of two
    totals; its linearised values are ``zᵢ = wᵢ(yᵢ − ȳ)/W``. With the ``G`` primary sampling
    units (PSUs) drawn with replacement, ``var(ȳ) = G/(G−1) · Σ_c Z_c²`` where ``Z_c`` is the
    sum of ``zᵢ`` within PSU ``c`` (the ``Z_c`` sum to zero, so no centring is needed). Without
    ``clusters`` each respondent is its own PSU (``G = n``). This is what R's
    ``survey::svymean`` computes for ``svydesign(ids = ~1 or ~cluster, weights = ~w)`` and
    Stata's ``svy: mean``; it equals the heteroskedasticity-robust (HC1) or cluster-robust
    standard error of the intercept in a weighted regression of ``y`` on a constant, which
    the tests use as their reference (statsmodels ``WLS``). It is *not* statsmodels'
    ``DescrStatsW.std_mean``, which treats the weights as frequency weights (its standard
    error changes when all weights are doubled; this one does not); the two agree when all
    weights are 1.

    **Interval: Student's t with the design degrees of freedom** ``G − 1`` (Stata's
    convention: PSUs minus strata, here one stratum). R's ``survey`` uses the normal
    quantile by default; for the few hundred respondents of an area and wave the two agree to
    the third decimal, and for a small area the t interval is the honest (wider) one. For a
    proportion this is the Wald interval: it is not clipped to [0, 1], and it has no width
    when every answer is the same (small cells are suppressed before publication anyway).

    **Kish.** Effective sample size ``n_eff = W²/Σwᵢ²`` and the weighting design effect
    ``deff = n·Σwᵢ²/W² = n/n_eff`` (Kish 1965, §11.7; Kish 1992): the variance inflation due to
    unequal weights alone, for the sample sizes and warnings shown next to an estimate.

    Raises ``ValueError`` for empty or mismatched arrays, non-finite values or weights,
    weights that are not positive, and fewer than two PSUs (no standard error exists).
    """
    y = _float_array(values, "values")
    w = _weights(weights, y.size)
    confidence = _confidence(confidence)
    total = float(w.sum())
    mean = float(np.dot(w, y) / total)
    z = w * (y - mean) / total
    psu_totals: FloatArray = z
    if clusters is not None:
        psu_totals = np.bincount(_labels(clusters, y.size, "clusters"), weights=z).astype(
            np.float64, copy=False
        )
    psus = int(psu_totals.size)
    if psus < 2:
        unit = "respondents" if clusters is None else "clusters"
        raise ValueError(f"a standard error needs at least two {unit}; there is {psus}")
    se = math.sqrt(psus / (psus - 1) * float(np.dot(psu_totals, psu_totals)))
    df = float(psus - 1)
    half = _t_quantile(confidence, df) * se
    n_eff = total * total / float(np.dot(w, w))
    return Estimate(
        mean=mean,
        se=se,
        low=mean - half,
        high=mean + half,
        df=df,
        n=int(y.size),
        psus=psus,
        n_eff=n_eff,
        deff=y.size / n_eff,
        confidence=confidence,
        proportion=bool(np.all((y == 0) | (y == 1))),
    )


@dataclass(frozen=True)
class GroupedEstimates:
    """Estimates for every group code ``0..len-1`` at once; each field is an array indexed by
    the group code, with the meaning it has in ``Estimate``. A group without respondents has
    ``n == 0`` and NaN elsewhere; a group with one PSU has a mean but NaN ``se``/``low``/``high``.
    """

    mean: FloatArray
    se: FloatArray
    low: FloatArray
    high: FloatArray
    df: FloatArray
    n: IntArray
    psus: IntArray
    n_eff: FloatArray
    deff: FloatArray
    proportion: BoolArray
    confidence: float

    def __len__(self) -> int:
        return int(self.mean.size)

    def at(self, group: int) -> Estimate:
        """One group's estimate, for ``compare_waves`` and ``wave_trend``."""
        if not 0 <= group < len(self):
            raise ValueError(f"there is no group {group}: the codes run from 0 to {len(self) - 1}")
        if self.n[group] == 0:
            raise ValueError(f"group {group} has no respondents")
        return Estimate(
            mean=float(self.mean[group]),
            se=float(self.se[group]),
            low=float(self.low[group]),
            high=float(self.high[group]),
            df=float(self.df[group]),
            n=int(self.n[group]),
            psus=int(self.psus[group]),
            n_eff=float(self.n_eff[group]),
            deff=float(self.deff[group]),
            confidence=self.confidence,
            proportion=bool(self.proportion[group]),
        )


def grouped_estimates(
    group_codes: npt.ArrayLike,
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    clusters: npt.ArrayLike | None = None,
    n_groups: int | None = None,
    confidence: float = 0.95,
) -> GroupedEstimates:
    """``weighted_estimate`` for every group at once: the fast path for dashboards.

    ``group_codes`` are non-negative integers, one per answer (for example
    ``(area × waves + wave) × items + item`` over the answers of all respondents, in long
    form); ``n_groups`` (default: the largest code + 1) sets the length of the result. Each
    group is estimated exactly as ``weighted_estimate(values[g], weights[g], clusters=...)``
    would, with the same estimator, standard error, interval and Kish figures (see there).

    The work is a handful of ``np.bincount`` passes over the answers (sums of ``w``, ``w²``,
    ``wy``), one gather of each group's mean, and one more ``bincount`` of the squared
    linearised values: two passes, so that the variance is computed from residuals and not
    as a difference of large sums. With ``clusters``, the per-(group, cluster) totals come
    from one ``np.unique`` of the combined code. t quantiles are computed once per distinct
    number of degrees of freedom.
    """
    y = _float_array(values, "values")
    w = _weights(weights, y.size)
    confidence = _confidence(confidence)
    codes = np.asarray(group_codes)
    _same_length("group_codes", codes, y.size, "values")
    if codes.dtype.kind not in "iu":
        raise ValueError(f"group_codes must be integers, not {codes.dtype}")
    g = codes.astype(np.intp, copy=False)
    low_code, high_code = int(g.min()), int(g.max())
    if low_code < 0:
        raise ValueError(f"group_codes must not be negative (found {low_code})")
    size = high_code + 1 if n_groups is None else int(n_groups)
    if high_code >= size:
        raise ValueError(f"group code {high_code} is not below n_groups ({size})")

    n = np.bincount(g, minlength=size)
    other = np.bincount(g, weights=((y != 0) & (y != 1)).astype(np.float64), minlength=size)
    total = np.bincount(g, weights=w, minlength=size)
    total_sq = np.bincount(g, weights=w * w, minlength=size)
    weighted = np.bincount(g, weights=w * y, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = weighted / total
        z = w * (y - mean[g])  # linearised values, times the group's total weight
        if clusters is None:
            psus = n
            squares = np.bincount(g, weights=z * z, minlength=size)
        else:
            cluster = _labels(clusters, y.size, "clusters")
            stride = int(cluster.max()) + 1
            pair_codes, pair = np.unique(g.astype(np.int64) * stride + cluster, return_inverse=True)
            pair_totals = np.bincount(pair.reshape(-1), weights=z)
            pair_group = (pair_codes // stride).astype(np.intp)
            psus = np.bincount(pair_group, minlength=size)
            squares = np.bincount(pair_group, weights=pair_totals * pair_totals, minlength=size)
        enough = psus >= 2
        variance = np.where(enough, psus / (psus - 1.0) * squares / (total * total), np.nan)
        se = np.sqrt(variance)
        n_eff = np.where(n > 0, total * total / total_sq, np.nan)
        deff = n / n_eff
    df = np.where(enough, psus - 1.0, np.nan)
    quantile = np.full(size, np.nan)
    if enough.any():
        distinct, where = np.unique(df[enough], return_inverse=True)
        quantile[enough] = scipy.stats.t.ppf((1 + confidence) / 2, distinct)[where.reshape(-1)]
    half = quantile * se
    return GroupedEstimates(
        mean=mean,
        se=se,
        low=mean - half,
        high=mean + half,
        df=df,
        n=n.astype(np.intp, copy=False),
        psus=psus.astype(np.intp, copy=False),
        n_eff=n_eff,
        deff=deff,
        proportion=(n > 0) & (other == 0),
        confidence=confidence,
    )


# ---------------------------------------------------------------------------------------------
# Weighting to the population


class RakingDidNotConverge(ValueError):
    """Raking stopped at ``max_iter`` with margins still off: the margins cannot be met by
    these respondents (some combinations of categories are missing) or need more iterations."""


@dataclass(frozen=True)
class Weighting:
    """Calibrated weights, one per respondent, in the order given. ``iterations``: full
    raking cycles (1 for post-stratification). ``max_relative_error``: the largest
    ``|weighted count / population count − 1|`` over the categories (or cells) at the end."""

    weights: FloatArray
    iterations: int
    max_relative_error: float


def _encode(data: npt.ArrayLike, levels: Sequence[Hashable], n: int, name: str) -> IntArray:
    """The index in ``levels`` of each respondent's label; ``ValueError`` for an unlisted one."""
    labels = np.asarray(data)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {labels.shape}")
    if labels.shape[0] != n:
        raise ValueError(f"{name} has {labels.shape[0]} respondents where {n} were expected")
    index = {level: i for i, level in enumerate(levels)}
    try:
        distinct, inverse = np.unique(labels, return_inverse=True)
    except TypeError:  # mixed types: map one by one
        codes = np.array([index.get(label, -1) for label in labels.tolist()], dtype=np.intp)
    else:
        lookup = np.array([index.get(label, -1) for label in distinct.tolist()], dtype=np.intp)
        codes = lookup[inverse.reshape(-1)]
    if (codes < 0).any():
        unknown = sorted({repr(x) for x, c in zip(labels.tolist(), codes, strict=True) if c < 0})
        count = int((codes < 0).sum())
        raise ValueError(
            f"{count} respondents have {name} values that the population figures do not list: "
            f"{', '.join(unknown[:5])}"
        )
    return codes


def _respondents(labels: npt.ArrayLike, name: str) -> int:
    """The number of respondents, from the first variable's labels."""
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError("there are no respondents to weight")
    return int(array.shape[0])


def _population(counts: Mapping[Any, float], name: str) -> tuple[list[Hashable], FloatArray]:
    if not isinstance(counts, Mapping) or not counts:
        raise ValueError(f"the population figures for {name} must be a non-empty mapping")
    levels = list(counts)
    try:
        totals = np.array([float(counts[level]) for level in levels])
    except (TypeError, ValueError):
        raise ValueError(f"the population figures for {name} must be numbers") from None
    if not np.isfinite(totals).all() or (totals < 0).any():
        raise ValueError(f"the population figures for {name} must be finite and not negative")
    if totals.sum() <= 0:
        raise ValueError(f"the population figures for {name} add up to zero")
    return levels, totals


def _check_cells(respondents: IntArray, target: FloatArray, describe: list[str]) -> None:
    """Every population cell with people needs respondents, and a cell with none in the
    population must have no respondents."""
    empty = np.flatnonzero((target > 0) & (respondents == 0))
    if empty.size:
        cells = ", ".join(f"{describe[i]} ({target[i]:g} people)" for i in empty[:5])
        raise ValueError(
            f"population cells without respondents cannot be weighted: {cells}; "
            "collapse each with a neighbouring category, or rake to the margins"
        )
    impossible = np.flatnonzero((target == 0) & (respondents > 0))
    if impossible.size:
        cells = ", ".join(f"{describe[i]} ({respondents[i]} respondents)" for i in impossible[:5])
        raise ValueError(f"respondents in categories whose population is zero: {cells}")


def rake(
    categories: Mapping[str, npt.ArrayLike],
    population_margins: Mapping[str, Mapping[Any, float]],
    *,
    weights: npt.ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> Weighting:
    """Rake ``weights`` (design weights; 1 when ``None``) so that the weighted count of
    respondents in each category of each variable equals the population's.

    ``categories`` maps each variable to the respondents' labels, one per respondent
    (``{"age": ["16-34", "35-54", …], "sex": ["f", "m", …]}``); ``population_margins``
    maps the same variables to the population count of each label
    (``{"age": {"16-34": 4100, …}, "sex": {"f": 5200, "m": 4900}}``).

    **Method: iterative proportional fitting** (Deming and Stephan 1940; Bishop, Fienberg and
    Holland 1975, §3.5; Lohr 2010, §8.6.2; R's ``survey::rake``): each cycle multiplies every
    respondent's weight, variable by variable, by ``N_c / Σ_{i∈c} wᵢ`` for the category ``c``
    the respondent is in. The result is the weight ``dᵢ · Π_v a_v(c_v(i))`` closest to the design
    weights in the Kullback–Leibler sense that meets every margin; it keeps the sample's
    interactions (odds ratios) between the variables. Cycles stop when
    ``max |weighted count / N_c − 1| ≤ tol`` over all categories.

    Raises ``ValueError`` when the variables differ between the two mappings, a respondent's
    label is not in the margins, a category with people in the population has no
    respondents (raking cannot give it weight: collapse it with a neighbour), a category with
    respondents has a population of zero, or the margins disagree on the population total;
    ``RakingDidNotConverge`` (a ``ValueError``) after ``max_iter`` cycles.
    """
    if not categories:
        raise ValueError("rake needs at least one variable")
    if set(categories) != set(population_margins):
        missing = sorted(set(categories) - set(population_margins))
        extra = sorted(set(population_margins) - set(categories))
        raise ValueError(
            f"the variables of the sample and of the population margins differ: "
            f"no margins for {missing}, no respondents' categories for {extra}"
        )
    if not (tol > 0 and max_iter >= 1):
        raise ValueError("tol must be positive and max_iter at least 1")
    names = list(categories)
    n = _respondents(categories[names[0]], names[0])
    w = _weights(weights, n, reference=names[0]).copy()
    codes: list[IntArray] = []
    targets: list[FloatArray] = []
    for name in names:
        levels, target = _population(population_margins[name], name)
        code = _encode(categories[name], levels, n, name)
        counts = np.bincount(code, minlength=len(levels))
        _check_cells(counts, target, [f"{name}={level}" for level in levels])
        codes.append(code)
        targets.append(target)
    sums = [float(t.sum()) for t in targets]
    if max(sums) - min(sums) > 1e-9 * max(sums):
        listed = ", ".join(f"{name} to {s:g}" for name, s in zip(names, sums, strict=True))
        raise ValueError(f"the population margins disagree on the population total: {listed}")

    def worst() -> float:
        errors = []
        for code, target in zip(codes, targets, strict=True):
            achieved = np.bincount(code, weights=w, minlength=target.size)
            live = target > 0
            errors.append(float(np.max(np.abs(achieved[live] / target[live] - 1))))
        return max(errors)

    error = math.inf
    for iteration in range(1, max_iter + 1):
        for code, target in zip(codes, targets, strict=True):
            achieved = np.bincount(code, weights=w, minlength=target.size)
            factor = np.divide(target, achieved, out=np.ones_like(target), where=achieved > 0)
            w *= factor[code]
        error = worst()
        if error <= tol:
            return Weighting(weights=w, iterations=iteration, max_relative_error=error)
    raise RakingDidNotConverge(
        f"raking did not converge in {max_iter} cycles (a margin is still off by "
        f"{error:.3g} of its count): the sample may lack the combinations of categories that "
        "these margins need; collapse categories or post-stratify"
    )


def post_stratify(
    categories: Mapping[str, npt.ArrayLike],
    population: Mapping[Any, float],
    *,
    weights: npt.ArrayLike | None = None,
) -> Weighting:
    """Post-stratify ``weights`` (1 when ``None``) to population counts of joint cells.

    ``categories`` maps each variable to the respondents' labels, as for ``rake``;
    ``population`` maps each joint cell, a tuple of labels in the order of ``categories``
    (``{("16-34", "f"): 2100, ("16-34", "m"): 2000, …}``; a bare label for one variable), to
    its population count.

    **Estimator** (Lohr 2010, §4.4; Holt and Smith 1979): within each cell ``h`` every weight
    is multiplied by ``N_h / Σ_{i∈h} wᵢ``, so the weighted count of each cell is its
    population count and a weighted mean becomes ``Σ_h (N_h/N) ȳ_h``.

    Raises ``ValueError`` for a respondent in a cell the population does not list, a cell with
    people and no respondents (collapse it, or ``rake`` to the margins), or a cell with
    respondents and a population of zero.
    """
    if not categories:
        raise ValueError("post_stratify needs at least one variable")
    if not isinstance(population, Mapping) or not population:
        raise ValueError("the population figures must be a non-empty mapping of cells to counts")
    names = list(categories)
    keys = [key if isinstance(key, tuple) else (key,) for key in population]
    if any(len(key) != len(names) for key in keys):
        raise ValueError(
            f"each population cell must name one label for each of {names}, in that order"
        )
    n = _respondents(categories[names[0]], names[0])
    w = _weights(weights, n, reference=names[0]).copy()
    levels = [list(dict.fromkeys(key[v] for key in keys)) for v in range(len(names))]
    codes = [_encode(categories[name], levels[v], n, name) for v, name in enumerate(names)]
    shape = tuple(len(level) for level in levels)
    cell = np.ravel_multi_index(tuple(codes), shape)
    listed = np.zeros(math.prod(shape), dtype=bool)
    target = np.zeros(math.prod(shape))
    _, values = _population(dict(zip(keys, population.values(), strict=True)), "the cells")
    for key, count in zip(keys, values, strict=True):
        position = np.ravel_multi_index(
            tuple(levels[v].index(key[v]) for v in range(len(names))), shape
        )
        listed[position] = True
        target[position] = count
    respondents = np.bincount(cell, minlength=target.size)
    unlisted = np.flatnonzero(~listed & (respondents > 0))

    def describe(position: int) -> str:
        index = np.unravel_index(position, shape)
        return "(" + ", ".join(f"{names[v]}={levels[v][index[v]]}" for v in range(len(names))) + ")"

    if unlisted.size:
        cells = ", ".join(describe(int(p)) for p in unlisted[:5])
        raise ValueError(f"respondents are in cells that the population does not list: {cells}")
    _check_cells(respondents, target, [describe(p) for p in range(target.size)])
    achieved = np.bincount(cell, weights=w, minlength=target.size)
    factor = np.divide(target, achieved, out=np.ones_like(target), where=achieved > 0)
    w *= factor[cell]
    final = np.bincount(cell, weights=w, minlength=target.size)
    live = target > 0
    error = float(np.max(np.abs(final[live] / target[live] - 1)))
    return Weighting(weights=w, iterations=1, max_relative_error=error)


# ---------------------------------------------------------------------------------------------
# Small cells


@dataclass(frozen=True)
class Suppression:
    """Which counts of a table may not be published.

    ``mask`` covers the table with its totals appended: for a two-way table of shape
    ``(r, c)`` it has shape ``(r + 1, c + 1)``, the last column being the row totals, the last
    row the column totals and the corner the grand total; for a one-way table of length
    ``k`` it has length ``k + 1``, the last entry the total. ``primary`` marks the counts
    under the threshold; the rest of ``mask`` is complementary suppression.
    """

    mask: BoolArray
    primary: BoolArray
    threshold: int

    @property
    def cells(self) -> BoolArray:
        return self.mask[:-1] if self.mask.ndim == 1 else self.mask[:-1, :-1]

    @property
    def row_totals(self) -> BoolArray:
        if self.mask.ndim == 1:
            raise ValueError("a one-way table has no row totals")
        return self.mask[:-1, -1]

    @property
    def column_totals(self) -> BoolArray:
        if self.mask.ndim == 1:
            raise ValueError("a one-way table has no column totals")
        return self.mask[-1, :-1]

    @property
    def total(self) -> bool:
        return bool(self.mask.flat[-1])


def suppress_small_cells(table_counts: npt.ArrayLike, threshold: int = 10) -> Suppression:
    """Suppress every count under ``threshold``, and enough others that none of them can be
    worked out from what is published.

    ``table_counts`` is a one-way (``k``) or two-way (``r × c``) table of respondent counts.
    Its totals (row, column and grand, or the one total) are published with it, so they are
    suppressed like cells: the table is handled as the array of cells with its totals
    appended (see ``Suppression``), in which every row and every column adds up (cells minus
    total = 0).

    **Primary suppression:** every count, cell or total, with fewer than ``threshold``
    respondents (zero included).

    **Complementary suppression** (Hundepool et al. 2012, §4.2–4.3; Cox 1980): the attacker
    knows every published count, that every row and column adds up, that counts are not
    negative, and that each primary count is under the threshold. A suppressed count is
    *disclosed* when those facts leave it only one possible value. Linear subtraction
    discloses it exactly when it is determined by the additivity equations (a row or column
    with a single suppressed entry; more generally, an entry not on any cycle of suppressed
    entries); the bounds disclose it when its feasible range collapses to a point (say a row
    whose suppressed counts must add up to 0). The algorithm is greedy, with a complete check:

    1. While a row or column (of the array with totals) holds exactly one suppressed entry,
       suppress one more in it: a positive count rather than a zero, an inner cell rather
       than a total, one whose other line already holds exactly one suppressed entry (which
       it then protects too), else one that already holds several, and then the smallest
       count (the least information lost).
    2. Check every suppressed entry: exactly determined by the equations (its row of a basis
       of the equations' null space is zero), or, when some suppressed entry sits at a bound
       (a zero, or a primary count of ``threshold − 1``), pinned by the bounds (its minimum
       and maximum by linear programming, ``scipy.optimize.linprog``, are equal). For the
       first disclosed entry, suppress the best candidate in one of its lines as in step 1,
       and go back to 1. It stops when nothing is disclosed; at worst everything is
       suppressed.

    The result is safe, not minimal: an optimal pattern (least information lost) is an
    integer programme that τ-ARGUS solves for large tables; for the tables of a survey page
    the greedy choice suppresses little more. It does not enforce a protection *interval*
    (a suppressed 4 may still be known to lie in 0..9): the threshold rule already publishes
    that much.
    """
    counts = np.asarray(table_counts)
    if counts.dtype.kind not in "iuf" or counts.size == 0:
        raise ValueError("table_counts must be a non-empty table of counts")
    if counts.ndim not in (1, 2):
        raise ValueError(
            f"table_counts must be a one- or two-way table, not of shape {counts.shape}"
        )
    table = counts.astype(np.float64)
    if not np.isfinite(table).all() or (table < 0).any() or (table != np.round(table)).any():
        raise ValueError("table_counts must be whole numbers of respondents, not negative")
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, not {threshold!r}")

    if table.ndim == 1:
        augmented = np.append(table, table.sum())
        lines = [np.arange(augmented.size)]
        signs = [np.append(np.ones(table.size), -1.0)]
        inner = np.ones(augmented.size, dtype=bool)
        inner[-1] = False
    else:
        rows, cols = table.shape
        augmented = np.zeros((rows + 1, cols + 1))
        augmented[:rows, :cols] = table
        augmented[:rows, cols] = table.sum(axis=1)
        augmented[rows, :cols] = table.sum(axis=0)
        augmented[rows, cols] = table.sum()
        positions = np.arange(augmented.size).reshape(augmented.shape)
        lines = [positions[i] for i in range(rows + 1)] + [positions[:, j] for j in range(cols + 1)]
        signs = [np.append(np.ones(cols), -1.0)] * (rows + 1) + [np.append(np.ones(rows), -1.0)] * (
            cols + 1
        )
        inner_grid = np.zeros(augmented.shape, dtype=bool)
        inner_grid[:rows, :cols] = True
        inner = inner_grid.ravel()
    value = augmented.ravel()
    primary = value < threshold
    upper = np.where(primary, threshold - 1.0, np.inf)
    lines_of: list[list[int]] = [[] for _ in range(value.size)]
    for number, line in enumerate(lines):
        for member in line.tolist():
            lines_of[member].append(number)

    hidden = primary.copy()

    def best_in(number: int) -> int | None:
        line = lines[number]
        best: tuple[Any, ...] | None = None
        for entry in line[~hidden[line]].tolist():
            others = [int(hidden[lines[q]].sum()) for q in lines_of[entry] if q != number]
            cross = 1 if not others else (0 if min(others) == 1 else 1 if min(others) > 1 else 2)
            key = (value[entry] == 0, not inner[entry], cross, value[entry], entry)
            if best is None or key < best:
                best = key
        return None if best is None else int(best[-1])

    while True:
        changed = True
        while changed:
            changed = False
            for number, line in enumerate(lines):
                if int(hidden[line].sum()) == 1:
                    entry = best_in(number)
                    if entry is not None:
                        hidden[entry] = True
                        changed = True
        disclosed = _disclosed(value, hidden, upper, lines, signs)
        if disclosed is None:
            break
        added = False
        for number in lines_of[disclosed]:
            entry = best_in(number)
            if entry is not None:
                hidden[entry] = True
                added = True
                break
        if not added:  # both of its lines are fully suppressed: widen elsewhere
            rest = np.flatnonzero(~hidden)
            if rest.size == 0:
                break
            hidden[rest[np.lexsort((value[rest], value[rest] == 0))[0]]] = True
    shape = augmented.shape
    return Suppression(
        mask=hidden.reshape(shape), primary=primary.reshape(shape), threshold=int(threshold)
    )


def _disclosed(
    value: FloatArray,
    hidden: BoolArray,
    upper: FloatArray,
    lines: list[IntArray],
    signs: list[FloatArray],
) -> int | None:
    """The first suppressed entry whose value the published counts determine, or None."""
    unknown = np.flatnonzero(hidden)
    if unknown.size == 0:
        return None
    column = np.full(value.size, -1)
    column[unknown] = np.arange(unknown.size)
    rows, rhs = [], []
    for line, sign in zip(lines, signs, strict=True):
        inside = hidden[line]
        if not inside.any():
            continue
        row = np.zeros(unknown.size)
        row[column[line[inside]]] = sign[inside]
        rows.append(row)
        rhs.append(-float(np.dot(sign[~inside], value[line[~inside]])))
    if not rows:
        return None
    system = np.array(rows)
    free = scipy.linalg.null_space(system)
    if free.shape[1] == 0:
        return int(unknown[0])
    determined = np.linalg.norm(free, axis=1) < 1e-8
    if determined.any():
        return int(unknown[np.flatnonzero(determined)[0]])
    at_bound = (value[unknown] == 0) | (value[unknown] == upper[unknown])
    if not at_bound.any():
        # Every suppressed entry is strictly inside its bounds and on a cycle of suppressed
        # entries, so moving a little along that cycle gives another possible table.
        return None
    bounds = [(0.0, None if math.isinf(u) else u) for u in upper[unknown]]
    for k in range(unknown.size):
        objective = np.zeros(unknown.size)
        objective[k] = 1.0
        low = scipy.optimize.linprog(
            objective, A_eq=system, b_eq=rhs, bounds=bounds, method="highs"
        )
        high = scipy.optimize.linprog(
            -objective, A_eq=system, b_eq=rhs, bounds=bounds, method="highs"
        )
        if low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5:
            return int(unknown[k])
    return None


# ---------------------------------------------------------------------------------------------
# Change over time


@dataclass(frozen=True)
class Comparison:
    """The change ``later − earlier`` with its interval and two-sided test. ``significant``
    is true only when ``p_value < 1 − confidence``."""

    difference: float
    se: float
    low: float
    high: float
    df: float
    statistic: float
    p_value: float
    confidence: float
    significant: bool


def compare_waves(earlier: Estimate, later: Estimate, *, confidence: float = 0.95) -> Comparison:
    """The change from ``earlier`` to ``later`` (two waves' estimates for the same area and
    item), with a ``confidence`` interval and the two-sided p-value of "no change".

    **Test: Welch's unequal-variance t-test on the two estimates.** The waves are
    independent samples, so ``se(d) = √(se₁² + se₂²)``; the degrees of freedom are
    Welch–Satterthwaite's ``(v₁ + v₂)² / (v₁²/df₁ + v₂²/df₂)`` from each estimate's design
    degrees of freedom. Without clusters and with unit weights this is exactly
    ``scipy.stats.ttest_ind(equal_var=False)``. The change is called significant only when
    ``p < 1 − confidence``. When neither estimate varies (both standard errors 0), there is
    nothing to test: the p-value is NaN and the change is not called significant.
    """
    confidence = _confidence(confidence)
    for name, estimate in (("earlier", earlier), ("later", later)):
        if not (math.isfinite(estimate.mean) and math.isfinite(estimate.se) and estimate.df > 0):
            raise ValueError(f"the {name} estimate has no finite mean and standard error")
    difference = later.mean - earlier.mean
    v1, v2 = earlier.se**2, later.se**2
    variance = v1 + v2
    if variance == 0:
        nan = math.nan
        return Comparison(difference, 0.0, nan, nan, nan, nan, nan, confidence, False)
    df = variance**2 / (v1**2 / earlier.df + v2**2 / later.df)
    se = math.sqrt(variance)
    statistic = difference / se
    p_value = float(2 * scipy.stats.t.sf(abs(statistic), df))
    half = _t_quantile(confidence, df) * se
    return Comparison(
        difference=difference,
        se=se,
        low=difference - half,
        high=difference + half,
        df=df,
        statistic=statistic,
        p_value=p_value,
        confidence=confidence,
        significant=p_value < 1 - confidence,
    )


@dataclass(frozen=True)
class Trend:
    """A linear trend over waves: ``slope`` per unit of the wave index, with its interval and
    two-sided test; ``scale`` is the variance multiplier used (at least 1)."""

    slope: float
    intercept: float
    se: float
    low: float
    high: float
    df: float
    statistic: float
    p_value: float
    scale: float
    confidence: float
    significant: bool


def wave_trend(
    estimates: Sequence[Estimate],
    *,
    waves: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> Trend:
    """The linear trend of several waves' estimates (at least three) over the wave index
    (``waves``, default 0, 1, 2, …; any numbers, such as months since the first wave).

    **Estimator: weighted least squares** of the estimates on the wave index with weights
    ``1/seᵢ²`` (statsmodels ``WLS``; inverse-variance meta-regression). The waves are
    independent samples, so the estimates' sampling variances are known. The slope's
    variance is ``φ / Σ wᵢ(xᵢ − x̄_w)²`` with ``φ = max(1, Σ wᵢeᵢ²/(k − 2))``: the known
    sampling variances alone (``φ = 1``) unless the waves scatter around the line more than
    sampling explains, and then the residual scatter (the multiplicative dispersion of
    Thompson and Sharp, Stat. Med. 1999): never narrower than sampling error allows. The
    test and interval use Student's t on ``k − 2`` degrees of freedom, conservative for the
    handful of waves there are. Significant only when ``p < 1 − confidence``.
    """
    import statsmodels.api as sm

    confidence = _confidence(confidence)
    k = len(estimates)
    if k < 3:
        raise ValueError(f"a trend needs at least three waves; there are {k}")
    mean = np.array([e.mean for e in estimates], dtype=np.float64)
    se = np.array([e.se for e in estimates], dtype=np.float64)
    if not (np.isfinite(mean).all() and np.isfinite(se).all()):
        raise ValueError("every wave's estimate needs a finite mean and standard error")
    if not (se > 0).all():
        raise ValueError("every wave's estimate needs a positive standard error")
    x = np.arange(k, dtype=np.float64) if waves is None else _float_array(waves, "waves")
    if x.size != k:
        raise ValueError(f"there are {k} estimates and {x.size} wave indices")
    if np.ptp(x) == 0:
        raise ValueError("the waves must not all have the same index")
    model = sm.WLS(mean, sm.add_constant(x, has_constant="add"), weights=1 / se**2)
    scale = max(1.0, float(model.fit().scale))
    fit = model.fit(cov_type="fixed scale", cov_kwds={"scale": scale}, use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    p_value = float(fit.pvalues[1])
    return Trend(
        slope=float(fit.params[1]),
        intercept=float(fit.params[0]),
        se=float(fit.bse[1]),
        low=float(low),
        high=float(high),
        df=float(k - 2),
        statistic=float(fit.tvalues[1]),
        p_value=p_value,
        scale=scale,
        confidence=confidence,
        significant=p_value < 1 - confidence,
    )


@dataclass(frozen=True)
class DiffInDiff:
    """The difference-in-differences estimate of an action's effect, with its interval and
    two-sided test (``significant`` only when ``p_value < 1 − confidence``). ``cov`` names the
    standard error used; ``df`` its t degrees of freedom."""

    effect: float
    se: float
    low: float
    high: float
    df: float
    statistic: float
    p_value: float
    n: int
    areas: int
    treated_areas: int
    waves: int
    cov: str
    confidence: float
    significant: bool


def _flags(data: npt.ArrayLike, n: int, name: str) -> BoolArray:
    array = np.asarray(data)
    _same_length(name, array, n, "values")
    if array.dtype != np.bool_ and (
        array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all()
    ):
        raise ValueError(f"{name} must be true/false (or 1/0) for each respondent")
    return array.astype(bool)


def difference_in_differences(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    area: npt.ArrayLike,
    wave: npt.ArrayLike,
    treated: npt.ArrayLike,
    after: npt.ArrayLike,
    cov: Literal["robust", "cluster"] = "robust",
    confidence: float = 0.95,
) -> DiffInDiff:
    """The effect of an action on a measure: the treated area(s) against comparison areas,
    over the same waves before and after, from the respondents' answers.

    Each respondent has an answer (``values``), a weight, an ``area`` and a ``wave`` label,
    and two flags: ``treated`` (the area received the action; the same for every respondent
    of an area) and ``after`` (the wave followed it; the same for every respondent of a wave).

    **Estimator: two-way fixed effects by weighted least squares** (statsmodels ``WLS``;
    Angrist and Pischke, *Mostly Harmless Econometrics*, §5.2):
    ``y = α_area + γ_wave + δ·(treated × after) + ε`` with the survey weights. With one
    treated and one comparison area and one wave before and one after, ``δ`` is exactly
    ``(ȳ_T,after − ȳ_T,before) − (ȳ_C,after − ȳ_C,before)`` of the weighted means; with more
    areas and waves the fixed effects take out each area's level and each wave's common
    change.

    **Standard error** (``cov``):

    - ``"robust"`` (default): heteroskedasticity-robust HC1. Each wave is a fresh, independent
      sample of each area's residents, so the uncertainty of δ about these areas' population
      means is sampling error, which the sandwich (HC) variance with respondents as PSUs
      estimates. In the two-area, two-wave case HC1 is exactly the sum of the linearised
      variances of the four weighted means (as ``weighted_estimate`` computes them without
      its ``n/(n − 1)``), times ``n/(n − 4)``. It treats the areas' own wave-to-wave
      movements as part of what is estimated, not as noise.
    - ``"cluster"``: cluster-robust by area, t on ``areas − 1`` degrees of freedom
      (statsmodels' default small-sample correction). This also allows for area-specific
      shocks common to an area's respondents across waves, but it is only trustworthy with
      many areas, and many treated ones: with a single treated area it is biased downwards
      and over-rejects badly (Conley and Taber 2011; MacKinnon and Webb 2017). A priority's
      before/after view has exactly one treated area, hence the default.

    Tests and intervals use Student's t (``n − p`` degrees of freedom for HC1). Raises
    ``ValueError`` when a flag varies within an area or wave, when there is no treated or no
    comparison area, no wave before or after, or when the waves observed do not identify the
    effect (each kind of area must be observed both before and after in shared waves).
    """
    import statsmodels.api as sm

    y = _float_array(values, "values")
    w = _weights(weights, y.size)
    confidence = _confidence(confidence)
    if cov not in ("robust", "cluster"):
        raise ValueError(f'cov must be "robust" or "cluster", not {cov!r}')
    area_code = _labels(area, y.size, "area")
    wave_code = _labels(wave, y.size, "wave")
    is_treated = _flags(treated, y.size, "treated")
    is_after = _flags(after, y.size, "after")
    n_areas, n_waves = int(area_code.max()) + 1, int(wave_code.max()) + 1
    for flag, code, count, what, unit in (
        (is_treated, area_code, n_areas, "treated", "an area"),
        (is_after, wave_code, n_waves, "after", "a wave"),
    ):
        ones = np.bincount(code, weights=flag.astype(np.float64), minlength=count)
        size = np.bincount(code, minlength=count)
        if ((ones > 0) & (ones < size)).any():
            raise ValueError(f"{what} must be the same for every respondent of {unit}")
    area_treated = (
        np.bincount(area_code, weights=is_treated.astype(np.float64), minlength=n_areas) > 0
    )
    if area_treated.all():
        raise ValueError("there is no comparison area (every area is treated)")
    if not area_treated.any():
        raise ValueError("there is no treated area")
    if is_after.all() or not is_after.any():
        raise ValueError("the effect needs waves both before and after the action")
    quarter = is_treated.astype(np.intp) * 2 + is_after.astype(np.intp)
    missing = [
        name
        for q, name in enumerate(
            ("comparison before", "comparison after", "treated before", "treated after")
        )
        if not (quarter == q).any()
    ]
    if missing:
        raise ValueError(f"there are no respondents in: {', '.join(missing)}")

    effect = (is_treated & is_after).astype(np.float64)
    columns = [np.ones(y.size)]
    columns += [(area_code == a).astype(np.float64) for a in range(1, n_areas)]
    columns += [(wave_code == t).astype(np.float64) for t in range(1, n_waves)]
    columns.append(effect)
    design = np.column_stack(columns)
    _, first = np.unique(area_code * n_waves + wave_code, return_index=True)
    if np.linalg.matrix_rank(design[first]) < design.shape[1]:
        raise ValueError(
            "the waves observed do not identify the effect: the treated and the comparison "
            "areas must each be observed before and after the action in shared waves"
        )
    model = sm.WLS(y, design, weights=w)
    if cov == "robust":
        fit = model.fit(cov_type="HC1", use_t=True)
        df = float(fit.df_resid)
    else:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": area_code}, use_t=True)
        df = float(n_areas - 1)
    low, high = fit.conf_int(alpha=1 - confidence)[-1]
    p_value = float(fit.pvalues[-1])
    return DiffInDiff(
        effect=float(fit.params[-1]),
        se=float(fit.bse[-1]),
        low=float(low),
        high=float(high),
        df=df,
        statistic=float(fit.tvalues[-1]),
        p_value=p_value,
        n=int(y.size),
        areas=n_areas,
        treated_areas=int(area_treated.sum()),
        waves=n_waves,
        cov=cov,
        confidence=confidence,
        significant=p_value < 1 - confidence,
    )
