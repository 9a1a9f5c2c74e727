"""Boundaries that are not sane polygons are refused with a message naming the problem, and
change nothing: a bow-tie, swapped latitude and longitude, coordinates out of range or NaN."""

from __future__ import annotations

import json

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
)


def swapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(lat, lng) for lng, lat in ring]


def test_a_self_intersecting_bow_tie_polygon_is_refused_and_says_where(fresh: Fresh) -> None:
    bow_tie = [(WEST, SOUTH), (MID, NORTH), (MID, SOUTH), (WEST, NORTH), (WEST, SOUTH)]
    assert_refused(
        fresh, geojson(("Bow Tie", "TS1", bow_tie)), "a.geojson", "Bow Tie", "Self-intersection"
    )


def test_a_self_intersecting_kml_polygon_is_refused(fresh: Fresh) -> None:
    bow_tie = [(WEST, SOUTH), (MID, NORTH), (MID, SOUTH), (WEST, NORTH), (WEST, SOUTH)]
    assert_refused(fresh, kml(("Bow Tie", "TS1", bow_tie)), "a.kml", "Self-intersection")


def test_a_file_with_swapped_latitude_and_longitude_is_rejected_and_names_the_problem(
    fresh: Fresh,
) -> None:
    data = geojson(("Westbank", "TS1", swapped(box(WEST, SOUTH, MID, NORTH))))
    assert_refused(fresh, data, "a.geojson", "Westbank", "look swapped", "longitude first")


def test_a_kml_file_with_swapped_coordinates_is_rejected(fresh: Fresh) -> None:
    data = kml(("Westbank", "TS1", swapped(box(WEST, SOUTH, MID, NORTH))))
    assert_refused(fresh, data, "a.kml", "look swapped")


def test_a_boundary_far_from_the_service_that_is_not_swapped_is_refused_as_outside(
    fresh: Fresh,
) -> None:
    data = geojson(("Elsewhere", "TS1", box(10.0, 45.0, 10.01, 45.01)))
    problems = assert_refused(fresh, data, "a.geojson", "Elsewhere", "lies outside")
    assert "swapped" not in problems[0]


def test_a_latitude_out_of_range_is_refused_and_suggests_a_swap(fresh: Fresh) -> None:
    data = geojson(("Far North", "TS1", box(WEST, 91.0, EAST, 92.0)))
    assert_refused(fresh, data, "a.geojson", "latitude out of range", "swapped")


def test_a_longitude_out_of_range_is_refused(fresh: Fresh) -> None:
    data = kml(("Far East", "TS1", box(181.0, SOUTH, 182.0, NORTH)))
    assert_refused(fresh, data, "a.kml", "Far East", "longitude out of range")


def test_a_nan_coordinate_is_refused(fresh: Fresh) -> None:
    # Python's json module accepts the literal NaN, as do some GIS exports.
    ring = json.dumps(box(WEST, SOUTH, MID, NORTH)).replace(str(MID), "NaN", 1)
    data = (
        '{"type": "Feature", "properties": {"name": "Westbank"}, '
        f'"geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}'
    ).encode()
    assert b"NaN" in data
    assert_refused(fresh, data, "a.geojson", "Westbank", "not numbers (NaN or infinite)")


def test_an_infinite_coordinate_is_refused(fresh: Fresh) -> None:
    ring = json.dumps(box(WEST, SOUTH, MID, NORTH)).replace(str(NORTH), "Infinity")
    data = (
        '{"type": "Feature", "properties": {"name": "Westbank"}, '
        f'"geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}'
    ).encode()
    assert_refused(fresh, data, "a.geojson", "not numbers (NaN or infinite)")


def test_a_nan_coordinate_in_kml_is_refused(fresh: Fresh) -> None:
    data = kml(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))).replace(
        str(MID).encode(), b"nan", 1
    )
    assert_refused(fresh, data, "a.kml", "not numbers")


def test_text_where_a_kml_coordinate_should_be_is_refused(fresh: Fresh) -> None:
    data = kml(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))).replace(
        str(MID).encode(), b"east", 1
    )
    assert_refused(fresh, data, "a.kml", "Westbank", "coordinates are malformed")


def test_a_polygon_with_too_few_points_is_refused(fresh: Fresh) -> None:
    data = geojson(("Sliver", "TS1", [(WEST, SOUTH), (MID, NORTH)]))
    assert_refused(fresh, data, "a.geojson", "Sliver", "coordinates are malformed")


def test_a_feature_without_a_name_is_refused(fresh: Fresh) -> None:
    assert_refused(
        fresh, geojson(("", "TS1", box(WEST, SOUTH, MID, NORTH))), "a.geojson", "no name"
    )
