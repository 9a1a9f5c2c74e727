"""Boundary files (GeoJSON and KML) and the checks every imported boundary must pass.

Parsing and checking are pure functions over bytes, so the manage command, the admin upload
and the demo town all go through the same gate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
import shapely
from defusedxml import DefusedXmlException, ElementTree
from django.utils.translation import gettext as _
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

KML_NS = "{http://www.opengis.net/kml/2.2}"


class BoundaryError(ValueError):
    """A boundary file or feature that cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class BoundaryFeature:
    name: str
    code: str
    geometry: BaseGeometry
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def geojson(self) -> dict[str, Any]:
        return dict(mapping(self.geometry))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _geojson_features(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or "type" not in document:
        raise BoundaryError([_('The file is JSON but not GeoJSON (no "type" member).')])
    kind = document["type"]
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise BoundaryError([_("The FeatureCollection has no list of features.")])
        if not features:
            raise BoundaryError([_("The FeatureCollection holds no features.")])
        return features
    if kind == "Feature":
        return [document]
    if kind in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    raise BoundaryError(
        [_("GeoJSON of type %(kind)s holds no boundaries.") % {"kind": str(kind)[:40]}]
    )


def _check_coordinates(geometry: BaseGeometry, label: str) -> list[str]:
    problems = []
    # GEOS ignores NaN when it computes bounds, so look at every coordinate.
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        problems.append(
            _("%(label)s: coordinates are not numbers (NaN or infinite).") % {"label": label}
        )
        return problems
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180):
        problems.append(
            _("%(label)s: longitude out of range (must be between -180 and 180).")
            % {"label": label}
        )
    if not (-90 <= min_y <= max_y <= 90):
        problems.append(
            _(
                "%(label)s: latitude out of range (must be between -90 and 90); are latitude "
                "and longitude swapped?"
            )
            % {"label": label}
        )
    return problems


def _to_polygonal(raw: Any, label: str) -> BaseGeometry:
    if raw is None:
        raise BoundaryError([_("%(label)s has no geometry.") % {"label": label}])
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = str(raw.get("type"))[:40] if isinstance(raw, dict) else type(raw).__name__
        raise BoundaryError(
            [
                _("%(label)s: a boundary must be a Polygon or MultiPolygon, not %(kind)s.")
                % {"label": label, "kind": kind}
            ]
        )
    try:
        with np.errstate(invalid="ignore"):  # NaN is reported by check_feature
            geometry = shape(raw)
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        GEOSException,
    ) as error:
        raise BoundaryError(
            [
                _("%(label)s: the coordinates are malformed (%(error)s).")
                % {"label": label, "error": error}
            ]
        ) from error
    return geometry


def parse_geojson(data: bytes) -> list[BoundaryFeature]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryError(
            [_("The file is not valid JSON: %(error)s") % {"error": error}]
        ) from error
    features = []
    problems = []
    for index, feature in enumerate(_geojson_features(document), start=1):
        if not isinstance(feature, dict):
            problems.append(_("Feature %(n)s is not an object.") % {"n": index})
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(_("Feature %(n)s: its properties are not an object.") % {"n": index})
            continue
        name = _text(props.get("name") or props.get("NAME") or props.get("Name"))
        label = _("Feature %(n)s (%(name)s)") % {"n": index, "name": name or "?"}
        try:
            geometry = _to_polygonal(feature.get("geometry"), label)
        except BoundaryError as error:
            problems.extend(error.problems)
            continue
        code = _text(props.get("code") or props.get("id") or feature.get("id"))
        features.append(BoundaryFeature(name=name, code=code, geometry=geometry, properties=props))
    if problems:
        raise BoundaryError(problems)
    return features


def _kml_ring(element: Any) -> list[tuple[float, float]]:
    coordinates = element.findtext(f".//{KML_NS}coordinates") or ""
    points = []
    for chunk in coordinates.split():
        parts = chunk.split(",")
        points.append((float(parts[0]), float(parts[1])))
    return points


def _kml_polygon(element: Any) -> Polygon:
    outer = element.find(f"{KML_NS}outerBoundaryIs")
    if outer is None:
        raise ValueError("polygon without outerBoundaryIs")
    holes = [_kml_ring(inner) for inner in element.findall(f"{KML_NS}innerBoundaryIs")]
    with np.errstate(invalid="ignore"):  # NaN is reported by check_feature
        return Polygon(_kml_ring(outer), holes)


def parse_kml(data: bytes) -> list[BoundaryFeature]:
    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException as error:
        raise BoundaryError(
            [
                _(
                    "The file's XML declares entities or external references (%(error)s); "
                    "they are refused for safety. Remove the DOCTYPE and try again."
                )
                % {"error": error}
            ]
        ) from error
    except Exception as error:  # defusedxml raises several types for hostile or broken XML
        raise BoundaryError(
            [_("The file is not valid KML: %(error)s") % {"error": error}]
        ) from error
    features = []
    problems = []
    for index, placemark in enumerate(root.iter(f"{KML_NS}Placemark"), start=1):
        name = _text(placemark.findtext(f"{KML_NS}name"))
        label = _("Placemark %(n)s (%(name)s)") % {"n": index, "name": name or "?"}
        properties: dict[str, Any] = {"name": name}
        for data_el in placemark.iter(f"{KML_NS}SimpleData"):
            properties[data_el.get("name", "")] = _text(data_el.text)
        for data_el in placemark.iter(f"{KML_NS}Data"):
            properties[data_el.get("name", "")] = _text(data_el.findtext(f"{KML_NS}value"))
        try:
            polygons = [_kml_polygon(p) for p in placemark.iter(f"{KML_NS}Polygon")]
        except (ValueError, IndexError, GEOSException) as error:
            problems.append(
                _("%(label)s: the coordinates are malformed (%(error)s).")
                % {"label": label, "error": error}
            )
            continue
        if not polygons:
            problems.append(_("%(label)s holds no polygon.") % {"label": label})
            continue
        geometry: BaseGeometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
        code = _text(properties.get("code") or properties.get("id") or placemark.get("id"))
        features.append(
            BoundaryFeature(name=name, code=code, geometry=geometry, properties=properties)
        )
    if problems:
        raise BoundaryError(problems)
    if not features:
        raise BoundaryError([_("The KML file holds no placemarks with polygons.")])
    return features


def parse_boundary_file(data: bytes, filename: str, *, max_bytes: int) -> list[BoundaryFeature]:
    """Read a GeoJSON or KML file (recognised by content, the name only breaks ties)."""
    if len(data) > max_bytes:
        raise BoundaryError(
            [
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": len(data), "limit": max_bytes}
            ]
        )
    if not data.strip():
        raise BoundaryError([_("The file is empty.")])
    head = data.lstrip()[:200].lower()
    if head.startswith(b"{") or filename.lower().endswith((".json", ".geojson")):
        return parse_geojson(data)
    if head.startswith(b"<") or filename.lower().endswith(".kml"):
        return parse_kml(data)
    raise BoundaryError([_("The file is neither GeoJSON nor KML.")])


def check_feature(feature: BoundaryFeature, index: int) -> list[str]:
    """Problems with one feature on its own: a name, sane coordinates, a valid polygon."""
    label = _("Feature %(n)s (%(name)s)") % {"n": index, "name": feature.name or "?"}
    problems = []
    if not feature.name:
        problems.append(_("%(label)s has no name.") % {"label": label})
    coordinate_problems = _check_coordinates(feature.geometry, label)
    problems.extend(coordinate_problems)
    if coordinate_problems:
        return problems
    # Validity before area: a symmetric bow-tie has a signed area of zero.
    if feature.geometry.is_empty:
        problems.append(_("%(label)s: the polygon is empty.") % {"label": label})
    elif not feature.geometry.is_valid:
        problems.append(
            _("%(label)s: the polygon is invalid (%(reason)s).")
            % {"label": label, "reason": explain_validity(feature.geometry)}
        )
    elif feature.geometry.area == 0:
        problems.append(_("%(label)s: the polygon is empty.") % {"label": label})
    return problems


def looks_swapped(geometry: BaseGeometry, extent: BaseGeometry) -> bool:
    """True when the geometry misses the extent but its mirror (x↔y) falls inside it."""
    if geometry.intersects(extent):
        return False
    mirrored = shapely.transform(geometry, lambda coords: coords[:, ::-1])
    return bool(mirrored.intersects(extent))


# H3 cells are bounded by great-circle arcs, but polygon filling treats their edges as
# straight lines in latitude and longitude: they differ by under a millimetre at resolution 9.
# The cover is computed with this margin (in degrees, about 10 cm) so that the index only
# ever errs on the safe side: a cell counts as overlapping when it comes this close, and as
# interior only when it stays this far inside.
H3_COVER_MARGIN = 1e-6


def _cells(geometry: BaseGeometry, resolution: int, contain: str) -> set[int]:
    if geometry.is_empty:
        return set()
    shape_ = h3.geo_to_h3shape(mapping(geometry))
    return {
        h3.str_to_int(c)
        for c in h3.h3shape_to_cells_experimental(shape_, resolution, contain=contain)
    }


def h3_cover(
    geometry: BaseGeometry, resolution: int, margin: float = H3_COVER_MARGIN
) -> tuple[set[int], set[int]]:
    """The H3 cells (as integers) that overlap the geometry, and those wholly inside it."""
    grown = geometry.buffer(margin, join_style="mitre") if margin else geometry
    shrunk = geometry.buffer(-margin, join_style="mitre") if margin else geometry
    overlap = _cells(grown, resolution, "overlap")
    full = _cells(shrunk, resolution, "full") & overlap
    return overlap, full


def point_cell(lat: float, lng: float, resolution: int) -> int:
    return int(h3.str_to_int(h3.latlng_to_cell(lat, lng, resolution)))


def valid_point(lat: float, lng: float) -> bool:
    return not (math.isnan(lat) or math.isnan(lng)) and -90 <= lat <= 90 and -180 <= lng <= 180
