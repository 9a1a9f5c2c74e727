"""The impact figures of an assessment: before/after change and the weighted displacement
quotient. Pure arithmetic on counts (no Django), so that it is unit-tested by hand.

The method is that of Bowers, K. J. and Johnson, S. D. (2003) "Measuring the geographical
displacement and diffusion of benefit effects of crime prevention activity", Journal of
Quantitative Criminology 19(3). Three places are counted in two periods:

- A, the response (problem) area; B, the buffer around it; C, the control (comparison) area,
  which takes the trend the area would have followed without the response;
- t0 is the period before the response, t1 the period after.

Their measures:

- success measure ``A_t1/C_t1 − A_t0/C_t0``: negative when the problem fell relative to the
  control area;
- buffer displacement measure ``B_t1/C_t1 − B_t0/C_t0``: positive when crime rose in the
  buffer relative to the control (displacement), negative when it fell (diffusion);
- weighted displacement quotient ``WDQ = buffer measure / success measure``, meaningful only
  when the success measure is negative (there is then a success to weigh). WDQ > 0: diffusion
  of benefits; WDQ > 1: the diffusion is larger than the direct benefit; WDQ < 0:
  displacement; WDQ < −1: displacement larger than the direct benefit (the scheme is
  counterproductive); WDQ near 0: neither;
- the total net effect, the crimes prevented in A and in B given the control trend:
  ``[A_t0·(C_t1/C_t0) − A_t1] + [B_t0·(C_t1/C_t0) − B_t1]`` (positive: crimes prevented;
  negative: more crimes than the control's trend would give). This is the paper's "total
  net effect" in the form it is cited in (each term: the count expected from the control's
  trend less the count seen); it was written here from that citation, not checked against
  the printed page, so the two terms are also reported apart for the reader to judge.

The success and buffer measures, the quotient and its readings (diffusion above 0,
displacement below 0, counterproductive below −1, no success to weigh unless the success
measure is negative) are the paper's definitions. Reading WDQ > 1 as "diffusion larger than
the direct benefit" is the mirror of the −1 threshold.

Also the change in A relative to C, ``(A_t1/A_t0)/(C_t1/C_t0)``, with a 95% interval on its
logarithm from the Poisson counts, ``SE = sqrt(1/A_t0 + 1/A_t1 + 1/C_t0 + 1/C_t1)``: the
relative effect size of crime prevention evaluations (Farrington et al.), here written so that
a value below 1 is a fall relative to the control. Where a count is zero a figure is not
divided out: it is None with a reason code (``ZERO_*``, ``NO_SUCCESS``).

The "near 0" band of the WDQ (``NEGLIGIBLE_WDQ``) is this project's choice, not the paper's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Two-sided 95% quantile of the standard normal distribution.
Z_95 = 1.959963984540054
# |WDQ| below this is read as neither displacement nor diffusion (a choice of this project).
NEGLIGIBLE_WDQ = 0.05

# Reasons a figure is not given (stable codes; the pages translate them).
ZERO_BEFORE = "zero_before"
ZERO_CONTROL = "zero_control"
ZERO_COUNT = "zero_count"
NO_SUCCESS = "no_success"

# Readings of the WDQ.
DIFFUSION_GREATER = "diffusion_greater"
DIFFUSION = "diffusion"
NEITHER = "neither"
DISPLACEMENT = "displacement"
COUNTERPRODUCTIVE = "counterproductive"


@dataclass(frozen=True)
class Counts:
    """Events in one place before (t0) and after (t1) the response."""

    before: int
    after: int

    def __post_init__(self) -> None:
        if self.before < 0 or self.after < 0:
            raise ValueError("counts are never negative")


@dataclass(frozen=True)
class Figure:
    """A derived figure, or None with the reason it cannot be given."""

    value: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason}


def percent_change(counts: Counts) -> Figure:
    """``100·(t1 − t0)/t0``; not given when t0 is zero."""
    if counts.before == 0:
        return Figure(None, ZERO_BEFORE)
    return Figure(100.0 * (counts.after - counts.before) / counts.before)


def _share_change(place: Counts, control: Counts) -> Figure:
    """``place_t1/C_t1 − place_t0/C_t0``; not given when the control has a zero count."""
    if control.before == 0 or control.after == 0:
        return Figure(None, ZERO_CONTROL)
    return Figure(place.after / control.after - place.before / control.before)


def success_measure(area: Counts, control: Counts) -> Figure:
    """Bowers and Johnson's success measure ``A_t1/C_t1 − A_t0/C_t0`` (negative: success)."""
    return _share_change(area, control)


def buffer_displacement_measure(buffer: Counts, control: Counts) -> Figure:
    """Bowers and Johnson's buffer displacement measure ``B_t1/C_t1 − B_t0/C_t0``."""
    return _share_change(buffer, control)


def weighted_displacement_quotient(area: Counts, buffer: Counts, control: Counts) -> Figure:
    """``WDQ = buffer displacement measure / success measure`` (Bowers and Johnson 2003);
    None unless the success measure is negative (no success to weigh)."""
    success = success_measure(area, control)
    if success.value is None:
        return success
    if success.value >= 0:
        return Figure(None, NO_SUCCESS)
    buffer_measure = buffer_displacement_measure(buffer, control)
    assert buffer_measure.value is not None  # the control's counts were checked above
    return Figure(buffer_measure.value / success.value)


def wdq_reading(wdq: Figure) -> str | None:
    """What a WDQ says, after Bowers and Johnson: diffusion (> 0; larger than the direct
    benefit above 1), displacement (< 0; counterproductive below −1), or neither (near 0)."""
    if wdq.value is None:
        return None
    if abs(wdq.value) < NEGLIGIBLE_WDQ:
        return NEITHER
    if wdq.value > 1:
        return DIFFUSION_GREATER
    if wdq.value > 0:
        return DIFFUSION
    if wdq.value < -1:
        return COUNTERPRODUCTIVE
    return DISPLACEMENT


def net_effect(place: Counts, control: Counts) -> Figure:
    """The crimes prevented in one place given the control trend:
    ``place_t0·(C_t1/C_t0) − place_t1`` (positive: fewer than expected)."""
    if control.before == 0:
        return Figure(None, ZERO_CONTROL)
    return Figure(place.before * (control.after / control.before) - place.after)


def total_net_effect(area: Counts, buffer: Counts, control: Counts) -> Figure:
    """Bowers and Johnson's total net effect: the crimes prevented in A plus those in B,
    ``[A_t0·(C_t1/C_t0) − A_t1] + [B_t0·(C_t1/C_t0) − B_t1]``."""
    in_area, in_buffer = net_effect(area, control), net_effect(buffer, control)
    if in_area.value is None or in_buffer.value is None:
        return Figure(None, ZERO_CONTROL)
    return Figure(in_area.value + in_buffer.value)


@dataclass(frozen=True)
class RelativeChange:
    """``(A_t1/A_t0)/(C_t1/C_t0)`` with its 95% interval (None with a reason on a zero)."""

    value: float | None
    low: float | None
    high: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "low": self.low, "high": self.high, "reason": self.reason}


def relative_change(area: Counts, control: Counts, *, z: float = Z_95) -> RelativeChange:
    """The change in A relative to C, ``(A_t1/A_t0)/(C_t1/C_t0)``, and the interval
    ``exp(log(ratio) ± z·SE)`` with ``SE = sqrt(1/A_t0 + 1/A_t1 + 1/C_t0 + 1/C_t1)`` (counts
    taken as Poisson; Farrington et al.'s relative effect size, inverted so that below 1 is a
    fall). Not given when any count is zero (the log and its variance are undefined)."""
    counts = (area.before, area.after, control.before, control.after)
    if any(count == 0 for count in counts):
        return RelativeChange(None, None, None, ZERO_COUNT)
    ratio = (area.after / area.before) / (control.after / control.before)
    standard_error = math.sqrt(sum(1 / count for count in counts))
    log_ratio = math.log(ratio)
    return RelativeChange(
        ratio,
        math.exp(log_ratio - z * standard_error),
        math.exp(log_ratio + z * standard_error),
    )


def impact_figures(area: Counts, buffer: Counts, control: Counts) -> dict[str, Any]:
    """Every figure of the impact assessment, JSON-safe: the counts, the % changes, the
    success and buffer measures, the WDQ and its reading, the net effects and the relative
    change with its interval."""
    wdq = weighted_displacement_quotient(area, buffer, control)
    places = {"area": area, "buffer": buffer, "control": control}
    return {
        "counts": {
            name: {"before": counts.before, "after": counts.after}
            for name, counts in places.items()
        },
        "percent_change": {
            name: percent_change(counts).to_dict() for name, counts in places.items()
        },
        "success_measure": success_measure(area, control).to_dict(),
        "buffer_measure": buffer_displacement_measure(buffer, control).to_dict(),
        "wdq": wdq.to_dict(),
        "wdq_reading": wdq_reading(wdq),
        "net_effect_area": net_effect(area, control).to_dict(),
        "net_effect_buffer": net_effect(buffer, control).to_dict(),
        "total_net_effect": total_net_effect(area, buffer, control).to_dict(),
        "relative_change": relative_change(area, control).to_dict(),
    }
