"""The scanning analyses in ourbeat's JSON API: hot spots, emerging hot spots, near repeats
(Knox), repeat locations and victims, and hot spot evaluation, for staff who may scan
(``analytics.use_scan``: officers, supervisors, analysts and organisation administrators of
a police service, within the areas they cover).

Each endpoint takes the same parameters as its staff page, checked by the same form
(``ourbeat.analytics.forms``), and answers with the analysis run: 200 with the result when
it is done (the same input is computed once and then served from the stored run), 202 while
it is still queued or running (poll ``/analytics/runs/{id}``). Bad parameters are a 400 with
``detail`` naming each field's problem; users who may not scan get a 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from ourbeat.analytics.analyses import KINDS, run_analysis, run_area_id, run_progress
from ourbeat.analytics.forms import (
    EmergingForm,
    EvaluationForm,
    HotspotForm,
    NearRepeatForm,
    RepeatsForm,
    ScanForm,
    form_errors,
    scan_scope,
)
from ourbeat.analytics.models import AnalysisRun, RunStatus

router = Router(tags=["analytics"], auth=django_auth)

# Database ids are positive 32-bit integers here; a bigger number is simply not found.
MAX_ID = 2**31 - 1


class AnalyticsProblem(Schema):
    detail: Any = Field(..., description="a message, or the problems by parameter name")


class RunOut(Schema):
    id: int
    kind: Literal["hotspots", "emerging", "knox", "repeats", "evaluation"]
    status: Literal["queued", "running", "done", "failed"]
    progress: float | None = Field(..., description="0 to 1; null when not known")
    created_at: datetime
    finished_at: datetime | None
    error: str = Field(..., description="why a failed run could not be computed")
    parameters: dict[str, Any] = Field(
        ...,
        description="the event selection (query), the analysis's parameters and the data version",
    )
    url: str = Field(..., description="where to poll this run")
    result: dict[str, Any] | None = Field(..., description="the analysis's result once done")


class Selection(Schema):
    """The event selection every analysis takes (all optional; see each field)."""

    organisation: str | None = Field(
        None, description="the organisation's identifier; needed only with several"
    )
    source: str | None = Field(None, description="incidents (default), concerns or both")
    category: list[str] = Field(
        [], description="incident types (police.uk slugs) or concern category codes; repeat"
    )
    area: str | None = Field(
        None, description="an area's slug (it and every area inside it); empty: all of it"
    )
    start: str | None = Field(
        None, description="first day, YYYY-MM-DD (default: a year before end)"
    )
    end: str | None = Field(None, description="last day, inclusive (default: the latest incident)")


class GridParameters(Selection):
    resolution: str | None = Field(None, description="H3 resolution, 5 to 10 (default 9)")
    rings: str | None = Field(
        None, description="neighbourhood in rings of cells, 1 to 3 (default 1)"
    )


class HotspotParameters(GridParameters):
    permutations: str | None = Field(None, description="0 to 99999 (default 99999)")
    seed: str | None = Field(None, description="random seed (default 1)")


class EmergingParameters(GridParameters):
    time_steps: str | None = Field(
        None, description="earlier months in a month's neighbourhood, 0 to 12 (default 1)"
    )


class NearRepeatParameters(Selection):
    metric: str | None = Field(None, description="manhattan (default) or euclidean")
    space_bandwidth: str | None = Field(None, description="metres, 1 to 5000 (default 100)")
    space_bands: str | None = Field(None, description="1 to 10 (default 3)")
    time_bandwidth: str | None = Field(None, description="days, 1 to 365 (default 7)")
    time_bands: str | None = Field(None, description="1 to 10 (default 3)")
    permutations: str | None = Field(None, description="1 to 9999 (default 99)")
    seed: str | None = Field(None, description="random seed (default 1)")


class RepeatParameters(Selection):
    limit: str | None = Field(None, description="how many to list, 1 to 200 (default 20)")
    minimum: str | None = Field(None, description="fewest events that make a repeat (default 2)")


class EvaluationParameters(HotspotParameters):
    confidence: str | None = Field(None, description="90, 95 (default) or 99")
    test_start: str | None = Field(None, description="default: the day after end")
    test_end: str | None = Field(None, description="default: as long as the map's period")


RESPONSES: dict[int, Any] = {200: RunOut, 202: RunOut, 400: AnalyticsProblem, 403: AnalyticsProblem}


def _require_scan(request: HttpRequest) -> None:
    if not request.user.has_perm("analytics.use_scan"):
        raise HttpError(403, "You may not run analyses.")


def _run_url(request: HttpRequest, run: AnalysisRun) -> str:
    """The run's address in the API that answered (its namespace, whichever mounts it)."""
    match = request.resolver_match
    namespace = f"{match.namespace}:" if match is not None and match.namespace else ""
    return reverse(f"{namespace}analytics_run", kwargs={"run_id": run.pk})


def _run_out(request: HttpRequest, run: AnalysisRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "progress": run_progress(run),
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "parameters": run.parameters,
        "url": _run_url(request, run),
        "result": run.result if run.status == RunStatus.DONE else None,
    }


def _respond(request: HttpRequest, run: AnalysisRun) -> Status[dict[str, Any]]:
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED)
    return Status(200 if finished else 202, _run_out(request, run))


def _analyse(request: HttpRequest, form_class: type[ScanForm]) -> Any:
    _require_scan(request)
    form = form_class(request.GET, user=request.user)
    if not form.is_valid():
        return Status(400, {"detail": form_errors(form)})
    run = run_analysis(
        kind=form.kind, query=form.event_query(), params=form.parameters(), user=request.user
    )
    run.refresh_from_db()
    return _respond(request, run)


@router.get("/hotspots", response=RESPONSES, url_name="analytics_hotspots")
def hotspots(request: HttpRequest, query: Query[HotspotParameters]) -> Any:
    """Getis-Ord Gi* hot spots on an H3 grid, with conditional-permutation p-values
    (two-sided), ArcGIS's Gi_Bin after a Benjamini-Hochberg correction, and the quartic
    kernel density raster."""
    return _analyse(request, HotspotForm)


@router.get("/emerging", response=RESPONSES, url_name="analytics_emerging")
def emerging(request: HttpRequest, query: Query[EmergingParameters]) -> Any:
    """Emerging hot spots: a monthly space-time cube, Gi* per month, the Mann-Kendall trend
    and a category per cell (new, consecutive, intensifying, persistent, diminishing,
    sporadic, oscillating, historical; hot or cold)."""
    return _analyse(request, EmergingForm)


@router.get("/near-repeats", response=RESPONSES, url_name="analytics_near_repeats")
def near_repeats(request: HttpRequest, query: Query[NearRepeatParameters]) -> Any:
    """The Knox test in the Near Repeat Calculator's layout (observed, expected, ratio and
    p per space and time band), the near-repeat window and the current alerts."""
    return _analyse(request, NearRepeatForm)


@router.get("/repeats", response=RESPONSES, url_name="analytics_repeats")
def repeats(request: HttpRequest, query: Query[RepeatParameters]) -> Any:
    """Repeat locations and repeat victims (pseudonymous keys), ranked."""
    return _analyse(request, RepeatsForm)


@router.get("/evaluation", response=RESPONSES, url_name="analytics_evaluation")
def evaluation(request: HttpRequest, query: Query[EvaluationParameters]) -> Any:
    """The hot spot map of the period judged against the test period: hit rate, Predictive
    Accuracy Index and Recapture Rate Index."""
    return _analyse(request, EvaluationForm)


@router.get(
    "/runs/{run_id}",
    response={200: RunOut, 202: RunOut, 403: AnalyticsProblem, 404: AnalyticsProblem},
    url_name="analytics_run",
)
def run_detail(request: HttpRequest, run_id: int) -> Any:
    """One analysis run of the kinds above: its status and progress, and its result once
    done."""
    _require_scan(request)
    run = (
        AnalysisRun.objects.filter(pk=run_id, kind__in=KINDS).first()
        if 0 < run_id <= MAX_ID
        else None
    )
    if run is None:
        raise HttpError(404, "No analysis run has that id.")
    scope = scan_scope(request.user)
    if not scope.covers(run.organisation_id, run_area_id(run)):
        raise HttpError(403, "You may not read this analysis.")
    return _respond(request, run)
