"""Reads of areas shared by the pages and the APIs."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from django.conf import settings
from django.db.models import QuerySet
from shapely import contains_xy
from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

from ourbeat.core.geo import point_cell, valid_point
from ourbeat.places.models import Area, AreaCell, AreaLevel, Organisation


def police_services() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind="police_service").order_by("name")


def neighbourhoods(organisation: Organisation | None = None) -> QuerySet[Area]:
    qs = Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD).select_related("parent", "organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("parent__name", "name")


def neighbourhoods_by_district() -> OrderedDict[Area | None, list[Area]]:
    grouped: OrderedDict[Area | None, list[Area]] = OrderedDict()
    for area in neighbourhoods().defer("boundary"):
        grouped.setdefault(area.parent, []).append(area)
    return grouped


@lru_cache(maxsize=4096)
def _prepared_boundary(area_id: int, stamp: str) -> PreparedGeometry:
    """The prepared polygon of an area, cached per version (``updated_at`` changes with
    every save, so a changed boundary is never answered from the cache)."""
    boundary = Area.objects.values_list("boundary", flat=True).get(pk=area_id)
    return prep(shape(boundary))


def locate_neighbourhood(lat: float, lng: float) -> Area | None:
    """The neighbourhood whose boundary contains the point, exactly.

    The H3 index narrows the search to the areas overlapping the point's cell; a cell wholly
    inside one area answers at once, otherwise the boundary polygons decide. A point on an
    edge or vertex shared by two areas goes to the one created first (the lowest id).
    """
    if not valid_point(lat, lng):
        return None
    cell = point_cell(lat, lng, settings.OURBEAT_H3_RESOLUTION)
    rows = list(
        AreaCell.objects.filter(cell=cell, area__level=AreaLevel.NEIGHBOURHOOD)
        .select_related("area", "area__organisation", "area__parent")
        .defer("area__boundary", "area__parent__boundary")
        .order_by("area_id")
    )
    for row in rows:
        if row.interior:
            return row.area
    point = Point(lng, lat)
    for row in rows:
        if _prepared_boundary(row.area_id, row.area.updated_at.isoformat()).intersects(point):
            return row.area
    return None


def point_in_area(area: Area, lat: float, lng: float) -> bool:
    return bool(contains_xy(area.geometry, lng, lat))
