"""Locating by point answers from an index held in memory, which follows the areas: a
boundary moved by an import, or a neighbourhood added, is what the very next lookup sees."""

from __future__ import annotations

from ourbeat.places.selectors import locate_neighbourhood
from tests.places.boundaries import EAST, MID, NORTH, SOUTH, WEST, Fresh, box, geojson


def test_a_point_follows_the_boundary_as_soon_as_an_import_moves_it(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(
        geojson(
            ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
            ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
        )
    )
    assert locate_neighbourhood(51.03, 4.055).code == "TS2"  # type: ignore[union-attr]
    moved = 4.06
    fresh.import_neighbourhoods(
        geojson(
            ("Westbank", "TS1", box(WEST, SOUTH, moved, NORTH)),
            ("Eastbank", "TS2", box(moved, SOUTH, EAST, NORTH)),
        )
    )
    assert locate_neighbourhood(51.03, 4.055).code == "TS1"  # type: ignore[union-attr]
    assert locate_neighbourhood(51.03, 4.065).code == "TS2"  # type: ignore[union-attr]


def test_a_new_neighbourhood_is_found_by_the_next_lookup(fresh: Fresh) -> None:
    assert locate_neighbourhood(51.03, 4.02) is None
    fresh.import_neighbourhoods(geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    assert locate_neighbourhood(51.03, 4.02).code == "TS1"  # type: ignore[union-attr]


def test_each_caller_gets_its_own_copy_of_the_neighbourhood(fresh: Fresh) -> None:
    fresh.import_neighbourhoods(geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    first = locate_neighbourhood(51.03, 4.02)
    assert first is not None
    first.name = "Changed by a caller"
    again = locate_neighbourhood(51.03, 4.02)
    assert again == first
    assert again is not None
    assert again.name == "Westbank"
    assert again.organisation == fresh.organisation
