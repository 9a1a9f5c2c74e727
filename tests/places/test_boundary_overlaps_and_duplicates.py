"""Neighbourhoods must not overlap and must have distinct names and codes, within the file
and against the areas already there; a refused file changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import Polygon

from ourbeat.core.geo import BoundaryError
from ourbeat.places.models import AreaLevel
from ourbeat.places.services import areas_import
from tests.places.boundaries import (
    EAST,
    MID,
    NORTH,
    SOUTH,
    WEST,
    Fresh,
    assert_refused,
    box,
    geojson,
    kml,
    snapshot,
)


def square_polygon(ring: list[tuple[float, float]]) -> Polygon:
    return Polygon(ring)


def test_two_neighbourhoods_overlapping_each_other_in_the_file_are_refused(fresh: Fresh) -> None:
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID + 0.01, NORTH)),
        ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    )
    assert_refused(fresh, data, "a.geojson", "Westbank and Eastbank overlap", "% of the smaller")


def test_a_neighbourhood_overlapping_an_existing_one_is_refused(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    data = kml(("Eastbank", "TS2", box(MID - 0.01, SOUTH, EAST, NORTH)))
    assert_refused(fresh, data, "a.kml", "Westbank and Eastbank overlap")


def test_neighbourhoods_that_only_share_an_edge_do_not_overlap(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    result = fresh.import_neighbourhoods(geojson(("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH))))
    assert [a.code for a in result.created] == ["TS2"]


def test_a_neighbourhood_overlapping_one_in_another_district_of_the_service_is_refused(
    town: Any,
) -> None:
    west, east = town.districts
    border = west.geometry.intersection(east.geometry)
    point = border.interpolate(0.5, normalized=True)
    square = box(point.x - 0.002, point.y - 0.002, point.x + 0.002, point.y + 0.002)
    before = snapshot()
    with pytest.raises(BoundaryError) as caught:
        areas_import(
            organisation=town.force,
            level=AreaLevel.NEIGHBOURHOOD,
            parent=west,
            data=geojson(("Interloper", "", square)),
            filename="a.geojson",
            actor=None,
        )
    message = " ".join(caught.value.problems)
    assert "and Interloper overlap" in message
    victims = [
        n.name
        for n in town.neighbourhoods
        if n.parent_id == east.pk and n.geometry.intersection(square_polygon(square)).area > 0
    ]
    assert victims
    assert all(f"{name} and Interloper overlap" in message for name in victims)
    assert snapshot() == before


def test_two_features_with_the_same_name_are_refused(fresh: Fresh) -> None:
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("westbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    )
    assert_refused(fresh, data, "a.geojson", "Features 1 and 2 have the same name, westbank")


def test_two_features_with_the_same_code_are_refused(fresh: Fresh) -> None:
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Eastbank", "TS1", box(MID, SOUTH, EAST, NORTH)),
    )
    assert_refused(fresh, data, "a.geojson", "Features 1 and 2 have the same code, TS1")


def test_a_new_feature_named_like_an_existing_neighbourhood_is_refused(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    data = geojson(("WESTBANK", "TS2", box(MID, SOUTH, EAST, NORTH)))
    assert_refused(fresh, data, "a.geojson", "An area named Westbank exists already")


def test_a_feature_with_the_code_of_an_area_of_another_level_is_refused(fresh: Fresh) -> None:
    # The service area is TS; codes are unique across the organisation's levels.
    data = geojson(("Westbank", "TS", box(WEST, SOUTH, MID, NORTH)))
    assert_refused(fresh, data, "a.geojson", "has the code TS, which Testshire", "has already")
