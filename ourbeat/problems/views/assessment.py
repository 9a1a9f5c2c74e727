"""The Assessment stage of a case: past assessments with their before/after figures for the
problem place (A), its buffer (B) and the comparison area (C), the weighted displacement
quotient read in words (Bowers and Johnson 2003), the process figures and the decision; and
the form that records a new one (managers, while the case is at the assessment stage)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ourbeat.core.staff import apply_validation_errors, staff_view
from ourbeat.problems.forms_response import AssessmentForm
from ourbeat.problems.models import Assessment, Problem, Stage
from ourbeat.problems.services_assessment import (
    READING_TEXT,
    REASON_TEXT,
    assessment_record,
    default_comparison_area,
    default_periods,
)
from ourbeat.problems.views.common import case_context, case_or_403

DEFAULT_BUFFER_RINGS = 2

PLACES = [
    ("area", gettext_lazy("Problem place (A)")),
    ("buffer", gettext_lazy("Buffer (B)")),
    ("control", gettext_lazy("Comparison area (C)")),
]


def _shown(figure: dict[str, Any] | None) -> dict[str, Any]:
    """A stored figure with the reason it is missing in words."""
    figure = figure or {}
    reason = figure.get("reason")
    return {**figure, "reason_text": REASON_TEXT.get(reason, reason) if reason else ""}


def _rows(assessment: Assessment) -> dict[str, Any]:
    figures = assessment.figures or {}
    counts = figures.get("counts", {})
    changes = figures.get("percent_change", {})
    return {
        "assessment": assessment,
        "places": [
            {
                "label": label,
                "before": counts.get(key, {}).get("before"),
                "after": counts.get(key, {}).get("after"),
                "change": _shown(changes.get(key)),
            }
            for key, label in PLACES
        ],
        "success": _shown(figures.get("success_measure")),
        "buffer": _shown(figures.get("buffer_measure")),
        "wdq": _shown(figures.get("wdq")),
        "reading": READING_TEXT.get(figures.get("wdq_reading") or ""),
        "net_area": _shown(figures.get("net_effect_area")),
        "net_buffer": _shown(figures.get("net_effect_buffer")),
        "net_total": _shown(figures.get("total_net_effect")),
        "relative": _shown(figures.get("relative_change")),
        "process": figures.get("process", {}),
    }


def _initial(problem: Problem) -> dict[str, Any]:
    initial: dict[str, Any] = dict(default_periods(problem, today=timezone.localdate()))
    initial["buffer_rings"] = DEFAULT_BUFFER_RINGS
    initial["categories"] = list(problem.categories)
    comparison = default_comparison_area(problem)
    if comparison is not None:
        initial["comparison_area"] = comparison.pk
    return initial


@staff_view
@require_http_methods(["GET", "POST"])
def problem_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk)
    can_manage = request.user.has_perm("problems.manage_problem", problem)
    can_assess = can_manage and problem.stage == Stage.ASSESSMENT
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form: AssessmentForm | None = None
    status = 200
    if request.method == "POST":
        form = AssessmentForm(request.POST, problem=problem)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment_record(
                    actor=request.user,
                    problem=problem,
                    before_start=data["before_start"],
                    before_end=data["before_end"],
                    after_start=data["after_start"],
                    after_end=data["after_end"],
                    comparison_area=data["comparison_area"],
                    buffer_rings=data["buffer_rings"],
                    categories=data["categories"],
                    process_note=data["process_note"],
                    decision=data["decision"],
                    decision_note=data["decision_note"],
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(request, _("The assessment is recorded."))
                return redirect("staff_problems:assessment", pk=problem.pk)
        status = 400
    elif can_assess:
        form = AssessmentForm(initial=_initial(problem), problem=problem)
    assessments = list(
        problem.assessments.select_related("comparison_area", "created_by").order_by(
            "-created_at", "-pk"
        )
    )
    comparison = default_comparison_area(problem)
    return render(
        request,
        "problems/assessment.html",
        case_context(
            request,
            problem,
            "assessment",
            rows=[_rows(assessment) for assessment in assessments],
            form=form,
            default_comparison=comparison,
            default_buffer=DEFAULT_BUFFER_RINGS,
        ),
        status=status,
    )
