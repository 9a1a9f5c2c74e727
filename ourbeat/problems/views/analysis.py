"""The Analysis stage of a case: the problem analysis triangle, hypotheses, repeat locations
and victims among the linked incidents (pseudonymous keys only), charts by hour of week and
by month, and the summary with the current responses. Writes go through
``problems.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ourbeat.analytics.analyses import repeats_of_events
from ourbeat.analytics.events import Events, incident_category_label
from ourbeat.core.staff import staff_view
from ourbeat.problems import charts, services
from ourbeat.problems.forms_cases import (
    AnalysisForm,
    HypothesisForm,
    HypothesisUpdateForm,
    TriangleForm,
)
from ourbeat.problems.models import (
    CONTROLLER_OF_SIDE,
    Hypothesis,
    Problem,
    TriangleEntry,
    TriangleSide,
)
from ourbeat.problems.place import problem_events
from ourbeat.problems.views.cases import month_figures
from ourbeat.problems.views.common import case_context, case_or_403, saved

REPEAT_ROWS = 10


def hour_figures(events: Events) -> dict[str, Any]:
    matrix, left_out = charts.hour_of_week(events)
    title = _("Linked incidents by hour of the week")
    weekdays = charts.weekday_labels()
    return {
        "hour_chart": charts.hour_of_week_chart(matrix, title=title) if matrix.sum() else "",
        "hour_title": title,
        "hour_rows": [(weekdays[day], matrix[day].tolist()) for day in range(7)],
        "hours": list(range(24)),
        "hour_left_out": left_out,
        "hour_total": int(matrix.sum()),
    }


def repeat_figures(events: Events) -> dict[str, Any]:
    """The ranked repeat places (with police.uk's place text, which staff may see) and
    repeat victims (their pseudonymous key only)."""
    result = repeats_of_events(events, limit=REPEAT_ROWS, minimum=2)
    for row in result["locations"]["rows"] + result["victims"]["rows"]:
        row["category_names"] = [
            (incident_category_label(slug), count) for slug, count in row["categories"].items()
        ]
    return {"repeat_locations": result["locations"], "repeat_victims": result["victims"]}


def _triangle_sides(problem: Problem) -> list[dict[str, Any]]:
    entries = list(problem.triangle.all())
    return [
        {
            "side": side,
            "label": label,
            "controller_name": CONTROLLER_OF_SIDE[side],
            "entries": [entry for entry in entries if entry.side == side],
        }
        for side, label in TriangleSide.choices
    ]


def _page(
    request: HttpRequest,
    problem: Problem,
    *,
    analysis_form: AnalysisForm | None = None,
    triangle_form: TriangleForm | None = None,
    hypothesis_form: HypothesisForm | None = None,
    status: int = 200,
) -> HttpResponse:
    events = problem_events(problem)
    hypotheses = list(problem.hypotheses.all())
    return render(
        request,
        "problems/analysis.html",
        case_context(
            request,
            problem,
            "analysis",
            sides=_triangle_sides(problem),
            hypotheses=[
                {
                    "hypothesis": hypothesis,
                    "form": HypothesisUpdateForm(
                        initial={
                            "result": hypothesis.result,
                            "finding": hypothesis.finding,
                            "test_data": hypothesis.test_data,
                        },
                        prefix=f"h{hypothesis.pk}",
                    ),
                }
                for hypothesis in hypotheses
            ],
            analysis_form=analysis_form
            or AnalysisForm(
                initial={
                    "summary": problem.analysis_summary,
                    "current_responses": problem.current_responses,
                }
            ),
            triangle_form=triangle_form or TriangleForm(),
            hypothesis_form=hypothesis_form or HypothesisForm(),
            event_count=len(events),
            **repeat_figures(events),
            **hour_figures(events),
            **month_figures(problem, events),
        ),
        status=status,
    )


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        problem = case_or_403(request, pk)
        return _page(request, problem)
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = AnalysisForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.analysis_record(
            actor=request.user,
            problem=problem,
            summary=data["summary"],
            current_responses=data["current_responses"],
        ),
        done=_("The analysis is recorded."),
        then="staff_problems:analysis",
        problem=problem,
    )
    return done or _page(request, problem, analysis_form=form, status=400)


@staff_view
@require_POST
def triangle_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = TriangleForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.triangle_add(actor=request.user, problem=problem, **data),
        done=_("The entry is added to the triangle."),
        then="staff_problems:analysis",
        problem=problem,
    )
    return done or _page(request, problem, triangle_form=form, status=400)


@staff_view
@require_POST
def triangle_delete(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    entry = get_object_or_404(TriangleEntry, pk=entry_id, problem=problem)
    services.triangle_remove(actor=request.user, entry=entry)
    messages.success(request, _("The entry is removed from the triangle."))
    return redirect("staff_problems:analysis", pk=problem.pk)


@staff_view
@require_POST
def hypothesis_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = HypothesisForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.hypothesis_add(actor=request.user, problem=problem, **data),
        done=_("The hypothesis is added."),
        then="staff_problems:analysis",
        problem=problem,
    )
    return done or _page(request, problem, hypothesis_form=form, status=400)


@staff_view
@require_POST
def hypothesis_edit(request: HttpRequest, pk: int, hypothesis_id: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    hypothesis = get_object_or_404(Hypothesis, pk=hypothesis_id, problem=problem)
    form = HypothesisUpdateForm(request.POST, prefix=f"h{hypothesis.pk}")
    if form.is_valid():
        try:
            services.hypothesis_update(
                actor=request.user, hypothesis=hypothesis, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The hypothesis is updated."))
    else:
        for field_errors in form.errors.values():
            for error_text in field_errors:
                messages.error(request, str(error_text))
    return redirect("staff_problems:analysis", pk=problem.pk)
