"""The demo town's boundaries: about twelve plausible, non-rectangular neighbourhoods in
two districts that tile the town without gaps or overlaps, each district the union of its
neighbourhoods; the same seed gives the same town, another seed another town."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from ourbeat.demo.town import DemoTown, generate

SEED = 1829
TODAY = date(2025, 3, 14)
# Areas here are in square degrees; 1e-9 is about 7 square metres at Millbrook's latitude.
TINY = 1e-9


@pytest.fixture(scope="module")
def town() -> DemoTown:
    return generate(SEED, TODAY)


def vertices(geometry: BaseGeometry) -> set[tuple[float, float]]:
    return {tuple(c) for c in shapely.get_coordinates(geometry)}


def test_the_town_has_about_twelve_neighbourhoods_in_two_districts(town: DemoTown) -> None:
    assert 10 <= len(town.neighbourhoods) <= 14
    assert len(town.districts) == 2
    names = {n.district for n in town.neighbourhoods}
    assert names == {d.name for d in town.districts}
    for district in town.districts:
        assert sum(n.district == district.name for n in town.neighbourhoods) >= 3
    assert len({n.name for n in town.neighbourhoods}) == len(town.neighbourhoods)
    assert len({n.code for n in town.neighbourhoods}) == len(town.neighbourhoods)


def test_every_neighbourhood_is_a_valid_non_rectangular_polygon(town: DemoTown) -> None:
    for area in town.neighbourhoods:
        geometry = area.geometry
        assert geometry.geom_type == "Polygon", area.name
        assert geometry.is_valid, area.name
        assert len(vertices(geometry)) > 4, area.name
        assert not geometry.equals(geometry.envelope), area.name
        assert geometry.area < 0.9 * geometry.envelope.area, area.name


def test_the_neighbourhoods_tile_the_town_without_gaps(town: DemoTown) -> None:
    service = town.service.geometry
    union = shapely.union_all([n.geometry for n in town.neighbourhoods])
    assert service.is_valid
    assert service.geom_type == "Polygon"
    assert abs(union.area - service.area) < TINY
    assert service.symmetric_difference(union).area < TINY
    assert abs(sum(n.geometry.area for n in town.neighbourhoods) - service.area) < TINY


def test_no_two_neighbourhoods_overlap(town: DemoTown) -> None:
    neighbours = 0
    for a, b in combinations(town.neighbourhoods, 2):
        assert a.geometry.intersection(b.geometry).area < TINY, (a.name, b.name)
        neighbours += a.geometry.touches(b.geometry) or a.geometry.intersects(b.geometry)
    assert neighbours >= len(town.neighbourhoods)  # they meet along shared edges


def test_each_district_is_the_union_of_its_neighbourhoods(town: DemoTown) -> None:
    for district in town.districts:
        members = [n.geometry for n in town.neighbourhoods if n.district == district.name]
        union = shapely.union_all(members)
        assert district.geometry.is_valid
        assert district.geometry.symmetric_difference(union).area < TINY
    first, second = (d.geometry for d in town.districts)
    assert first.intersection(second).area < TINY
    assert abs(first.area + second.area - town.service.geometry.area) < TINY


def test_the_same_seed_gives_the_same_town(town: DemoTown) -> None:
    again = generate(SEED, TODAY)
    for one, other in zip(
        [town.service, *town.districts, *town.neighbourhoods],
        [again.service, *again.districts, *again.neighbourhoods],
        strict=True,
    ):
        assert (one.name, one.code, one.district, one.population) == (
            other.name,
            other.code,
            other.district,
            other.population,
        )
        assert shapely.equals_exact(one.geometry, other.geometry, tolerance=0)
    assert [(p.name, p.email, p.areas) for p in town.people] == [
        (p.name, p.email, p.areas) for p in again.people
    ]


def test_another_seed_gives_another_town(town: DemoTown) -> None:
    other = generate(SEED + 1, TODAY)
    assert not town.service.geometry.equals(other.service.geometry)
    assert [n.name for n in town.neighbourhoods] != [n.name for n in other.neighbourhoods]
    assert (
        abs(
            shapely.union_all([n.geometry for n in other.neighbourhoods]).area
            - other.service.geometry.area
        )
        < TINY
    )


def test_the_town_has_about_forty_people_with_profiles(town: DemoTown) -> None:
    assert 30 <= len(town.people) <= 50
    codes = {n.code for n in town.neighbourhoods}
    assert {c for p in town.people for c in p.areas} >= codes  # every neighbourhood staffed
    for person in town.people:
        assert person.name
        assert person.rank
        assert len(person.bio) > 40
        assert "en" in person.languages
        assert person.started_on <= TODAY
    assert len({p.email for p in town.people}) == len(town.people)
