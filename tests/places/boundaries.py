"""Helpers for the boundary import tests: a fresh police service to import into, boundary
files written on the fly, and the row counts that must not move when an import fails."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from ourbeat.core.geo import BoundaryError
from ourbeat.core.models import AuditEvent
from ourbeat.places.models import Area, AreaCell, AreaLevel, Organisation, OrganisationKind
from ourbeat.places.services import areas_import

Ring = Sequence[tuple[float, float]]  # (lng, lat), as GeoJSON and KML write them

# The fresh service: a box of about 7 km by 6.7 km in Flanders, far from the demo town.
WEST, EAST, SOUTH, NORTH = 4.00, 4.10, 51.00, 51.06
MID = 4.05


def box(west: float, south: float, east: float, north: float) -> list[tuple[float, float]]:
    """A box with a midpoint on its south edge (five vertices: not just a rectangle)."""
    return [
        (west, south),
        ((west + east) / 2, south),
        (east, south),
        (east, north),
        (west, north),
        (west, south),
    ]


def geojson(*features: tuple[str, str, Ring], **extra: Any) -> bytes:
    """A FeatureCollection of polygons from (name, code, ring)."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": name, "code": code, **extra},
                    "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
                }
                for name, code, ring in features
            ],
        }
    ).encode()


def kml(*features: tuple[str, str, Ring], doctype: str = "") -> bytes:
    placemarks = "".join(
        f"""
    <Placemark>
      <name>{name}</name>
      <ExtendedData><Data name="code"><value>{code}</value></Data></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        {" ".join(f"{x},{y},0" for x, y in ring)}
      </coordinates></LinearRing></outerBoundaryIs></Polygon>
    </Placemark>"""
        for name, code, ring in features
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n'
        f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{placemarks}\n'
        "</Document></kml>"
    ).encode()


@dataclass
class Fresh:
    """A police service of its own with a service area and one district, no neighbourhoods."""

    organisation: Organisation
    service: Area
    district: Area

    def import_neighbourhoods(self, data: bytes, filename: str = "areas.geojson") -> Any:
        return areas_import(
            organisation=self.organisation,
            level=AreaLevel.NEIGHBOURHOOD,
            parent=self.district,
            data=data,
            filename=filename,
            actor=None,
        )


@pytest.fixture
def fresh(town: Any) -> Fresh:
    organisation = Organisation.objects.create(
        kind=OrganisationKind.POLICE_SERVICE, name="Testshire Police", slug="testshire"
    )
    service = areas_import(
        organisation=organisation,
        level=AreaLevel.SERVICE,
        parent=None,
        data=geojson(("Testshire", "TS", box(WEST, SOUTH, EAST, NORTH))),
        filename="service.geojson",
        actor=None,
    ).created[0]
    district = areas_import(
        organisation=organisation,
        level=AreaLevel.DISTRICT,
        parent=service,
        data=geojson(("Testshire Central", "TSD", box(WEST, SOUTH, EAST, NORTH))),
        filename="district.geojson",
        actor=None,
    ).created[0]
    return Fresh(organisation=organisation, service=service, district=district)


def counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "cells": AreaCell.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def snapshot() -> dict[str, Any]:
    """Everything an import may change, to compare before and after a refused one."""
    return {
        "counts": counts(),
        "areas": sorted(
            Area.objects.values_list("pk", "name", "code", "slug", "parent_id", "path")
        ),
        "boundaries": sorted(
            (pk, json.dumps(b, sort_keys=True))
            for pk, b in Area.objects.values_list("pk", "boundary")
        ),
    }


def assert_refused(fresh: Fresh, data: bytes, filename: str, *expected: str) -> list[str]:
    """Import into the fresh district; it must fail naming each expected phrase, and leave
    every area, cell and audit event as it was."""
    before = snapshot()
    with pytest.raises(BoundaryError) as caught:
        fresh.import_neighbourhoods(data, filename)
    message = " | ".join(caught.value.problems)
    for phrase in expected:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert snapshot() == before
    return caught.value.problems
