"""Writes to organisations and areas. Every function here is one transaction with an audit
event; views, the admin and manage commands call these and nothing lower."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from ourbeat.core import audit
from ourbeat.core.geo import (
    BoundaryError,
    BoundaryFeature,
    check_feature,
    h3_cover,
    looks_swapped,
    parse_boundary_file,
)
from ourbeat.places.models import LEVEL_PARENT, Area, AreaCell, AreaLevel, Organisation

# Two boundaries may share edges; an overlap larger than this share of the smaller one is an
# error (it absorbs floating-point noise along shared edges, about a square metre).
OVERLAP_TOLERANCE = 1e-6


def _unique_slug(base: str, fallback: str, taken: set[str]) -> str:
    root = slugify(base) or slugify(fallback) or "area"
    slug, n = root[:70], 2
    while slug in taken or Area.objects.filter(slug=slug).exists():
        slug = f"{root[:70]}-{n}"
        n += 1
    taken.add(slug)
    return slug


def area_index(area: Area) -> int:
    """Rebuild the H3 cells of one area; returns how many cells it now has."""
    overlap, full = h3_cover(area.geometry, settings.OURBEAT_H3_RESOLUTION)
    AreaCell.objects.filter(area=area).delete()
    AreaCell.objects.bulk_create(
        [AreaCell(area=area, cell=cell, interior=cell in full) for cell in sorted(overlap)],
        batch_size=2000,
    )
    return len(overlap)


def _set_geometry(area: Area, geometry: BaseGeometry) -> None:
    area.boundary = dict(mapping(geometry))
    area.__dict__.pop("geometry", None)
    centre = geometry.representative_point()
    area.centre_lat, area.centre_lng = round(centre.y, 6), round(centre.x, 6)
    area.min_lng, area.min_lat, area.max_lng, area.max_lat = geometry.bounds


def _set_path(area: Area) -> None:
    prefix = area.parent.path if area.parent_id and area.parent else ""
    area.path = f"{prefix}{area.pk}/"


@dataclass
class ImportResult:
    created: list[Area]
    updated: list[Area]


def _extent_for(organisation: Organisation, parent: Area | None) -> BaseGeometry | None:
    if parent is not None:
        return parent.geometry.buffer(0.01)
    existing = [a.geometry for a in Area.objects.filter(organisation=organisation)]
    return unary_union(existing).envelope.buffer(0.05) if existing else None


def _check_overlaps(named: list[tuple[str, BaseGeometry]]) -> list[str]:
    from shapely import STRtree

    problems = []
    geometries = [g for _, g in named]
    tree = STRtree(geometries)
    for i, j in zip(*tree.query(geometries, predicate="intersects"), strict=True):
        if i >= j:
            continue
        overlap = geometries[i].intersection(geometries[j]).area
        smaller = min(geometries[i].area, geometries[j].area)
        if overlap > OVERLAP_TOLERANCE * smaller:
            problems.append(
                _("%(a)s and %(b)s overlap (%(share).1f%% of the smaller one).")
                % {"a": named[i][0], "b": named[j][0], "share": 100 * overlap / smaller}
            )
    return problems


def areas_import(
    *,
    organisation: Organisation,
    level: str,
    parent: Area | None,
    data: bytes,
    filename: str,
    actor: Any,
) -> ImportResult:
    """Import every boundary in a GeoJSON or KML file as areas of one level.

    An area whose code matches an existing area of the organisation at that level is updated
    (so re-importing a file changes nothing); the rest are created. Any problem in any feature
    rejects the whole file with every reason listed, and nothing is written.
    """
    features = parse_boundary_file(data, filename, max_bytes=settings.OURBEAT_BOUNDARY_MAX_BYTES)
    return areas_import_features(
        organisation=organisation,
        level=level,
        parent=parent,
        features=features,
        actor=actor,
        source=filename,
    )


def areas_import_features(
    *,
    organisation: Organisation,
    level: str,
    parent: Area | None,
    features: list[BoundaryFeature],
    actor: Any,
    source: str,
) -> ImportResult:
    problems: list[str] = []
    if level not in AreaLevel.values:
        raise BoundaryError([_("Unknown area level %(level)s.") % {"level": level}])
    expected_parent = LEVEL_PARENT[AreaLevel(level)]
    if expected_parent is None and parent is not None:
        problems.append(_("A service area cannot be part of another area."))
    if expected_parent is not None and (parent is None or parent.level != expected_parent):
        problems.append(
            _("A %(level)s must be part of a %(parent)s.")
            % {"level": AreaLevel(level).label, "parent": expected_parent.label}
        )
    if parent is not None and parent.organisation_id != organisation.pk:
        problems.append(_("The parent area belongs to another organisation."))
    for index, feature in enumerate(features, start=1):
        problems.extend(check_feature(feature, index))
    if problems:
        raise BoundaryError(problems)

    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for index, feature in enumerate(features, start=1):
        key = feature.name.casefold()
        if key in seen_names:
            problems.append(
                _("Features %(a)s and %(b)s have the same name, %(name)s.")
                % {"a": seen_names[key], "b": index, "name": feature.name}
            )
        seen_names[key] = index
        if feature.code:
            if feature.code in seen_codes:
                problems.append(
                    _("Features %(a)s and %(b)s have the same code, %(code)s.")
                    % {"a": seen_codes[feature.code], "b": index, "code": feature.code}
                )
            seen_codes[feature.code] = index

    extent = _extent_for(organisation, parent)
    if extent is not None:
        for index, feature in enumerate(features, start=1):
            if looks_swapped(feature.geometry, extent):
                problems.append(
                    _(
                        "Feature %(n)s (%(name)s) lies outside %(where)s, and would lie inside it "
                        "with latitude and longitude exchanged: the coordinates look swapped "
                        "(GeoJSON and KML give longitude first)."
                    )
                    % {"n": index, "name": feature.name, "where": parent or organisation}
                )
            elif not feature.geometry.intersects(extent):
                problems.append(
                    _("Feature %(n)s (%(name)s) lies outside %(where)s.")
                    % {"n": index, "name": feature.name, "where": parent or organisation}
                )
    if problems:
        raise BoundaryError(problems)

    existing = {a.code: a for a in Area.objects.filter(organisation=organisation, level=level)}
    # Codes are unique within an organisation across all levels.
    other_levels = dict(
        Area.objects.filter(organisation=organisation)
        .exclude(level=level)
        .values_list("code", "name")
    )
    for index, feature in enumerate(features, start=1):
        if feature.code and feature.code in other_levels:
            problems.append(
                _(
                    "Feature %(n)s (%(name)s) has the code %(code)s, which %(other)s of "
                    "%(organisation)s has already."
                )
                % {
                    "n": index,
                    "name": feature.name,
                    "code": feature.code,
                    "other": other_levels[feature.code],
                    "organisation": organisation,
                }
            )
    incoming_codes = {f.code for f in features if f.code}
    siblings = [(a.name, a.geometry) for code, a in existing.items() if code not in incoming_codes]
    for sibling_name, _geometry in siblings:
        if sibling_name.casefold() in seen_names:
            problems.append(_("An area named %(name)s exists already.") % {"name": sibling_name})
    problems.extend(_check_overlaps(siblings + [(f.name, f.geometry) for f in features]))
    if problems:
        raise BoundaryError(problems)

    try:
        return _write_areas(organisation, level, parent, features, existing, actor, source)
    except IntegrityError as error:
        raise BoundaryError(
            [
                _("The database refused the import (%(error)s); nothing was changed.")
                % {"error": error}
            ]
        ) from error


def _write_areas(
    organisation: Organisation,
    level: str,
    parent: Area | None,
    features: list[BoundaryFeature],
    existing: dict[str, Area],
    actor: Any,
    source: str,
) -> ImportResult:
    result = ImportResult(created=[], updated=[])
    taken: set[str] = set()
    with transaction.atomic():
        for feature in features:
            area = existing.get(feature.code) if feature.code else None
            if area is None:
                area = Area(
                    organisation=organisation,
                    level=level,
                    parent=parent,
                    code=feature.code,
                    slug=_unique_slug(feature.name, feature.code, taken),
                )
                result.created.append(area)
            else:
                area.parent = parent
                result.updated.append(area)
            area.name = feature.name
            props = feature.properties
            if str(props.get("population", "")).isdigit():
                area.population = int(props["population"])
            if props.get("description"):
                area.description = str(props["description"])
            _set_geometry(area, feature.geometry)
            area.save()
            if not area.code:
                area.code = f"{organisation.slug[:3].upper()}{area.pk}"
            _set_path(area)
            area.save(update_fields=["code", "path"])
            area_index(area)
        audit.record(
            "places.areas.import",
            actor=actor,
            obj=organisation,
            data={
                "source": source,
                "level": level,
                "parent": parent.pk if parent else None,
                "created": [a.pk for a in result.created],
                "updated": [a.pk for a in result.updated],
            },
        )
    return result


def area_touch(area_ids: list[int]) -> None:
    """Mark the public pages of these areas as changed (their cached copies go stale)."""
    Area.objects.filter(pk__in=area_ids).update(content_version=F("content_version") + 1)
