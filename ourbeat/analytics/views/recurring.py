"""The staff page of recurring concerns: clusters of concerns that look like one problem
coming back, within the areas and the period chosen, on a map and in a table, each with a
way to propose a neighbourhood priority from it. Scanning roles only (partner staff and
oversight see nothing here); the concerns are those of the areas the user covers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ourbeat.analytics import recurring
from ourbeat.concerns.models import Category, Status
from ourbeat.core.staff import staff_view
from ourbeat.places.models import Area, AreaLevel
from ourbeat.places.svgmap import SvgMap, build_svg_map

MAP_WIDTH = 640
PRIORITY_TITLE_CHARS = 120


@dataclass(frozen=True)
class MapMark:
    number: int
    x: float
    y: float
    radius: float
    size: int


def _priority_link(cluster: recurring.RecurringCluster) -> tuple[str, bool]:
    """Where to take a cluster to become a neighbourhood priority, and whether that page is a
    form that takes the cluster's area, title and concerns (the staff priorities of
    ``engagement`` have no such form yet: until they do, the area's priorities)."""
    title = cluster.text[:PRIORITY_TITLE_CHARS]
    try:
        url = reverse("staff_engagement:priority_new")
    except NoReverseMatch:
        url = reverse("staff_engagement:priorities")
        return f"{url}?{urlencode({'area': cluster.area_slug})}", False
    query = {
        "area": cluster.area_slug,
        "title": title,
        "concerns": ",".join(member.reference for member in cluster.members),
    }
    return f"{url}?{urlencode(query)}", True


def _map(
    areas: list[Area], clusters: list[recurring.RecurringCluster]
) -> tuple[SvgMap, list[MapMark]]:
    """The neighbourhoods as SVG shapes, and one circle per cluster at the centre of its H3
    cell, sized by the number of concerns. The points are projected as ``build_svg_map``
    projects the shapes (equirectangular, scaled by the cosine of the mean latitude, padded
    by 4 pixels), which it does not expose."""
    svg = build_svg_map(areas, width=MAP_WIDTH)
    if not areas:
        return svg, []
    min_x = min(a.min_lng for a in areas)
    max_x = max(a.max_lng for a in areas)
    min_y = min(a.min_lat for a in areas)
    max_y = max(a.max_lat for a in areas)
    k = math.cos(math.radians((min_y + max_y) / 2))
    pad = 4
    scale = (MAP_WIDTH - 2 * pad) / max((max_x - min_x) * k, 1e-9)
    marks = []
    for number, cluster in enumerate(clusters, start=1):
        if not (min_x <= cluster.longitude <= max_x and min_y <= cluster.latitude <= max_y):
            continue
        marks.append(
            MapMark(
                number=number,
                x=round(pad + (cluster.longitude - min_x) * k * scale, 1),
                y=round(pad + (max_y - cluster.latitude) * scale, 1),
                radius=round(6 + 3 * math.sqrt(cluster.size - 1), 1),
                size=cluster.size,
            )
        )
    return svg, marks


@staff_view
@require_safe
def recurring_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("analytics.use_scan"):
        raise PermissionDenied
    user = request.user
    areas = list(recurring.scan_areas(user))
    categories = list(Category.objects.order_by("group", "order", "name"))
    errors: dict[str, list[str]] = {}
    clusters: list[recurring.RecurringCluster] = []
    query = None
    try:
        query = recurring.recurring_request(
            user=user,
            today=timezone.localdate(),
            area=request.GET.get("area", ""),
            start=request.GET.get("start") or None,
            end=request.GET.get("end") or None,
            category=request.GET.get("category", ""),
        )
    except ValidationError as error:
        errors = error.message_dict
    if query is not None:
        clusters = recurring.clusters_for(user, query)
    statuses = dict(Status.choices)
    rows: list[dict[str, Any]] = []
    for number, cluster in enumerate(clusters, start=1):
        link, is_form = _priority_link(cluster)
        rows.append(
            {
                "number": number,
                "cluster": cluster,
                "members": [
                    {"member": member, "status": statuses.get(member.status, member.status)}
                    for member in cluster.members
                ],
                "priority_url": link,
                "priority_form": is_form,
            }
        )
    within = query.area if query is not None else None
    neighbourhood_ids = [
        a.pk
        for a in areas
        if a.level == AreaLevel.NEIGHBOURHOOD
        and (
            within is None
            or (a.organisation_id == within.organisation_id and a.path.startswith(within.path))
        )
    ]
    map_areas = list(Area.objects.filter(pk__in=neighbourhood_ids).order_by("path"))
    svg_map, marks = _map(map_areas, clusters)
    return render(
        request,
        "analytics/recurring.html",
        {
            "areas": areas,
            "categories": categories,
            "query": query,
            "values": {
                "area": request.GET.get("area", "")[: recurring.MAX_PARAMETER_CHARS],
                "start": query.start.isoformat() if query else request.GET.get("start", "")[:10],
                "end": query.end.isoformat() if query else request.GET.get("end", "")[:10],
                "category": request.GET.get("category", "")[: recurring.MAX_PARAMETER_CHARS],
            },
            "errors": errors,
            "rows": rows,
            "svg_map": svg_map,
            "marks": marks,
            "window_days": recurring.WINDOW_DAYS,
            "max_days": recurring.MAX_PERIOD_DAYS,
        },
        status=400 if errors else 200,
    )
