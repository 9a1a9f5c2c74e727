"""How well a hot spot map predicts: hit rate, Predictive Accuracy Index, Recapture Rate Index.

Pure numpy: no Django. A hot spot map drawn from one period is judged against the events of
the following period:

- **hit rate** = n / N: the share of the following period's events that fall in the hot
  spots;
- **Predictive Accuracy Index** (Chainey, Tompson and Uhlig 2008, "The utility of hotspot
  mapping for predicting spatial patterns of crime", Security Journal 21) =
  (n / N) / (a / A): the hit rate over the share a / A of the study area that the hot spots
  cover; 1 is no better than chance, higher is better;
- **Recapture Rate Index** (Levine 2008, "The 'Hottest' Part of a Hotspot", Security
  Journal 21) = (n₂ / n₁) / (N₂ / N₁): how the events in the hot spots changed from the
  period the map was drawn on (n₁) to the following one (n₂), normalised by the change over
  the whole study area (N₁ to N₂); above 1, the hot spots kept more of their events than
  the area did.

A ratio whose denominator is zero (no events, no hot spot area, no study area) is ``None``:
the index is undefined there, and 0 or infinity would read as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class HotSpotEvaluation:
    """A hot spot map judged against the following period (see the module docstring).

    ``events_in_hot_spots_before`` / ``events_before`` are n₁ and N₁ (the period the map was
    drawn on), ``events_in_hot_spots`` / ``events_total`` are n and N (= n₂, N₂, the
    following period); ``hot_spot_area`` and ``study_area`` are a and A in the unit of the
    cell areas given. The indices are ``None`` where undefined.
    """

    events_in_hot_spots: float
    events_total: float
    events_in_hot_spots_before: float
    events_before: float
    hot_spot_area: float
    study_area: float
    hit_rate: float | None
    area_share: float | None
    predictive_accuracy_index: float | None
    recapture_rate_index: float | None


def hit_rate(*, events_in_hot_spots: float, events_total: float) -> float | None:
    """n / N, or ``None`` when there are no events (N = 0)."""
    _check_counts(events_in_hot_spots, events_total)
    return _ratio(float(events_in_hot_spots), float(events_total))


def predictive_accuracy_index(
    *, events_in_hot_spots: float, events_total: float, hot_spot_area: float, study_area: float
) -> float | None:
    """PAI = (n / N) / (a / A) (Chainey et al. 2008).

    ``None`` when N = 0 (no events to predict), A = 0 or a = 0 (no hot spots: the index
    divides by the area they cover).
    """
    _check_counts(events_in_hot_spots, events_total)
    _check_areas(hot_spot_area, study_area)
    rate = _ratio(events_in_hot_spots, events_total)
    share = _ratio(hot_spot_area, study_area)
    if rate is None or share is None:
        return None
    return _ratio(rate, share)


def recapture_rate_index(
    *,
    events_in_hot_spots_before: float,
    events_in_hot_spots_after: float,
    events_before: float,
    events_after: float,
) -> float | None:
    """RRI = (n₂ / n₁) / (N₂ / N₁) (Levine 2008).

    ``None`` when n₁ = 0 (the hot spots held no events to recapture), N₁ = 0, or N₂ = 0
    (no change of the whole area to normalise by).
    """
    _check_counts(events_in_hot_spots_before, events_before)
    _check_counts(events_in_hot_spots_after, events_after)
    change_in_hot_spots = _ratio(events_in_hot_spots_after, events_in_hot_spots_before)
    change_overall = _ratio(events_after, events_before)
    if change_in_hot_spots is None or change_overall is None:
        return None
    return _ratio(change_in_hot_spots, change_overall)


def evaluate_hot_spots(
    *,
    hot_spots: npt.ArrayLike,
    counts_before: npt.ArrayLike,
    counts_after: npt.ArrayLike,
    cell_areas: npt.ArrayLike | None = None,
) -> HotSpotEvaluation:
    """Judge a hot spot map of the study area's cells against the following period.

    ``hot_spots`` is a boolean per cell (the map, drawn from ``counts_before``),
    ``counts_before`` and ``counts_after`` the events per cell in the period of the map and
    in the following period, ``cell_areas`` the area of each cell (equal areas when not
    given: then a and A are cell counts, which is all the ratio a / A needs). All arrays
    have one value per cell of the study area; counts and areas must be finite and
    non-negative.
    """
    mask = np.asarray(hot_spots)
    if mask.ndim != 1 or mask.dtype != np.bool_:
        raise ValueError("hot_spots must be a one-dimensional boolean array, one value per cell")
    before = _per_cell(counts_before, "counts_before", mask.size)
    after = _per_cell(counts_after, "counts_after", mask.size)
    areas = (
        np.ones(mask.size, dtype=np.float64)
        if cell_areas is None
        else _per_cell(cell_areas, "cell_areas", mask.size)
    )
    # Each whole is its part plus the rest, so rounding can never make a part exceed it.
    n_after = float(after[mask].sum())
    total_after = n_after + float(after[~mask].sum())
    n_before = float(before[mask].sum())
    total_before = n_before + float(before[~mask].sum())
    hot_area = float(areas[mask].sum())
    study_area = hot_area + float(areas[~mask].sum())
    return HotSpotEvaluation(
        events_in_hot_spots=n_after,
        events_total=total_after,
        events_in_hot_spots_before=n_before,
        events_before=total_before,
        hot_spot_area=hot_area,
        study_area=study_area,
        hit_rate=hit_rate(events_in_hot_spots=n_after, events_total=total_after),
        area_share=_ratio(hot_area, study_area),
        predictive_accuracy_index=predictive_accuracy_index(
            events_in_hot_spots=n_after,
            events_total=total_after,
            hot_spot_area=hot_area,
            study_area=study_area,
        ),
        recapture_rate_index=recapture_rate_index(
            events_in_hot_spots_before=n_before,
            events_in_hot_spots_after=n_after,
            events_before=total_before,
            events_after=total_after,
        ),
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator == 0:
        return None
    return float(numerator) / float(denominator)


def _check_counts(part: float, whole: float) -> None:
    part, whole = _as_numbers(part, whole, "event counts")
    if not (np.isfinite(part) and np.isfinite(whole)) or part < 0 or whole < 0:
        raise ValueError("event counts must be finite and non-negative")
    if part > whole:
        raise ValueError(f"{part} events in the hot spots is more than the {whole} in all")


def _check_areas(part: float, whole: float) -> None:
    part, whole = _as_numbers(part, whole, "areas")
    if not (np.isfinite(part) and np.isfinite(whole)) or part < 0 or whole < 0:
        raise ValueError("areas must be finite and non-negative")
    if part > whole:
        raise ValueError(f"a hot spot area of {part} is larger than the study area of {whole}")


def _as_numbers(part: object, whole: object, what: str) -> tuple[float, float]:
    try:
        return float(part), float(whole)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be numbers") from error


def _per_cell(values: npt.ArrayLike, name: str, n_cells: int) -> npt.NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers") from error
    if array.shape != (n_cells,):
        raise ValueError(f"{name} must hold one value per cell ({n_cells}), got {array.shape}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    return array
