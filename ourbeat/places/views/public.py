"""The resident's way in: find a neighbourhood, see its team and how to reach them."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ourbeat.places.forms import LocateForm
from ourbeat.places.models import Area, AreaLevel
from ourbeat.places.selectors import (
    locate_neighbourhood,
    neighbourhoods,
    neighbourhoods_by_district,
    police_services,
)
from ourbeat.places.svgmap import build_svg_map
from ourbeat.teams import selectors as team_selectors


def _map_config() -> dict[str, str]:
    return {
        "tileUrl": settings.OURBEAT_MAP_TILE_URL,
        "tileAttribution": settings.OURBEAT_MAP_TILE_ATTRIBUTION,
    }


def home(request: HttpRequest) -> HttpResponse:
    areas = list(neighbourhoods())
    features = [
        {
            "type": "Feature",
            "geometry": a.boundary,
            "properties": {"name": a.name, "url": a.get_absolute_url()},
        }
        for a in areas
    ]
    return render(
        request,
        "places/home.html",
        {
            "form": LocateForm(),
            "emergency_number": (
                police_services().values_list("emergency_number", flat=True).first() or "999"
            ),
            "districts": neighbourhoods_by_district(),
            "svg_map": build_svg_map(areas),
            "map_data": {**_map_config(), "features": features, "clickToLocate": True},
        },
    )


def neighbourhood_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "places/neighbourhood_list.html", {"districts": neighbourhoods_by_district()}
    )


def locate(request: HttpRequest) -> HttpResponse:
    """Coordinates in, neighbourhood out: ``?lat=&lng=`` redirects to the neighbourhood page."""
    form = LocateForm(request.GET or None)
    status = 200
    not_covered = False
    if form.is_valid():
        area = locate_neighbourhood(form.cleaned_data["lat"], form.cleaned_data["lng"])
        if area is not None:
            return redirect(area)
        not_covered = True
        status = 404
    elif request.GET:
        status = 400
    return render(
        request,
        "places/locate.html",
        {"form": form, "not_covered": not_covered, "districts": neighbourhoods_by_district()},
        status=status,
    )


def _neighbourhood_or_404(slug: str) -> Area:
    try:
        return Area.objects.select_related("organisation", "parent").get(
            slug=slug, level=AreaLevel.NEIGHBOURHOOD
        )
    except Area.DoesNotExist as error:
        raise Http404(_("No neighbourhood has that address.")) from error


_VERSION_SQL = (
    f"SELECT id, content_version FROM {Area._meta.db_table} "  # noqa: S608 (a model's table)
    "WHERE slug = %s AND level = %s"
)


def _cached_page(request: HttpRequest, slug: str, template: str, page: str) -> HttpResponse:
    """Render a neighbourhood page, serving anonymous visitors a copy cached per area, content
    version, language and day: every service that changes what the page shows bumps the
    version, so a cached copy is never stale."""
    # Every anonymous request makes this one read, cache hit or not; building it through the
    # ORM cost more than the rest of a cache hit, so it is written out (slug is unique).
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [slug, AreaLevel.NEIGHBOURHOOD.value])
        version = cursor.fetchone()
    if version is None:
        raise Http404(_("No neighbourhood has that address."))
    cacheable = not request.user.is_authenticated
    today = timezone.localdate()
    key = (
        f"public:{page}:{version[0]}:{version[1]}:{translation.get_language()}:{today.isoformat()}"
    )
    if cacheable:
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    area = _neighbourhood_or_404(slug)
    month, visibility = team_selectors.visibility_summary(area, today)
    context = {
        "area": area,
        "organisation": area.organisation,
        "team": list(team_selectors.current_assignments(area, today)),
        "upcoming": team_selectors.upcoming_occurrences(area, timezone.now()),
        "stations": team_selectors.stations(area),
        "visibility_month": month,
        "visibility": visibility,
        "today": today,
        "svg_map": build_svg_map([area], width=480),
        "map_data": {
            **_map_config(),
            "features": [
                {"type": "Feature", "geometry": area.boundary, "properties": {"name": area.name}}
            ],
            "clickToLocate": False,
        },
    }
    html = render_to_string(template, context, request=request)
    if cacheable:
        cache.set(key, html, settings.OURBEAT_PUBLIC_PAGE_CACHE_SECONDS)
    return HttpResponse(html)


def neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    return _cached_page(request, slug, "places/neighbourhood.html", "neighbourhood")


def team(request: HttpRequest, slug: str) -> HttpResponse:
    return _cached_page(request, slug, "teams/team.html", "team")


def healthz(request: HttpRequest) -> HttpResponse:
    """A fixed answer for load balancers (and the baseline of the page benchmark)."""
    return HttpResponse("ok", content_type="text/plain")
