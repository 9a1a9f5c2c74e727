"""Importing good KML: placemarks become neighbourhoods, with their codes from ExtendedData."""

from __future__ import annotations

from ourbeat.places.models import Area
from tests.places.boundaries import EAST, MID, NORTH, SOUTH, WEST, Fresh, box, kml


def test_a_good_kml_file_creates_its_neighbourhoods(fresh: Fresh) -> None:
    data = kml(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    )
    result = fresh.import_neighbourhoods(data, "areas.kml")
    assert sorted((a.code, a.name) for a in result.created) == [
        ("TS1", "Westbank"),
        ("TS2", "Eastbank"),
    ]
    west = Area.objects.get(organisation=fresh.organisation, code="TS1")
    assert (west.min_lng, west.max_lng) == (WEST, MID)
    assert (west.min_lat, west.max_lat) == (SOUTH, NORTH)


def test_kml_is_recognised_by_its_content_whatever_the_file_is_called(fresh: Fresh) -> None:
    data = kml(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)))
    assert [a.code for a in fresh.import_neighbourhoods(data, "upload.txt").created] == ["TS1"]


def test_reimporting_a_kml_file_changes_nothing(fresh: Fresh) -> None:
    data = kml(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)))
    fresh.import_neighbourhoods(data, "areas.kml")
    before = sorted(Area.objects.values_list("pk", "name", "code", "slug", "boundary"))
    result = fresh.import_neighbourhoods(data, "areas.kml")
    assert result.created == []
    assert [a.code for a in result.updated] == ["TS1"]
    assert sorted(Area.objects.values_list("pk", "name", "code", "slug", "boundary")) == before
