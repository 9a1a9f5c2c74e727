"""A map drawn on the server as SVG, so that finding a neighbourhood by clicking its shape
works with JavaScript off: every neighbourhood is a link."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ourbeat.places.models import Area


@dataclass(frozen=True)
class SvgShape:
    area: Area
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class SvgMap:
    width: int
    height: int
    shapes: list[SvgShape]


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    rings: list[list[tuple[float, float]]] = []
    for polygon in polygons:
        if isinstance(polygon, Polygon):
            rings.append(list(polygon.exterior.coords))
            rings.extend(list(interior.coords) for interior in polygon.interiors)
    return rings


def build_svg_map(areas: list[Area], width: int = 640) -> SvgMap:
    """Project the areas (equirectangular, scaled by the cosine of the mean latitude) into a
    box ``width`` pixels wide."""
    if not areas:
        return SvgMap(width, width // 2, [])
    min_x = min(a.min_lng for a in areas)
    max_x = max(a.max_lng for a in areas)
    min_y = min(a.min_lat for a in areas)
    max_y = max(a.max_lat for a in areas)
    k = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * k, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    pad = 4
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale) + 2 * pad

    def project(x: float, y: float) -> tuple[float, float]:
        return pad + (x - min_x) * k * scale, pad + (max_y - y) * scale

    shapes = []
    for area in areas:
        parts = []
        for ring in _rings(area.geometry):
            points = [project(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in points) + "Z")
        lx, ly = project(area.centre_lng, area.centre_lat)
        shapes.append(SvgShape(area, "".join(parts), round(lx, 1), round(ly, 1)))
    return SvgMap(width, height, shapes)
