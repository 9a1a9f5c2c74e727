"""Browsing public concerns: the filtered list (the primary view, no JavaScript needed), the
map's data aggregated by public H3 cell, and (in ``feeds.py``) the RSS and Atom feeds.
Everything here reads ``public_concerns()``: no reporter, no exact point."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

import h3
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from ourbeat.concerns.forms_browse import ConcernFilters, filters_from_request
from ourbeat.concerns.models import Category
from ourbeat.concerns.selectors import public_concerns, public_point

PAGE_SIZE = 25
MAP_MAX_AGE = 60  # seconds a browser or proxy may reuse the map data


def detail_url(reference: str) -> str:
    """The concern's public page (``concerns:detail``, on the reporting side)."""
    return reverse("concerns:detail", kwargs={"reference": reference})


def filtered_public_concerns(filters: ConcernFilters) -> Any:
    return filters.apply(public_concerns()).order_by("-created_at", "-pk")


def _query_without_page(request: HttpRequest) -> str:
    params = [(k, v) for k, v in request.GET.lists() if k != "page"]
    return urlencode([(k, item) for k, values in params for item in values])


def concern_list(request: HttpRequest) -> HttpResponse:
    """Public concerns, newest first, 25 a page, with a map of their public cells."""
    form, filters = filters_from_request(request.GET)
    paginator = Paginator(filtered_public_concerns(filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    items = [
        {
            "concern": concern,
            "url": detail_url(concern.reference),
            "point": None if concern.category.sensitive else public_point(concern),
        }
        for concern in page.object_list
    ]
    query = _query_without_page(request)
    map_url = reverse("concerns:map_data") + (f"?{query}" if query else "")
    return render(
        request,
        "concerns/list.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "query": query,
            "map_url": map_url,
            "rss_url": reverse("concerns:feed_rss") + (f"?{query}" if query else ""),
            "atom_url": reverse("concerns:feed_atom") + (f"?{query}" if query else ""),
            "map_config": {
                "tileUrl": settings.OURBEAT_MAP_TILE_URL,
                "tileAttribution": settings.OURBEAT_MAP_TILE_ATTRIBUTION,
                "dataUrl": map_url,
            },
        },
        status=200 if form.is_valid() else 400,
    )


def cell_features(filters: ConcernFilters) -> list[dict[str, Any]]:
    """One GeoJSON point per public H3 cell: its centre, the number of concerns and the
    number per status. Counted in the database (one grouped query over the indexed
    ``public_cell``), so the cost grows with the number of cells, not of concerns."""
    rows = (
        filters.apply(public_concerns())
        .filter(public_cell__isnull=False)
        .exclude(category_id__in=Category.objects.filter(sensitive=True).values("pk"))
        .order_by()
        .values("public_cell", "status")
        .annotate(n=Count("id"))
    )
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row["public_cell"] is not None:  # excluded by the query; this tells the type checker
            cells[row["public_cell"]][row["status"]] = row["n"]
    features = []
    for cell, statuses in sorted(cells.items()):
        index = h3.int_to_str(cell)
        lat, lng = h3.cell_to_latlng(index)
        features.append(
            {
                "type": "Feature",
                "id": index,
                "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
                "properties": {
                    "cell": index,
                    "count": sum(statuses.values()),
                    "statuses": dict(sorted(statuses.items())),
                },
            }
        )
    return features


def map_data(request: HttpRequest) -> HttpResponse:
    """The list's filters as a GeoJSON FeatureCollection of public cells (never exact
    points; sensitive categories left out), with an ETag and a short public max-age."""
    form, filters = filters_from_request(request.GET)
    if not form.is_valid():
        return HttpResponse(
            json.dumps({"detail": form.errors.get_json_data()}),
            content_type="application/json",
            status=400,
        )
    body = json.dumps(
        {"type": "FeatureCollection", "features": cell_features(filters)},
        separators=(",", ":"),
    ).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAP_MAX_AGE)
    return response
