"""Staff pages of scanning (mounted at /staff/scan/, namespace ``staff_analytics``): the home
page, one page per analysis (a GET form: which events, the analysis's parameters; the
result below it) and the run page that shows a run's progress while it is computed (a
``<progress>`` and a meta refresh: no JavaScript needed) and its result once done.

Only the scanning roles (``analytics.use_scan``) get in: partner staff and oversight get a
403. The organisations and areas offered are those the user covers; a run is shown only to
users who cover its organisation (or its area).

Maps are SVG drawn here: H3 hexagons coloured by Gi_Bin (ColorBrewer's RdBu, safe for
colour-blind readers), each with a ``<title>``; the kernel density as rows of rectangles in
five classes (YlOrRd). The tables below the maps carry the same figures as text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from ourbeat.analytics.analyses import query_of_run, run_analysis, run_area_id, run_progress
from ourbeat.analytics.events import SOURCE_LABELS, incident_category_label
from ourbeat.analytics.forms import (
    SELECTION_FIELDS,
    EmergingForm,
    EvaluationForm,
    HotspotForm,
    NearRepeatForm,
    RepeatsForm,
    ScanForm,
    ScanScope,
    scan_scope,
)
from ourbeat.analytics.models import AnalysisRun, RunStatus
from ourbeat.concerns.models import Category
from ourbeat.core.staff import staff_view
from ourbeat.places.models import Area, Organisation
from ourbeat.places.selectors import locate_neighbourhood

MAP_WIDTH = 640
RECENT_RUNS = 15
# Rows of a hot spot table; the map shows every cell.
TABLE_ROWS = 300
PRIORITY_TITLE_CHARS = 120

# ColorBrewer RdBu (7 classes), from +3 (hot, 99 %) to −3 (cold, 99 %).
BIN_COLOURS = {
    3: "#b2182b",
    2: "#ef8a62",
    1: "#fddbc7",
    0: "#f7f7f7",
    -1: "#d1e5f0",
    -2: "#67a9cf",
    -3: "#2166ac",
}
BIN_LABELS = {
    3: gettext_lazy("Hot spot, 99% confidence"),
    2: gettext_lazy("Hot spot, 95% confidence"),
    1: gettext_lazy("Hot spot, 90% confidence"),
    0: gettext_lazy("Not significant"),
    -1: gettext_lazy("Cold spot, 90% confidence"),
    -2: gettext_lazy("Cold spot, 95% confidence"),
    -3: gettext_lazy("Cold spot, 99% confidence"),
}
# ColorBrewer YlOrRd (5 classes) for the kernel density.
DENSITY_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
# Okabe and Ito's colour-blind-safe palette for the emerging patterns; cold ones are
# hatched in the same colour.
PATTERN_COLOURS = {
    "new": "#D55E00",
    "consecutive": "#E69F00",
    "intensifying": "#CC79A7",
    "persistent": "#000000",
    "diminishing": "#0072B2",
    "sporadic": "#009E73",
    "oscillating": "#56B4E9",
    "historical": "#999999",
}
PATTERN_LABELS = {
    "new": pgettext_lazy("emerging hot spot pattern", "New"),
    "consecutive": gettext_lazy("Consecutive"),
    "intensifying": gettext_lazy("Intensifying"),
    "persistent": gettext_lazy("Persistent"),
    "diminishing": gettext_lazy("Diminishing"),
    "sporadic": gettext_lazy("Sporadic"),
    "oscillating": gettext_lazy("Oscillating"),
    "historical": gettext_lazy("Historical"),
}
PATTERN_HELP = {
    "new": gettext_lazy("Hot in the last month for the first time."),
    "consecutive": gettext_lazy("Hot in an unbroken run of the last months, never before."),
    "intensifying": gettext_lazy("Hot in nine months out of ten, and getting hotter."),
    "persistent": gettext_lazy("Hot in nine months out of ten, with no trend."),
    "diminishing": gettext_lazy("Hot in nine months out of ten, and cooling."),
    "sporadic": gettext_lazy("Hot now and then, including the last month; never cold."),
    "oscillating": gettext_lazy("Hot in the last month, cold at some time before."),
    "historical": gettext_lazy("Hot in nine months out of ten, but not in the last month."),
}

PAGES: dict[str, tuple[type[ScanForm], str, str]] = {
    "hotspots": (HotspotForm, "analytics/hotspots.html", "staff_analytics:hotspots"),
    "emerging": (EmergingForm, "analytics/emerging.html", "staff_analytics:emerging"),
    "knox": (NearRepeatForm, "analytics/near_repeats.html", "staff_analytics:near_repeats"),
    "repeats": (RepeatsForm, "analytics/repeats.html", "staff_analytics:repeats"),
    "evaluation": (EvaluationForm, "analytics/evaluation.html", "staff_analytics:evaluation"),
}
KIND_LABELS = {
    "hotspots": gettext_lazy("Hot spots"),
    "emerging": gettext_lazy("Emerging hot spots"),
    "knox": gettext_lazy("Near repeats"),
    "repeats": gettext_lazy("Repeat locations and victims"),
    "evaluation": gettext_lazy("Hot spot evaluation"),
    "recurring": gettext_lazy("Recurring concerns"),
}


def _url(name: str, **kwargs: Any) -> str:
    """The address of a page another part may not have built yet ("" until it exists)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _scope(request: HttpRequest) -> ScanScope:
    if not request.user.has_perm("analytics.use_scan"):
        raise PermissionDenied
    return scan_scope(request.user)


def _covers(scope: ScanScope, run: AnalysisRun) -> bool:
    """May the user see this run: its organisation, and its area if it has one."""
    return scope.covers(run.organisation_id, run_area_id(run))


# ----------------------------------------------------------------------------- maps


@dataclass(frozen=True)
class Frame:
    """An equirectangular frame (scaled by the cosine of the middle latitude) that maps
    latitude and longitude into an SVG box ``width`` pixels wide."""

    west: float
    north: float
    scale: float
    k: float
    width: int
    height: int
    pad: float = 4.0

    @classmethod
    def around(cls, extent: dict[str, float], width: int = MAP_WIDTH) -> Frame:
        k = math.cos(math.radians((extent["south"] + extent["north"]) / 2))
        span_x = max((extent["east"] - extent["west"]) * k, 1e-9)
        span_y = max(extent["north"] - extent["south"], 1e-9)
        pad = 4.0
        scale = (width - 2 * pad) / span_x
        height = int(span_y * scale + 2 * pad)
        return cls(extent["west"], extent["north"], scale, k, width, height, pad)

    def xy(self, lat: float, lng: float) -> tuple[float, float]:
        return (
            round(self.pad + (lng - self.west) * self.k * self.scale, 1),
            round(self.pad + (self.north - lat) * self.scale, 1),
        )

    def path(self, ring: list[list[float]] | list[tuple[float, float]]) -> str:
        points = [self.xy(lat, lng) for lat, lng in ring]
        return "M" + "L".join(f"{x},{y}" for x, y in points) + "Z"


def _study_areas(run: AnalysisRun) -> list[Area]:
    """The areas a run studied: its area, else its organisation's top-level areas."""
    query = query_of_run(run)
    areas = Area.objects.filter(organisation_id=query.organisation_id)
    if query.area_id is not None:
        return list(areas.filter(pk=query.area_id))
    return list(areas.filter(parent__isnull=True))


def _outline(frame: Frame, areas: list[Area]) -> str:
    """The boundaries of the study areas as one SVG path."""
    parts = []
    for area in areas:
        geometry = area.geometry
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in [polygon.exterior, *polygon.interiors]:
                parts.append(frame.path([(lat, lng) for lng, lat, *_ in ring.coords]))
    return "".join(parts)


def _frame(extent: dict[str, float] | None, areas: list[Area]) -> Frame | None:
    """The frame around the cells and the study areas (None with neither)."""
    boxes = [extent] if extent else []
    boxes += [
        {"south": a.min_lat, "north": a.max_lat, "west": a.min_lng, "east": a.max_lng}
        for a in areas
    ]
    if not boxes:
        return None
    return Frame.around(
        {
            "south": min(b["south"] for b in boxes),
            "north": max(b["north"] for b in boxes),
            "west": min(b["west"] for b in boxes),
            "east": max(b["east"] for b in boxes),
        }
    )


def _density_map(kde: dict[str, Any] | None, frame: Frame) -> dict[str, Any] | None:
    """The kernel density as rectangles (runs of equal class along each row), in five
    classes of equal width up to the maximum; the lowest fifth is left undrawn."""
    if not kde or not kde.get("max"):
        return None
    rows, cols = kde["rows"], kde["cols"]
    top = kde["max"]
    lat_step = (kde["north"] - kde["south"]) / rows
    lng_step = (kde["east"] - kde["west"]) / cols
    rects = []
    for r, values in enumerate(kde["density"]):
        classes = [min(4, int(5 * (v or 0) / top)) if v else -1 for v in values]
        start = 0
        for c in range(1, cols + 1):
            if c == cols or classes[c] != classes[start]:
                level = classes[start]
                if level >= 1:
                    x0, y0 = frame.xy(kde["north"] - r * lat_step, kde["west"] + start * lng_step)
                    x1, y1 = frame.xy(kde["north"] - (r + 1) * lat_step, kde["west"] + c * lng_step)
                    rects.append(
                        {
                            "x": x0,
                            "y": y0,
                            "w": round(x1 - x0 + 0.3, 1),
                            "h": round(y1 - y0 + 0.3, 1),
                            "fill": DENSITY_COLOURS[level],
                        }
                    )
                start = c
    legend = [
        {
            "fill": DENSITY_COLOURS[level],
            "low": round(top * level / 5, 1),
            "high": round(top * (level + 1) / 5, 1),
        }
        for level in range(1, 5)
    ]
    return {
        "rects": rects,
        "legend": legend,
        "radius": kde["radius_m"],
        "cell_size": kde["cell_size_m"],
        "max": round(top, 1),
    }


# Metres in a degree of latitude (the frame's unit of scale), on the mean Earth radius.
METRES_PER_DEGREE = math.radians(1) * 6_371_008.8
# Circles drawn smaller than this would be lost under their number.
MIN_CIRCLE_PX = 4.0
# The radius of the busiest repeat location; the others by area in proportion to count.
MAX_REPEAT_CIRCLE_PX = 16.0


def _points_extent(points: list[tuple[float, float, float]]) -> dict[str, float] | None:
    """The box around points given as (lat, lng, radius in metres), each padded by its
    radius so that its whole circle lies inside (None without points)."""
    if not points:
        return None
    boxes = []
    for lat, lng, radius in points:
        d_lat = radius / METRES_PER_DEGREE
        d_lng = d_lat / max(math.cos(math.radians(lat)), 1e-6)
        boxes.append((lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng))
    return {
        "south": min(b[0] for b in boxes),
        "north": max(b[1] for b in boxes),
        "west": min(b[2] for b in boxes),
        "east": max(b[3] for b in boxes),
    }


def _metres_to_px(frame: Frame, metres: float) -> float:
    return metres / METRES_PER_DEGREE * frame.scale


def _alert_map(run: AnalysisRun, alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The near-repeat alerts as circles of their risk radius around the alerted events,
    numbered as in the alerts table, over the study areas' outlines."""
    if not alerts:
        return None
    areas = _study_areas(run)
    frame = _frame(
        _points_extent([(a["lat"], a["lng"], float(a["radius"])) for a in alerts]), areas
    )
    if frame is None:
        return None
    circles = []
    for number, alert in enumerate(alerts, start=1):
        cx, cy = frame.xy(alert["lat"], alert["lng"])
        radius = max(_metres_to_px(frame, float(alert["radius"])), MIN_CIRCLE_PX)
        circles.append(
            {"number": number, "cx": cx, "cy": cy, "r": round(radius, 1), "alert": alert}
        )
    return {"frame": frame, "outline": _outline(frame, areas), "circles": circles}


def _repeat_location_map(run: AnalysisRun, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ranked repeat locations as circles whose area is in proportion to their count,
    numbered by rank as in the table (places without a point are left off)."""
    placed = [(rank, row) for rank, row in enumerate(rows, start=1) if row.get("lat") is not None]
    if not placed:
        return None
    areas = _study_areas(run)
    frame = _frame(_points_extent([(row["lat"], row["lng"], 0.0) for _r, row in placed]), areas)
    if frame is None:
        return None
    busiest = max(row["count"] for _r, row in placed) or 1
    circles = []
    for rank, row in placed:
        cx, cy = frame.xy(row["lat"], row["lng"])
        radius = max(MAX_REPEAT_CIRCLE_PX * math.sqrt(row["count"] / busiest), MIN_CIRCLE_PX)
        circles.append({"number": rank, "cx": cx, "cy": cy, "r": round(radius, 1), "row": row})
    return {"frame": frame, "outline": _outline(frame, areas), "circles": circles}


# ----------------------------------------------------------------------------- results


def _categories_label(query_categories: list[str]) -> str:
    if not query_categories:
        return _("all categories")
    concern_names = {c.code: c.label for c in Category.objects.filter(code__in=query_categories)}
    names = [concern_names.get(code) or incident_category_label(code) for code in query_categories]
    return ", ".join(names)


def _selection_context(run: AnalysisRun) -> dict[str, Any]:
    query = query_of_run(run)
    area = Area.objects.filter(pk=query.area_id).only("name").first() if query.area_id else None
    organisation = Organisation.objects.filter(pk=query.organisation_id).only("name").first()
    return {
        "source": SOURCE_LABELS.get(query.source, query.source),
        "categories": _categories_label(list(query.categories)),
        "area": area.name if area else (organisation.name if organisation else ""),
        "start": query.start,
        "end": query.end,
    }


def _priority_link(*, lat: float, lng: float, what: str, description: str) -> tuple[str, str]:
    """Where to take a hot spot to become a neighbourhood priority: the proposal form of
    the neighbourhood it lies in, with a suggested title and description that the proposer
    reads and edits before anything is sent. Returns (url, neighbourhood name); ("", "")
    when the place lies in no neighbourhood."""
    area = locate_neighbourhood(lat, lng)
    if area is None:
        return "", ""
    title = _("%(what)s hot spot in %(area)s") % {"what": what, "area": area.name}
    url = reverse("engagement:priority_propose", kwargs={"slug": area.slug})
    query = {"title": title[:PRIORITY_TITLE_CHARS], "description": description}
    return f"{url}?{urlencode(query)}", area.name


def _hex_shapes(rows: list[dict[str, Any]], frame: Frame, colour_of: Any) -> list[dict[str, Any]]:
    return [{"row": row, "path": frame.path(row["boundary"]), **colour_of(row)} for row in rows]


def _hotspots_context(run: AnalysisRun, selection: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    areas = _study_areas(run)
    frame = _frame(result.get("extent"), areas)
    rows = result.get("cells", [])
    significant = sorted(
        (row for row in rows if row["bin"] != 0), key=lambda row: (-row["bin"], -(row["z"] or 0))
    )
    what = selection["categories"].capitalize()
    for row in significant[:TABLE_ROWS]:
        row["in_table"] = True
        row["label"] = BIN_LABELS[row["bin"]]
        if row["bin"] > 0:
            description = _(
                "Scanning found a hot spot of %(what)s: %(count)s events from %(start)s to "
                "%(end)s in H3 cell %(cell)s (Gi* z = %(z)s, %(confidence)s%% confidence)."
            ) % {
                "what": selection["categories"],
                "count": row["count"],
                "start": selection["start"],
                "end": selection["end"],
                "cell": row["cell"],
                "z": row["z"],
                "confidence": row["confidence"],
            }
            row["priority_url"], row["neighbourhood"] = _priority_link(
                lat=row["lat"], lng=row["lng"], what=what, description=description
            )
    shapes = (
        _hex_shapes(
            rows,
            frame,
            lambda row: {"fill": BIN_COLOURS[row["bin"]], "label": BIN_LABELS[row["bin"]]},
        )
        if frame
        else []
    )
    summary = result.get("summary", {})
    legend = [
        {"fill": BIN_COLOURS[b], "label": BIN_LABELS[b], "count": summary.get(str(b), 0)}
        for b in range(3, -4, -1)
    ]
    return {
        "frame": frame,
        "shapes": shapes,
        "outline": _outline(frame, areas) if frame else "",
        "legend": legend,
        "significant": significant[:TABLE_ROWS],
        "significant_total": len(significant),
        "hot_total": sum(1 for row in significant if row["bin"] > 0),
        "density": _density_map(result.get("kde"), frame) if frame else None,
    }


def _pattern_of(code: str) -> tuple[str, bool]:
    pattern, _sep, side = code.rpartition("_")
    return pattern, side == "hot"


def _emerging_context(run: AnalysisRun, selection: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    areas = _study_areas(run)
    frame = _frame(result.get("extent"), areas)
    rows = result.get("cells", [])
    for row in rows:
        pattern, hot = _pattern_of(row["category"])
        row["pattern"] = pattern
        row["hot"] = hot
        row["label"] = (_("%(pattern)s hot spot") if hot else _("%(pattern)s cold spot")) % {
            "pattern": PATTERN_LABELS.get(pattern, pattern)
        }
    order = {code: i for i, code in enumerate(result.get("summary", {}))}
    rows.sort(key=lambda row: (order.get(row["category"], 99), -(row["count"] or 0)))
    for row in rows[:TABLE_ROWS]:
        row["in_table"] = True

    def colour(row: dict[str, Any]) -> dict[str, Any]:
        fill = PATTERN_COLOURS.get(row["pattern"], "#999999")
        return {
            "fill": fill if row["hot"] else f"url(#cold-{row['pattern']})",
            "label": row["label"],
        }

    legend = []
    for code, count in result.get("summary", {}).items():
        if not count or code == "none":
            continue
        pattern, hot = _pattern_of(code)
        legend.append(
            {
                "code": code,
                "pattern": pattern,
                "hot": hot,
                "fill": PATTERN_COLOURS.get(pattern, "#999999"),
                "label": (_("%(pattern)s hot spot") if hot else _("%(pattern)s cold spot"))
                % {"pattern": PATTERN_LABELS.get(pattern, pattern)},
                "help": PATTERN_HELP.get(pattern, ""),
                "count": count,
            }
        )
    return {
        "frame": frame,
        "shapes": _hex_shapes(rows, frame, colour) if frame else [],
        "outline": _outline(frame, areas) if frame else "",
        "legend": legend,
        "patterns": [{"pattern": p, "fill": c} for p, c in PATTERN_COLOURS.items()],
        "emerging_rows": rows[:TABLE_ROWS],
        "emerging_total": len(rows),
        "months": result.get("months", []),
        "monthly": list(
            zip(result.get("months", []), result.get("monthly_events", []), strict=False)
        ),
    }


def _knox_context(run: AnalysisRun, selection: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    table = result.get("knox", {})
    rows = []
    for r, label in enumerate(table.get("row_labels", [])):
        cells = []
        for c, _label in enumerate(table.get("col_labels", [])):
            p = table["p"][r][c]
            ratio = table["ratio"][r][c]
            mark = ""
            if p is not None and ratio is not None and ratio > 1:
                mark = "**" if p <= 0.01 else ("*" if p <= 0.05 else "")
            cells.append(
                {
                    "observed": table["observed"][r][c],
                    "expected": table["expected"][r][c],
                    "ratio": ratio,
                    "p": p,
                    "mark": mark,
                }
            )
        rows.append({"label": label, "cells": cells})
    alerts = result.get("alerts", [])
    for alert in alerts:
        alert["category_label"] = incident_category_label(alert["category"])
        neighbourhood = locate_neighbourhood(alert["lat"], alert["lng"])
        alert["neighbourhood"] = neighbourhood.name if neighbourhood else ""
    return {
        "knox_rows": rows,
        "col_labels": table.get("col_labels", []),
        "knox": table,
        "window": result.get("window"),
        "alerts": alerts,
        "alert_map": _alert_map(run, alerts),
        "month_precision": "month_precision" in result.get("warnings", []),
    }


def _category_names(mix: dict[str, int]) -> list[tuple[str, int]]:
    concern_names = {c.code: c.label for c in Category.objects.filter(code__in=list(mix))}
    return [
        (concern_names.get(code) or incident_category_label(code), n) for code, n in mix.items()
    ]


def _repeats_context(run: AnalysisRun, selection: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    for part in ("locations", "victims"):
        for row in result.get(part, {}).get("rows", []):
            row["category_names"] = _category_names(row.get("categories", {}))
    locations = result.get("locations")
    return {
        "locations": locations,
        # Repeat victims get no map: they are people, not places.
        "location_map": _repeat_location_map(run, (locations or {}).get("rows", [])),
        "victims": result.get("victims"),
    }


def _evaluation_context(run: AnalysisRun, selection: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    areas = _study_areas(run)
    frame = _frame(result.get("extent"), areas)
    rows = result.get("cells", [])
    for row in rows:
        row["label"] = BIN_LABELS[row["bin"]]
        row["count"] = row["count_before"]
    rows.sort(key=lambda row: -row["count_after"])
    for row in rows[:TABLE_ROWS]:
        row["in_table"] = True
    shapes = (
        _hex_shapes(
            rows, frame, lambda row: {"fill": BIN_COLOURS[row["bin"]], "label": row["label"]}
        )
        if frame
        else []
    )
    return {
        "frame": frame,
        "shapes": shapes,
        "outline": _outline(frame, areas) if frame else "",
        "hot_rows": rows[:TABLE_ROWS],
    }


CONTEXTS = {
    "hotspots": _hotspots_context,
    "emerging": _emerging_context,
    "knox": _knox_context,
    "repeats": _repeats_context,
    "evaluation": _evaluation_context,
}


def _query_string(run: AnalysisRun) -> str:
    """The page's GET parameters that ask for this run again."""
    query = query_of_run(run)
    pairs: list[tuple[str, str]] = []
    organisation = Organisation.objects.filter(pk=query.organisation_id).only("slug").first()
    if organisation is not None:
        pairs.append(("organisation", organisation.slug))
    pairs.append(("source", query.source))
    pairs += [("category", code) for code in query.categories]
    if query.area_id is not None:
        area = Area.objects.filter(pk=query.area_id).only("slug").first()
        if area is not None:
            pairs.append(("area", area.slug))
    if query.start:
        pairs.append(("start", query.start.isoformat()))
    if query.end:
        pairs.append(("end", query.end.isoformat()))
    pairs += [(name, str(value)) for name, value in run.parameters.get("params", {}).items()]
    return urlencode(pairs)


def _run_context(run: AnalysisRun) -> dict[str, Any]:
    context: dict[str, Any] = {
        "run": run,
        "kind_label": KIND_LABELS.get(run.kind, run.kind),
        "progress": run_progress(run),
        "running": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "page_url": "",
    }
    page = PAGES.get(run.kind)
    if page is not None and "query" in run.parameters:
        context["page_url"] = f"{reverse(page[2])}?{_query_string(run)}"
        context["result_template"] = f"analytics/_{run.kind}_result.html"
    if run.status == RunStatus.DONE and run.result is not None and run.kind in CONTEXTS:
        selection = _selection_context(run)
        context["selection"] = selection
        context["result"] = run.result
        context.update(CONTEXTS[run.kind](run, selection))
    return context


# ----------------------------------------------------------------------------- pages


@staff_view
@require_safe
def scan_home(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    runs = (
        AnalysisRun.objects.filter(organisation_id__in=[o.pk for o in scope.organisations])
        .defer("result")
        .order_by("-created_at")[: RECENT_RUNS * 4]
    )
    mine = [run for run in runs if _covers(scope, run)]
    return render(
        request,
        "analytics/home.html",
        {
            "runs": [
                {"run": run, "label": KIND_LABELS.get(run.kind, run.kind)}
                for run in mine[:RECENT_RUNS]
            ],
            "imports_url": _url("staff_analytics:imports"),
            "import_new_url": _url("staff_analytics:import_new"),
            "recurring_url": _url("staff_analytics:recurring"),
            "can_import": request.user.has_perm("analytics.import_incidents"),
        },
    )


def _analysis_page(request: HttpRequest, kind: str) -> HttpResponse:
    scope = _scope(request)
    form_class, template, _name = PAGES[kind]
    bound = bool(request.GET)
    form = form_class(request.GET if bound else None, user=request.user, scope=scope)
    context: dict[str, Any] = {
        "form": form,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "selection_fields": SELECTION_FIELDS,
    }
    status = 200
    if bound:
        if form.is_valid():
            run = run_analysis(
                kind=kind, query=form.event_query(), params=form.parameters(), user=request.user
            )
            run.refresh_from_db()
            if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
                return redirect("staff_analytics:run", pk=run.pk)
            context.update(_run_context(run))
        else:
            status = 400
    return render(request, template, context, status=status)


@staff_view
@require_safe
def hotspots(request: HttpRequest) -> HttpResponse:
    return _analysis_page(request, "hotspots")


@staff_view
@require_safe
def emerging(request: HttpRequest) -> HttpResponse:
    return _analysis_page(request, "emerging")


@staff_view
@require_safe
def near_repeats(request: HttpRequest) -> HttpResponse:
    return _analysis_page(request, "knox")


@staff_view
@require_safe
def repeats(request: HttpRequest) -> HttpResponse:
    return _analysis_page(request, "repeats")


@staff_view
@require_safe
def evaluation(request: HttpRequest) -> HttpResponse:
    return _analysis_page(request, "evaluation")


@staff_view
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    run = get_object_or_404(AnalysisRun, pk=pk)
    if not _covers(scope, run):
        raise PermissionDenied
    return render(request, "analytics/run.html", _run_context(run))
