"""The Assessment stage: process (were the tasks done) and impact (the linked measure before
and after in the problem place A, its buffer B and a comparison area C, with the weighted
displacement quotient of Bowers and Johnson 2003, see ``ourbeat.problems.assessment``), then
the decision that moves the case on.

Places, as ``ourbeat.problems.place`` defines them:

- A: the lead organisation's incidents of the measure's categories in the problem's cells;
- B: those in the cells within ``buffer_rings`` rings of the place, the place excluded;
- C: those whose neighbourhood lies in the comparison area, less any that fall in A or B, so
  that the control never contains the response or the buffer it is compared with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ourbeat.analytics.events import EventQuery, load_events
from ourbeat.analytics.grid import cells_for_points
from ourbeat.core import audit
from ourbeat.core.text import clean_text
from ourbeat.places.models import Area
from ourbeat.problems import assessment as method
from ourbeat.problems.assessment import Counts, impact_figures
from ourbeat.problems.models import (
    DECISION_STAGE,
    Assessment,
    Decision,
    Problem,
    Stage,
    TaskStatus,
)
from ourbeat.problems.place import buffer_cells, cell_ints, in_cells

MAX_NOTE = 4000
MAX_CATEGORIES = 20
MIN_RINGS, MAX_RINGS = 1, 10
EARLIEST = date(2000, 1, 1)
# One period of more than five years is not a before/after comparison of a response.
MAX_PERIOD_DAYS = 5 * 366
CATEGORY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")

# Why a figure is not given, and what a WDQ means, in words (for the pages and the report).
REASON_TEXT: dict[str, Any] = {
    method.ZERO_BEFORE: _lazy("not given: there were none before"),
    method.ZERO_CONTROL: _lazy("not given: the comparison area had none in a period"),
    method.ZERO_COUNT: _lazy("not given: a count is zero"),
    method.NO_SUCCESS: _lazy(
        "not given: the problem did not fall relative to the comparison area, so there is no "
        "success to weigh"
    ),
}

READING_TEXT: dict[str, Any] = {
    method.DIFFUSION_GREATER: _lazy(
        "Diffusion of benefits larger than the direct benefit: crime fell in the buffer even "
        "more than in the problem place, relative to the comparison area."
    ),
    method.DIFFUSION: _lazy(
        "Diffusion of benefits: crime also fell in the buffer around the problem place, "
        "relative to the comparison area."
    ),
    method.NEITHER: _lazy("Neither displacement nor diffusion of benefits."),
    method.DISPLACEMENT: _lazy(
        "Displacement: crime rose in the buffer relative to the comparison area, but by less "
        "than the benefit in the problem place."
    ),
    method.COUNTERPRODUCTIVE: _lazy(
        "Displacement larger than the direct benefit: the response was counterproductive."
    ),
}


def _categories(categories: Any) -> list[str]:
    if isinstance(categories, str) or not isinstance(categories, Iterable):
        raise ValidationError({"categories": _("Choose the incident categories.")})
    values = list(categories)
    if len(values) > MAX_CATEGORIES:
        raise ValidationError({"categories": _("Choose fewer categories.")})
    for value in values:
        if not isinstance(value, str) or not CATEGORY_PATTERN.fullmatch(value):
            raise ValidationError({"categories": _("An incident category is not valid.")})
    return sorted(set(values))


def _periods(before_start: Any, before_end: Any, after_start: Any, after_end: Any) -> None:
    named = {
        "before_start": before_start,
        "before_end": before_end,
        "after_start": after_start,
        "after_end": after_end,
    }
    for field, value in named.items():
        if not isinstance(value, date):
            raise ValidationError({field: _("Enter a date.")})
        if value < EARLIEST or value > timezone.localdate():
            raise ValidationError({field: _("Enter a date between 2000 and today.")})
    if before_end < before_start:
        raise ValidationError({"before_end": _("The before period ends before it starts.")})
    if after_end < after_start:
        raise ValidationError({"after_end": _("The after period ends before it starts.")})
    if after_start <= before_end:
        raise ValidationError(
            {"after_start": _("The after period must start after the before period ends.")}
        )
    for start, end, field in (
        (before_start, before_end, "before_end"),
        (after_start, after_end, "after_end"),
    ):
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError({field: _("Keep each period to five years or less.")})


def place_counts(
    problem: Problem,
    *,
    categories: list[str],
    comparison_area: Area,
    buffer_rings: int,
    start: date,
    end: date,
) -> tuple[int, int, int]:
    """Incidents in A, B and C (see the module's docstring) from ``start`` to ``end``
    inclusive. The comparison area's incidents without a location stay in C: they are in
    the area by their neighbourhood, and in no cell of A or B."""
    query = EventQuery(
        organisation_id=problem.organisation_id,
        categories=tuple(categories),
        start=start,
        end=end,
    )
    buffer = buffer_cells(problem.cells, buffer_rings)
    everywhere = load_events(query)
    # Each event's cell once, tested against both the place and its buffer.
    where = cells_for_points(everywhere.lat, everywhere.lng, problem.resolution)
    in_area = int(np.count_nonzero(np.isin(where, cell_ints(problem.cells))))
    in_buffer = int(np.count_nonzero(np.isin(where, cell_ints(buffer))))
    comparison = load_events(
        EventQuery(
            organisation_id=problem.organisation_id,
            categories=tuple(categories),
            start=start,
            end=end,
            area_id=comparison_area.pk,
        )
    )
    inside = in_cells(comparison, [*problem.cells, *buffer], problem.resolution)
    in_control = int(len(comparison) - np.count_nonzero(inside))
    return in_area, in_buffer, in_control


def process_figures(problem: Problem, *, today: date) -> dict[str, int]:
    """The tasks at the time of the assessment: done, not done, overdue (still open past the
    due date), still open in time, and all."""
    statuses = list(problem.tasks.values_list("status", "due_on"))
    open_statuses = {TaskStatus.PLANNED, TaskStatus.IN_PROGRESS}
    return {
        "total": len(statuses),
        "done": sum(1 for status, _due in statuses if status == TaskStatus.DONE),
        "not_done": sum(1 for status, _due in statuses if status == TaskStatus.NOT_DONE),
        "overdue": sum(1 for status, due in statuses if status in open_statuses and due < today),
        "open": sum(1 for status, due in statuses if status in open_statuses and due >= today),
    }


def assessment_record(
    *,
    actor: Any,
    problem: Problem,
    before_start: date,
    before_end: date,
    after_start: date,
    after_end: date,
    comparison_area: Area,
    buffer_rings: int,
    categories: list[str],
    process_note: str,
    decision: str,
    decision_note: str,
) -> Assessment:
    """Count the measure in A, B and C before and after, derive every figure (Bowers and
    Johnson 2003; see ``ourbeat.problems.assessment``), record the process and the decision,
    and move the case along ``DECISION_STAGE[decision]``. Only a case at the assessment stage
    is assessed."""
    if problem.stage != Stage.ASSESSMENT:
        raise ValidationError(_("Move the case to the assessment stage before assessing it."))
    if not problem.cells:
        raise ValidationError(_("The case has no problem place to count incidents in."))
    _periods(before_start, before_end, after_start, after_end)
    if not isinstance(comparison_area, Area) or (
        comparison_area.organisation_id != problem.organisation_id
    ):
        raise ValidationError(
            {"comparison_area": _("Choose one of the lead organisation's areas.")}
        )
    if comparison_area.pk == problem.area_id:
        raise ValidationError(
            {
                "comparison_area": _(
                    "The comparison area must be another area than the problem's own."
                )
            }
        )
    if (
        isinstance(buffer_rings, bool)
        or not isinstance(buffer_rings, int)
        or not MIN_RINGS <= buffer_rings <= MAX_RINGS
    ):
        raise ValidationError({"buffer_rings": _("Enter a buffer of 1 to 10 rings of cells.")})
    categories = _categories(categories)
    if not isinstance(decision, str) or decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    process_note = clean_text(process_note, field="process_note", limit=MAX_NOTE)
    decision_note = clean_text(decision_note, field="decision_note", limit=MAX_NOTE)

    # Counting reads tens of thousands of rows: done before the transaction, which stays short.
    count_args: dict[str, Any] = {
        "categories": categories,
        "comparison_area": comparison_area,
        "buffer_rings": buffer_rings,
    }
    area_t0, buffer_t0, control_t0 = place_counts(
        problem, start=before_start, end=before_end, **count_args
    )
    area_t1, buffer_t1, control_t1 = place_counts(
        problem, start=after_start, end=after_end, **count_args
    )
    figures = impact_figures(
        Counts(area_t0, area_t1), Counts(buffer_t0, buffer_t1), Counts(control_t0, control_t1)
    )
    today = timezone.localdate()
    figures["process"] = process_figures(problem, today=today)
    figures["buffer_cells"] = len(buffer_cells(problem.cells, buffer_rings))
    figures["area_cells"] = len(problem.cells)

    with transaction.atomic():
        current = Problem.objects.select_for_update().get(pk=problem.pk)
        if current.stage != Stage.ASSESSMENT:
            raise ValidationError(_("The case has moved on from the assessment stage."))
        assessment = Assessment.objects.create(
            problem=current,
            before_start=before_start,
            before_end=before_end,
            after_start=after_start,
            after_end=after_end,
            comparison_area=comparison_area,
            buffer_rings=buffer_rings,
            categories=categories,
            figures=figures,
            process_note=process_note,
            decision=decision,
            decision_note=decision_note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        current.stage = DECISION_STAGE[decision]
        current.version += 1
        current.save(update_fields=["stage", "version", "updated_at"])
        audit.record(
            "problems.assessment.record",
            actor=actor,
            obj=assessment,
            data={
                "problem": current.pk,
                "decision": decision,
                "stage": current.stage,
                "counts": figures["counts"],
                "wdq": figures["wdq"]["value"],
            },
        )
    problem.stage, problem.version = current.stage, current.version
    return assessment


def default_periods(problem: Problem, *, today: date) -> dict[str, date]:
    """After: the last three full months. Before: the three full months before the month the
    first response was recorded in, or the three months before "after" when that would
    overlap it (or there is no response)."""
    after_end = today.replace(day=1) - timedelta(days=1)
    after_start = _months_back(after_end.replace(day=1), 2)
    first = problem.responses.order_by("created_at").values_list("created_at", flat=True).first()
    anchor = timezone.localtime(first).date().replace(day=1) if first else after_start
    if anchor > after_start:
        anchor = after_start
    before_end = anchor - timedelta(days=1)
    before_start = _months_back(before_end.replace(day=1), 2)
    return {
        "before_start": before_start,
        "before_end": before_end,
        "after_start": after_start,
        "after_end": after_end,
    }


def _months_back(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def default_comparison_area(problem: Problem) -> Area | None:
    """The area around the problem's own (its district for a neighbourhood): the rest of it
    trends as the place would have without the response; A and B are left out of it."""
    area = problem.area
    if area.parent_id is not None:
        return Area.objects.filter(
            pk=area.parent_id, organisation_id=problem.organisation_id
        ).first()
    return (
        Area.objects.filter(organisation_id=problem.organisation_id)
        .exclude(pk=area.pk)
        .order_by("path")
        .first()
    )
