"""Importing good GeoJSON: new neighbourhoods are created with their H3 index and one audit
event; importing the same file again, or the demo town's own boundaries, changes nothing."""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import shape

from ourbeat.core.models import AuditEvent
from ourbeat.places.models import Area, AreaCell, AreaLevel
from ourbeat.places.selectors import locate_neighbourhood
from ourbeat.places.services import areas_import
from tests.places.boundaries import EAST, MID, NORTH, SOUTH, WEST, Fresh, box, counts, geojson

TWO = geojson(
    ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
    ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    population="4200",
)


def test_a_good_geojson_file_creates_its_neighbourhoods_inside_the_district(
    fresh: Fresh,
) -> None:
    before = counts()
    result = fresh.import_neighbourhoods(TWO)
    assert [a.name for a in result.created] == ["Westbank", "Eastbank"]
    assert result.updated == []
    west = Area.objects.get(organisation=fresh.organisation, code="TS1")
    assert west.level == AreaLevel.NEIGHBOURHOOD
    assert west.parent == fresh.district
    assert west.path == f"{fresh.district.path}{west.pk}/"
    assert west.population == 4200
    assert west.geometry.equals(
        shape({"type": "Polygon", "coordinates": [box(WEST, SOUTH, MID, NORTH)]})
    )
    assert AreaCell.objects.filter(area=west, interior=True).exists()
    after = counts()
    assert after["areas"] == before["areas"] + 2
    assert after["audit events"] == before["audit events"] + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == "places.areas.import"
    assert sorted(event.data["created"]) == sorted(a.pk for a in result.created)


def test_a_point_in_a_new_neighbourhood_is_located_there(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(TWO)
    assert locate_neighbourhood(51.03, 4.02).code == "TS1"  # type: ignore[union-attr]
    assert locate_neighbourhood(51.03, 4.08).code == "TS2"  # type: ignore[union-attr]


def test_importing_the_same_file_again_updates_by_code_and_creates_nothing(
    fresh: Fresh,
) -> None:
    fresh.import_neighbourhoods(TWO)
    rows = sorted(Area.objects.values_list("pk", "name", "code", "slug", "boundary"))
    cells = sorted(AreaCell.objects.values_list("area_id", "cell", "interior"))
    area_count = Area.objects.count()
    result = fresh.import_neighbourhoods(TWO)
    assert result.created == []
    assert sorted(a.code for a in result.updated) == ["TS1", "TS2"]
    assert Area.objects.count() == area_count
    assert sorted(Area.objects.values_list("pk", "name", "code", "slug", "boundary")) == rows
    assert sorted(AreaCell.objects.values_list("area_id", "cell", "interior")) == cells


def test_a_changed_boundary_is_updated_in_place_with_a_new_index(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(TWO)
    west = Area.objects.get(organisation=fresh.organisation, code="TS1")
    moved = 4.06
    fresh.import_neighbourhoods(
        geojson(
            ("Westbank", "TS1", box(WEST, SOUTH, moved, NORTH)),
            ("Eastbank", "TS2", box(moved, SOUTH, EAST, NORTH)),
        )
    )
    west.refresh_from_db()
    assert west.max_lng == moved
    assert locate_neighbourhood(51.03, 4.055).code == "TS1"  # type: ignore[union-attr]


def test_reimporting_the_demo_towns_own_boundaries_changes_nothing(town: Any) -> None:
    rows = sorted(Area.objects.values_list("pk", "name", "code", "slug", "parent_id", "boundary"))
    cells = sorted(AreaCell.objects.values_list("area_id", "cell", "interior"))
    for district in town.districts:
        members = [n for n in town.neighbourhoods if n.parent_id == district.pk]
        data = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": n.name, "code": n.code},
                        "geometry": n.boundary,
                    }
                    for n in members
                ],
            }
        ).encode()
        result = areas_import(
            organisation=town.force,
            level=AreaLevel.NEIGHBOURHOOD,
            parent=district,
            data=data,
            filename="millbrook.geojson",
            actor=None,
        )
        assert result.created == []
        assert sorted(a.pk for a in result.updated) == sorted(n.pk for n in members)
    after = sorted(Area.objects.values_list("pk", "name", "code", "slug", "parent_id", "boundary"))
    assert after == rows
    assert sorted(AreaCell.objects.values_list("area_id", "cell", "interior")) == cells
