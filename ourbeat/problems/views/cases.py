"""The case list, opening a case (by hand, from a hot spot, from concerns or from a
priority), and the Scanning stage: summary, CHEERS, stage moves, members and linked
concerns. Each view's first line fetches its case through ``case_or_403``; writes go
through ``problems.services``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import h3
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ourbeat.analytics.analyses import query_of_run, run_area_id
from ourbeat.analytics.events import Events, incident_category_label
from ourbeat.analytics.forms import scan_scope
from ourbeat.analytics.models import AnalysisRun, Incident, RunStatus
from ourbeat.concerns.models import Concern
from ourbeat.core.permissions import PROBLEM_LEAD_ROLES, holds_role_over
from ourbeat.core.staff import apply_validation_errors, staff_view
from ourbeat.engagement.models import Priority
from ourbeat.places.models import Area, Organisation
from ourbeat.places.selectors import locate_neighbourhood
from ourbeat.problems import charts, services
from ourbeat.problems.forms_cases import (
    CaseTextForm,
    CheersForm,
    ConcernsForm,
    MemberForm,
    ProblemNewForm,
    StageForm,
)
from ourbeat.problems.models import (
    STAGE_TRANSITIONS,
    CaseMember,
    CheersElement,
    OriginKind,
    Problem,
    Stage,
)
from ourbeat.problems.place import problem_events
from ourbeat.problems.selectors import problems_for
from ourbeat.problems.views.common import case_context, case_or_403, saved

MAX_CONCERN_REFS = 50
CASES_PER_PAGE = 50
# How many of the linked incidents the Scanning page lists one by one (all are counted).
RECENT_INCIDENTS = 50
# The most hot cells one case takes from a run: a cluster larger than this is several
# problems, not one.
MAX_HOT_CLUSTER = 400


# ----------------------------------------------------------------------------- figures


def month_figures(problem: Problem, events: Events) -> dict[str, Any]:
    months, counts = charts.month_counts(events)
    title = _("Linked incidents by month")
    return {
        "month_rows": list(zip(months, counts, strict=True)),
        "month_total": sum(counts),
        "month_chart": charts.month_chart(months, counts, title=title) if months else "",
        "month_title": title,
    }


# ----------------------------------------------------------------------------- the list


@staff_view
@require_safe
def problem_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("problems.use_problems"):
        raise PermissionDenied
    cases = problems_for(request.user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        cases = cases.filter(stage=stage)
    areas = Area.objects.filter(pk__in=problems_for(request.user).values("area_id")).order_by(
        "name"
    )
    area_slug = request.GET.get("area", "")[:80]
    if area_slug:
        cases = cases.filter(area__slug=area_slug)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "problems/list.html",
        {
            "cases": page,
            "page": page,
            "filter_query": urlencode({"stage": stage, "area": area_slug}),
            "stages": Stage.choices,
            "stage": stage,
            "areas": areas,
            "area_slug": area_slug,
            "can_open": request.user.has_perm("problems.open_problem"),
        },
    )


# ----------------------------------------------------------------------------- opening


@dataclass
class Origin:
    """Where a new case comes from, re-read on the server from the run, the concerns or
    the priority (``area`` None: chosen by hand among ``areas``)."""

    kind: str = OriginKind.MANUAL
    detail: dict[str, Any] = field(default_factory=dict)
    organisation: Organisation | None = None
    area: Area | None = None
    categories: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    priority: Priority | None = None
    title: str = ""
    description: str = ""

    @property
    def kind_label(self) -> str:
        return str(dict(OriginKind.choices)[self.kind])


def _led_areas(user: Any) -> QuerySet[Area]:
    """The areas where the user may open a case (their lead roles cover them)."""
    candidates = Area.objects.select_related("organisation").order_by("path")
    ids = [area.pk for area in candidates if holds_role_over(user, area, PROBLEM_LEAD_ROLES)]
    return Area.objects.filter(pk__in=ids).order_by("path")


def _hot_cluster(result: dict[str, Any], cell: str) -> list[str]:
    """The clicked hot cell and the hot cells contiguous with it (neighbours of
    neighbours…), from the run's result."""
    hot = {row["cell"] for row in result.get("cells", []) if (row.get("bin") or 0) > 0}
    if cell not in hot:
        raise Http404
    cluster, frontier = {cell}, [cell]
    while frontier and len(cluster) < MAX_HOT_CLUSTER:
        current = frontier.pop()
        for neighbour in h3.grid_ring(current, 1):
            if neighbour in hot and neighbour not in cluster:
                cluster.add(neighbour)
                frontier.append(neighbour)
    return sorted(cluster)


def _origin_from_run(request: HttpRequest, run_id: int, cell: str) -> Origin:
    if not request.user.has_perm("analytics.use_scan"):
        raise PermissionDenied
    run = get_object_or_404(AnalysisRun, pk=run_id, kind="hotspots", status=RunStatus.DONE)
    area_id = run_area_id(run)
    if not scan_scope(request.user).covers(run.organisation_id, area_id):
        raise PermissionDenied
    result = run.result or {}
    cells = _hot_cluster(result, cell)
    area: Area | None = None
    if area_id is not None:
        area = Area.objects.filter(pk=area_id, organisation_id=run.organisation_id).first()
    if area is None:
        lat, lng = h3.cell_to_latlng(cell)
        area = locate_neighbourhood(lat, lng)
    if area is None or area.organisation_id != run.organisation_id:
        raise Http404
    categories = list(query_of_run(run).categories)
    what = ", ".join(incident_category_label(c) for c in categories) or _("Incidents")
    return Origin(
        kind=OriginKind.HOT_SPOT,
        detail={"run": run.pk, "cell": cell},
        organisation=run.organisation,
        area=area,
        categories=categories,
        cells=cells,
        title=_("%(what)s hot spot in %(area)s") % {"what": what, "area": area.name},
        description=_("Scanning found a hot spot of %(cells)s cell(s) around H3 cell %(cell)s.")
        % {"cells": len(cells), "cell": cell},
    )


def _origin_from_concerns(request: HttpRequest, refs: str) -> Origin:
    references = [ref.strip().upper() for ref in refs.split(",") if ref.strip()]
    if not references or len(references) > MAX_CONCERN_REFS:
        raise Http404
    concerns = list(
        Concern.objects.filter(reference__in=references)
        .select_related("area", "category")
        .order_by("reference")
    )
    if len(concerns) != len(set(references)):
        raise Http404
    # Concerns routed to a partner stay linkable by the area's lead staff: the case shows
    # only their reference, category and status, and links to those the user may read.
    if not all(holds_role_over(request.user, c.area, PROBLEM_LEAD_ROLES) for c in concerns):
        raise PermissionDenied
    organisations = {c.area.organisation_id for c in concerns}
    if len(organisations) != 1:
        raise Http404
    # Their area: the one most of them were reported in.
    area_id = Counter(c.area_id for c in concerns).most_common(1)[0][0]
    area = next(c.area for c in concerns if c.area_id == area_id)
    cells = sorted({h3.latlng_to_cell(c.latitude, c.longitude, 9) for c in concerns})
    return Origin(
        kind=OriginKind.CONCERNS,
        detail={"concerns": [c.reference for c in concerns]},
        organisation=area.organisation,
        area=area,
        cells=cells,
        concerns=concerns,
        title=_("Recurring concerns in %(area)s") % {"area": area.name},
    )


def _origin_from_priority(request: HttpRequest, priority_id: int) -> Origin:
    priority = get_object_or_404(Priority.objects.select_related("area"), pk=priority_id)
    if not request.user.has_perm("engagement.read_priority", priority):
        raise PermissionDenied
    return Origin(
        kind=OriginKind.PRIORITY,
        detail={"priority": priority.pk},
        organisation=priority.area.organisation,
        area=priority.area,
        priority=priority,
        title=priority.title[: services.MAX_TITLE],
        description=priority.description,
    )


def _origin(request: HttpRequest, values: Any) -> Origin:
    """The origin named by the query string (GET) or the hidden fields (POST)."""
    run, cell = values.get("run", ""), values.get("cell", "")
    refs, priority = (
        values.get("concerns") or values.get("concern_refs", ""),
        values.get("priority", ""),
    )
    if run or cell:
        if not (str(run).isdigit() and h3.is_valid_cell(str(cell))):
            raise Http404
        return _origin_from_run(request, int(run), str(cell))
    if refs:
        return _origin_from_concerns(request, str(refs)[:2000])
    if priority:
        if not str(priority).isdigit():
            raise Http404
        return _origin_from_priority(request, int(priority))
    return Origin()


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("problems.open_problem"):
        raise PermissionDenied
    origin = _origin(request, request.POST if request.method == "POST" else request.GET)
    if origin.area is not None and not holds_role_over(
        request.user, origin.area, PROBLEM_LEAD_ROLES
    ):
        raise PermissionDenied
    areas = _led_areas(request.user)
    hidden = {
        "run": origin.detail.get("run"),
        "cell": origin.detail.get("cell", ""),
        "concern_refs": ",".join(origin.detail.get("concerns", [])),
        "priority": origin.detail.get("priority"),
    }
    form_kwargs: dict[str, Any] = {
        "areas": areas,
        "fixed_area": origin.area is not None,
        "extra_categories": origin.categories,
    }
    if request.method == "POST":
        form = ProblemNewForm(request.POST, **form_kwargs)
        if form.is_valid():
            area = origin.area or form.cleaned_data["area"]
            try:
                problem = services.problem_open(
                    actor=request.user,
                    organisation=area.organisation,
                    area=area,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    categories=form.cleaned_data["categories"],
                    cells=origin.cells,
                    origin_kind=origin.kind,
                    origin_detail=origin.detail,
                    priority=origin.priority,
                    concerns=origin.concerns,
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(request, _("The case is open."))
                return redirect("staff_problems:detail", pk=problem.pk)
    else:
        initial = {
            "title": origin.title,
            "description": origin.description,
            "categories": origin.categories,
            **hidden,
        }
        form = ProblemNewForm(initial=initial, **form_kwargs)
    return render(
        request,
        "problems/new.html",
        {"form": form, "origin": origin, "cell_count": len(origin.cells)},
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- scanning


def _concern_rows(request: HttpRequest, problem: Problem) -> list[dict[str, Any]]:
    concerns = problem.concerns.select_related("category", "area").order_by("reference")
    return [
        {
            "concern": concern,
            "readable": request.user.has_perm("concerns.read_concern", concern),
        }
        for concern in concerns
    ]


def _recent_incidents(events: Events) -> list[dict[str, Any]]:
    """The latest linked incidents (events are oldest first), newest first."""
    ids = events.ids[-RECENT_INCIDENTS:].tolist()
    incidents = Incident.objects.filter(pk__in=ids).only(
        "occurred_on", "date_precision", "category", "location_text", "outcome"
    )
    return [
        {"incident": incident, "category": incident_category_label(incident.category)}
        for incident in sorted(incidents, key=lambda i: (i.occurred_on, i.pk), reverse=True)
    ]


def _cheers_rows(problem: Problem) -> list[dict[str, Any]]:
    rows = []
    for element, label in CheersElement.choices:
        answer = problem.cheers.get(element) or {}
        rows.append(
            {
                "element": element,
                "label": label,
                "met": answer.get("met"),
                "note": answer.get("note", ""),
                "kinds": answer.get("kinds", []),
            }
        )
    return rows


def stage_choices(problem: Problem) -> list[tuple[str, Any]]:
    allowed = STAGE_TRANSITIONS.get(problem.stage, frozenset())
    return [(value, label) for value, label in Stage.choices if value in allowed]


@staff_view
@require_safe
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk)
    events = problem_events(problem)
    stage_form = StageForm()
    stage_form.fields["stage"].choices = stage_choices(problem)  # type: ignore[attr-defined]
    return render(
        request,
        "problems/detail.html",
        case_context(
            request,
            problem,
            "overview",
            cheers_rows=_cheers_rows(problem),
            members=problem.members.select_related("organisation"),
            concern_rows=_concern_rows(request, problem),
            recent_incidents=_recent_incidents(events),
            recent_limit=RECENT_INCIDENTS,
            category_labels=[incident_category_label(c) for c in problem.categories],
            stage_form=stage_form,
            **month_figures(problem, events),
        ),
    )


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    if request.method == "POST":
        form = CaseTextForm(request.POST, extra_categories=problem.categories)
        done = saved(
            request,
            form,
            lambda data: services.problem_edit(
                actor=request.user,
                problem=problem,
                title=data["title"],
                description=data["description"],
                categories=data["categories"],
            ),
            done=_("The case is saved."),
            then="staff_problems:detail",
            problem=problem,
        )
        if done:
            return done
    else:
        form = CaseTextForm(
            initial={
                "title": problem.title,
                "description": problem.description,
                "categories": problem.categories,
            },
            extra_categories=problem.categories,
        )
    return render(
        request,
        "problems/edit.html",
        case_context(request, problem, "overview", form=form),
        status=400 if request.method == "POST" else 200,
    )


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_cheers(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    if request.method == "POST":
        form = CheersForm(request.POST)
        done = saved(
            request,
            form,
            lambda _data: services.problem_record_cheers(
                actor=request.user, problem=problem, answers=form.answers()
            ),
            done=_("The CHEERS test is recorded."),
            then="staff_problems:detail",
            problem=problem,
        )
        if done:
            return done
    else:
        form = CheersForm(initial=CheersForm.initial_from(problem.cheers))
    return render(
        request,
        "problems/cheers.html",
        case_context(request, problem, "overview", form=form),
        status=400 if request.method == "POST" else 200,
    )


@staff_view
@require_POST
def problem_stage(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.problem_move(
                actor=request.user,
                problem=problem,
                stage=form.cleaned_data["stage"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The case is now at %(stage)s.") % {"stage": problem.get_stage_display()},
            )
    else:
        messages.error(request, _("Choose a stage the case can move to."))
    return redirect("staff_problems:detail", pk=problem.pk)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_members(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk)
    can_manage = request.user.has_perm("problems.manage_problem", problem)
    organisations = (
        Organisation.objects.exclude(pk=problem.organisation_id)
        .exclude(pk__in=problem.members.values("organisation_id"))
        .order_by("name")
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = MemberForm(request.POST, organisations=organisations)
        done = saved(
            request,
            form,
            lambda data: services.member_add(
                actor=request.user,
                problem=problem,
                organisation=data["organisation"],
                role=data["role"],
            ),
            done=_("The organisation is a member of the case."),
            then="staff_problems:members",
            problem=problem,
        )
        if done:
            return done
    else:
        form = MemberForm(organisations=organisations)
    return render(
        request,
        "problems/members.html",
        case_context(
            request,
            problem,
            "overview",
            form=form,
            members=problem.members.select_related("organisation"),
        ),
        status=400 if request.method == "POST" else 200,
    )


@staff_view
@require_POST
def problem_member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    member = get_object_or_404(CaseMember, pk=member_id, problem=problem)
    try:
        services.member_remove(actor=request.user, member=member)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The organisation is no longer a member of the case."))
    return redirect("staff_problems:members", pk=problem.pk)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def problem_concerns(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    if request.method == "POST":
        form = ConcernsForm(request.POST)
        if form.is_valid():
            references = form.references_list()[:MAX_CONCERN_REFS]
            found = list(Concern.objects.filter(reference__in=references))
            missing = sorted(set(references) - {c.reference for c in found})
            if missing:
                form.add_error(
                    "references",
                    _("No concern has the reference %(refs)s.") % {"refs": ", ".join(missing)},
                )
            else:
                try:
                    services.problem_link_concerns(
                        actor=request.user, problem=problem, concerns=found
                    )
                except ValidationError as error:
                    # The form's only field is the references: errors on "concerns" go there.
                    for message in error.messages:
                        form.add_error("references", message)
                else:
                    messages.success(request, _("The concerns are linked to the case."))
                    return redirect("staff_problems:detail", pk=problem.pk)
    else:
        form = ConcernsForm()
    return render(
        request,
        "problems/concerns.html",
        case_context(
            request, problem, "overview", form=form, concern_rows=_concern_rows(request, problem)
        ),
        status=400 if request.method == "POST" else 200,
    )
