"""The content of a case's printable report, in the structure problem-oriented policing awards
use (the Goldstein Award's: summary, scanning, analysis, response, assessment).

The report is for staff, and may be printed or exported, so it holds no reporter identity
(concerns appear by reference and category only) and no victim or location identities:
repeat victims and repeat locations are counted through their pseudonymous keys, never named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ourbeat.problems.models import (
    CONTROLLER_OF_SIDE,
    TECHNIQUE_GROUP,
    CheersElement,
    CheersState,
    Problem,
    TechniqueGroup,
    TriangleSide,
)


@dataclass
class CheersRow:
    label: str
    met: bool | None
    note: str
    kinds: list[str] = field(default_factory=list)


def _words(code: Any) -> str:
    """Words for the stable codes the assessment stores (WDQ readings, missing-figure
    reasons); any other value as it is."""
    words = {
        "diffusion_greater": _("Diffusion of benefits, larger than the direct benefit"),
        "diffusion": _("Diffusion of benefits"),
        "neither": _("Neither displacement nor diffusion"),
        "displacement": _("Displacement"),
        "counterproductive": _("Displacement larger than the direct benefit"),
        "zero_before": _("a count before is zero"),
        "zero_control": _("the comparison area has no incidents"),
        "zero_count": _("a count is zero"),
        "no_success": _("no fall relative to the comparison area"),
    }
    return str(words.get(code, code)) if isinstance(code, str) else str(code)


def _number(value: Any) -> str:
    """A figure rounded to three decimals, without trailing zeros (0.4999999 → 0.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _words(value)
    return f"{round(float(value), 3):g}"


@dataclass
class FigureRow:
    """One derived figure of an assessment, whatever the key (value, interval, reason)."""

    name: str
    value: Any
    low: Any = None
    high: Any = None
    reason: Any = None

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—" + (f" ({_words(self.reason)})" if self.reason else "")
        return _number(self.value)

    @property
    def interval(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{_number(self.low)} – {_number(self.high)}"


@dataclass
class AssessmentSection:
    assessment: Any
    counts: list[tuple[str, Any, Any]]
    figures: list[FigureRow]


@dataclass
class CaseReport:
    problem: Problem
    cheers: list[CheersRow]
    cheers_state_label: str
    members: list[Any]
    concerns: list[tuple[str, str]]
    event_count: int
    month_rows: list[tuple[date, int]]
    month_chart: str
    hour_chart: str
    repeat_locations: int
    repeat_victims: int
    victims: int
    triangle: list[dict[str, Any]]
    hypotheses: list[Any]
    responses_by_group: list[tuple[str, list[Any]]]
    goals: list[Any]
    tasks: list[Any]
    assessments: list[AssessmentSection]


# Labels of the counted places in ``Assessment.figures["counts"]``: whatever keys the
# assessment stores are shown; known ones get words.
PLACE_LABELS = {
    "a": "A",
    "b": "B",
    "c": "C",
    "area": "A",
    "buffer": "B",
    "control": "C",
}


def _place_label(key: str) -> str:
    words = {
        "A": _("A: the problem area"),
        "B": _("B: the buffer around it"),
        "C": _("C: the comparison area"),
    }
    letter = PLACE_LABELS.get(key.lower())
    return str(words[letter]) if letter else key.replace("_", " ")


def _figure_label(key: str) -> str:
    known = {
        "success_measure": _("Success measure"),
        "buffer_measure": _("Buffer displacement measure"),
        "wdq": _("Weighted displacement quotient (WDQ)"),
        "wdq_reading": _("What the WDQ means"),
        "relative_change": _("Relative change (A against C)"),
        "net_effect_area": _("Net effect in A"),
        "net_effect_buffer": _("Net effect in B"),
        "total_net_effect": _("Total net effect"),
    }
    return str(known.get(key, key.replace("_", " ").capitalize()))


def _figure_rows(figures: dict[str, Any]) -> list[FigureRow]:
    rows: list[FigureRow] = []
    for key, value in figures.items():
        if key == "counts":
            continue
        label = _figure_label(key)
        if isinstance(value, dict) and "value" in value:
            rows.append(
                FigureRow(
                    label,
                    value.get("value"),
                    value.get("low"),
                    value.get("high"),
                    value.get("reason"),
                )
            )
        elif isinstance(value, dict):
            # A figure per place (such as percent changes): one row each.
            for sub_key, sub_value in value.items():
                sub_label = f"{label}: {_place_label(str(sub_key))}"
                if isinstance(sub_value, dict):
                    rows.append(
                        FigureRow(
                            sub_label,
                            sub_value.get("value"),
                            sub_value.get("low"),
                            sub_value.get("high"),
                            sub_value.get("reason"),
                        )
                    )
                else:
                    rows.append(FigureRow(sub_label, sub_value))
        else:
            rows.append(FigureRow(label, value))
    return rows


def _assessment_section(assessment: Any) -> AssessmentSection:
    figures = assessment.figures or {}
    counts = [
        (_place_label(str(key)), row.get("before"), row.get("after"))
        for key, row in (figures.get("counts") or {}).items()
        if isinstance(row, dict)
    ]
    return AssessmentSection(assessment, counts, _figure_rows(figures))


def _repeats(keys: Any) -> tuple[int, int]:
    """How many distinct non-empty keys there are, and how many occur more than once."""
    counts = Counter(key for key in keys if key)
    return len(counts), sum(1 for count in counts.values() if count > 1)


def case_report(problem: Problem) -> CaseReport:
    # Imported here: matplotlib is heavy, and only the report and the analysis draw charts.
    from ourbeat.problems import charts
    from ourbeat.problems.place import problem_events

    cheers = [
        CheersRow(
            label=str(element.label),
            met=(problem.cheers.get(element.value) or {}).get("met"),
            note=(problem.cheers.get(element.value) or {}).get("note", ""),
            kinds=list((problem.cheers.get(element.value) or {}).get("kinds", [])),
        )
        for element in CheersElement
    ]
    events = problem_events(problem) if problem.cells else None
    month_rows: list[tuple[date, int]] = []
    month_svg = hour_svg = ""
    repeat_locations = repeat_victims = victims = 0
    if events is not None and len(events):
        months, counts = charts.month_counts(events)
        month_rows = list(zip(months, counts, strict=True))
        month_svg = charts.month_chart(months, counts, title=_("Linked incidents by month"))
        matrix, _left_out = charts.hour_of_week(events)
        hour_svg = charts.hour_of_week_chart(matrix, title=_("Linked incidents by hour of week"))
        _locations, repeat_locations = _repeats(events.location_key)
        victims, repeat_victims = _repeats(events.victim_key)

    triangle = []
    entries = list(problem.triangle.all())
    for side in TriangleSide:
        triangle.append(
            {
                "side": side.label,
                "controller_label": CONTROLLER_OF_SIDE[side],
                "entries": [entry for entry in entries if entry.side == side.value],
            }
        )

    responses = list(problem.responses.select_related("organisation"))
    by_group = [
        (str(group.label), [r for r in responses if TECHNIQUE_GROUP.get(r.technique) == group])
        for group in TechniqueGroup
    ]

    return CaseReport(
        problem=problem,
        cheers=cheers,
        cheers_state_label=str(CheersState(problem.cheers_state).label),
        members=list(problem.members.select_related("organisation")),
        # By reference and category only: the reporter (a separate table) is never read.
        concerns=[
            (concern.reference, concern.category.label)
            for concern in problem.concerns.select_related("category").order_by("pk")
        ],
        event_count=len(events) if events is not None else 0,
        month_rows=month_rows,
        month_chart=month_svg,
        hour_chart=hour_svg,
        repeat_locations=repeat_locations,
        repeat_victims=repeat_victims,
        victims=victims,
        triangle=triangle,
        hypotheses=list(problem.hypotheses.all()),
        responses_by_group=[(label, items) for label, items in by_group if items],
        goals=list(problem.goals.all()),
        tasks=list(problem.tasks.select_related("organisation", "response")),
        assessments=[
            _assessment_section(assessment)
            for assessment in problem.assessments.select_related("comparison_area")
        ],
    )
