"""Locate-by-point is exact against the boundary polygons: for random points, points on
shared edges and vertices, and points just either side of them, ``locate_neighbourhood``
gives the answer of a direct shapely test. A point on a shared edge or vertex goes to the
neighbourhood created first (the lowest id); points outside the town and invalid input get
None."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import intersects_xy

from ourbeat.places.models import Area
from ourbeat.places.selectors import locate_neighbourhood


def expected(neighbourhoods: list[Area], lat: float, lng: float) -> int | None:
    """The documented rule, by brute force: the lowest id among the neighbourhoods whose
    closed polygon (boundary included) holds the point."""
    holders = [n.pk for n in neighbourhoods if intersects_xy(n.geometry, lng, lat)]
    return min(holders) if holders else None


def located(lat: float, lng: float) -> int | None:
    area = locate_neighbourhood(lat, lng)
    return None if area is None else area.pk


def test_random_points_in_and_around_the_town_agree_with_shapely(town: Any) -> None:
    rng = random.Random(20240601)
    min_lng, min_lat, max_lng, max_lat = town.service.geometry.buffer(0.005).bounds
    inside = 0
    for _ in range(600):
        lat, lng = rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)
        answer = expected(town.neighbourhoods, lat, lng)
        assert located(lat, lng) == answer, (lat, lng)
        inside += answer is not None
    assert 250 < inside < 600  # the sample covers both the town and its surroundings


def test_arbitrary_points_agree_with_shapely(town: Any) -> None:
    neighbourhoods = town.neighbourhoods
    min_lng, min_lat, max_lng, max_lat = town.service.geometry.buffer(0.002).bounds

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(st.floats(min_lat, max_lat), st.floats(min_lng, max_lng))
    def agrees(lat: float, lng: float) -> None:
        assert located(lat, lng) == expected(neighbourhoods, lat, lng)

    agrees()


def test_every_vertex_of_every_boundary_goes_to_the_lowest_id_holding_it(town: Any) -> None:
    seen = set()
    shared = 0
    for area in town.neighbourhoods:
        for lng, lat in area.geometry.exterior.coords[::5]:
            if (lng, lat) in seen:
                continue
            seen.add((lng, lat))
            holders = [n.pk for n in town.neighbourhoods if intersects_xy(n.geometry, lng, lat)]
            assert area.pk in holders
            shared += len(holders) > 1
            assert located(lat, lng) == min(holders), (lat, lng, holders)
    assert shared > 30  # shared vertices were tested, not only the town's outer edge


def test_points_on_shared_edges_and_just_either_side_agree_with_shapely(town: Any) -> None:
    rng = random.Random(7)
    pairs = [
        (a, b)
        for i, a in enumerate(town.neighbourhoods)
        for b in town.neighbourhoods[i + 1 :]
        if a.geometry.intersection(b.geometry).length > 0
    ]
    assert len(pairs) >= 15
    for a, b in pairs:
        edge = a.geometry.intersection(b.geometry)
        for _ in range(3):
            point = edge.interpolate(rng.random(), normalized=True)
            for dx, dy in [(0, 0), (1e-9, 0), (-1e-9, 0), (0, 1e-9), (0, -1e-9)]:
                lat, lng = point.y + dy, point.x + dx
                answer = located(lat, lng)
                assert answer == expected(town.neighbourhoods, lat, lng), (lat, lng)
                if (dx, dy) == (0, 0) and answer is not None:
                    assert answer in (a.pk, b.pk)


def test_points_outside_the_town_are_in_no_neighbourhood(town: Any) -> None:
    min_lng, min_lat, max_lng, max_lat = town.service.geometry.bounds
    for lat, lng in [
        (min_lat - 0.001, (min_lng + max_lng) / 2),
        (max_lat + 0.01, min_lng),
        (51.5074, -0.1278),  # London
        (0.0, 0.0),
        (-33.86, 151.21),
    ]:
        assert locate_neighbourhood(lat, lng) is None


def test_invalid_coordinates_are_in_no_neighbourhood(town: Any) -> None:
    centre = town.home.geometry.representative_point()
    assert locate_neighbourhood(centre.y, centre.x) == town.home
    for lat, lng in [
        (math.nan, centre.x),
        (centre.y, math.nan),
        (math.inf, centre.x),
        (centre.y, -math.inf),
        (90.0001, centre.x),
        (centre.y, 180.5),
        (-91, -181),
        (centre.x, centre.y),  # swapped
    ]:
        assert locate_neighbourhood(lat, lng) is None
