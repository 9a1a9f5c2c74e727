"""Reads of areas shared by the pages and the APIs."""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from shapely import contains_xy
from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

from ourbeat.core.geo import point_cell, valid_point
from ourbeat.core.memo import MEMO_SECONDS
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


@dataclass
class _NeighbourhoodIndex:
    """The neighbourhoods' H3 cells in memory: cell → ((area id, wholly inside), …) in area
    id order, and the neighbourhoods themselves (with their organisation and district; no
    boundary), as of one version of the areas table."""

    version: tuple[Any, ...]
    cells: dict[int, tuple[tuple[int, bool], ...]]
    areas: dict[int, Area]
    loaded: float  # time.monotonic() when ``areas`` was read


_index: list[_NeighbourhoodIndex] = []  # this worker's index, once built
# Read on every call: it changes whenever an area is created, saved (``updated_at`` is
# ``auto_now``; a boundary import saves the area and rewrites its cells in one transaction)
# or deleted. One statement, written out: through the ORM it cost more than the lookup.
_AREAS_VERSION_SQL = f"SELECT COUNT(*), MAX(updated_at), SUM(id) FROM {Area._meta.db_table}"  # noqa: S608 (constant)


def _areas_version() -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_AREAS_VERSION_SQL)
        return tuple(cursor.fetchone())


def _neighbourhood_areas() -> dict[int, Area]:
    areas = (
        Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD)
        .select_related("organisation", "parent")
        .defer("boundary", "parent__boundary")
    )
    return {area.pk: area for area in areas}


def _neighbourhood_index() -> _NeighbourhoodIndex:
    """This worker's index, rebuilt when the areas' version changes. The neighbourhoods'
    organisations (whose changes the version does not see) are read again after
    ``MEMO_SECONDS``."""
    version = _areas_version()
    now = time.monotonic()
    index = _index[0] if _index else None
    if index is None or index.version != version:
        areas = _neighbourhood_areas()
        cells: dict[int, list[tuple[int, bool]]] = {}
        rows = (
            AreaCell.objects.filter(area__level=AreaLevel.NEIGHBOURHOOD)
            .order_by("area_id", "cell")
            .values_list("cell", "area_id", "interior")
        )
        for cell, area_id, interior in rows:
            if area_id in areas:  # an area created between the two reads waits for the next
                cells.setdefault(cell, []).append((area_id, interior))
        index = _NeighbourhoodIndex(
            version, {cell: tuple(found) for cell, found in cells.items()}, areas, now
        )
    elif now > index.loaded + MEMO_SECONDS:
        # The same version, so the same neighbourhoods: only their organisations may differ.
        areas = _neighbourhood_areas()
        if areas.keys() >= index.areas.keys():
            index = replace(index, areas=areas, loaded=now)
    _index[:] = [index]
    return index


def locate_neighbourhood(lat: float, lng: float) -> Area | None:
    """The neighbourhood whose boundary contains the point, exactly.

    The H3 index narrows the search to the areas overlapping the point's cell; a cell wholly
    inside one area answers at once, otherwise the boundary polygons decide. A point on an
    edge or vertex shared by two areas goes to the one created first (the lowest id). The
    cells are held in memory per version of the areas (``_neighbourhood_index``); each
    caller gets its own copy of the area.
    """
    if not valid_point(lat, lng):
        return None
    index = _neighbourhood_index()
    candidates = index.cells.get(point_cell(lat, lng, settings.OURBEAT_H3_RESOLUTION), ())
    for area_id, interior in candidates:
        if interior:
            return copy.copy(index.areas[area_id])
    point = Point(lng, lat)
    for area_id, _interior in candidates:
        area = index.areas[area_id]
        if _prepared_boundary(area_id, area.updated_at.isoformat()).intersects(point):
            return copy.copy(area)
    return None


def point_in_area(area: Area, lat: float, lng: float) -> bool:
    return bool(contains_xy(area.geometry, lng, lat))
