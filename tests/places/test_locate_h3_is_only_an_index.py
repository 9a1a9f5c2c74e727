"""The H3 cells only narrow the search: when a boundary cuts through a cell, the polygons
decide, so points on either side of the cut, a hair's breadth apart, each find their own
neighbourhood."""

from __future__ import annotations

import h3
from django.conf import settings

from ourbeat.places.models import AreaCell
from ourbeat.places.selectors import locate_neighbourhood
from tests.places.boundaries import EAST, NORTH, SOUTH, WEST, Fresh, geojson


def test_both_sides_of_a_boundary_that_cuts_through_an_h3_cell_answer_correctly(
    fresh: Fresh,
) -> None:
    resolution = settings.OURBEAT_H3_RESOLUTION
    cell = h3.latlng_to_cell(51.03, 4.05, resolution)
    centre_lat, centre_lng = h3.cell_to_latlng(cell)
    # A boundary with a notch: straight down the cell's centre line, then a kink inside it.
    cut = [
        (centre_lng, NORTH),
        (centre_lng, centre_lat + 0.0002),
        (centre_lng + 0.0003, centre_lat),
        (centre_lng, centre_lat - 0.0002),
        (centre_lng, SOUTH),
    ]
    west = [(WEST, SOUTH), *cut[::-1], (WEST, NORTH), (WEST, SOUTH)]
    east = [*cut, (EAST, SOUTH), (EAST, NORTH), cut[0]]
    result = fresh.import_neighbourhoods(
        geojson(("Westbank", "TS1", west), ("Eastbank", "TS2", east))
    )
    westbank, eastbank = result.created
    rows = AreaCell.objects.filter(cell=h3.str_to_int(cell), area__level="neighbourhood")
    assert sorted(rows.values_list("area_id", "interior")) == [
        (westbank.pk, False),
        (eastbank.pk, False),
    ]

    assert h3.latlng_to_cell(centre_lat, centre_lng - 1e-7, resolution) == cell
    assert locate_neighbourhood(centre_lat + 0.0003, centre_lng - 1e-7) == westbank
    assert locate_neighbourhood(centre_lat + 0.0003, centre_lng + 1e-7) == eastbank
    # Inside the kink: east of the centre line but still Westbank's.
    assert locate_neighbourhood(centre_lat, centre_lng + 0.0002) == westbank
    assert locate_neighbourhood(centre_lat, centre_lng + 0.0004) == eastbank
    # On the cut itself: the neighbourhood created first.
    assert locate_neighbourhood(centre_lat + 0.0003, centre_lng) == westbank


def test_a_cell_wholly_inside_a_neighbourhood_answers_from_the_index(fresh: Fresh) -> None:
    ring = [(WEST, SOUTH), (EAST, SOUTH), (EAST, NORTH), (WEST, NORTH), (WEST, SOUTH)]
    (area,) = fresh.import_neighbourhoods(geojson(("Everywhere", "TS1", ring))).created
    cell = h3.latlng_to_cell(51.03, 4.05, settings.OURBEAT_H3_RESOLUTION)
    assert AreaCell.objects.get(area=area, cell=h3.str_to_int(cell)).interior
    assert locate_neighbourhood(51.03, 4.05) == area
    assert locate_neighbourhood(51.03, WEST - 1e-7) is None
    assert locate_neighbourhood(51.03, WEST) == area
