"""Events outside every area of the organisation (a police.uk archive of a wider force, say)
bring their own extent into the study area, empty cells included: the cells between them
count as zeros, as the cells of the organisation's areas do."""

from __future__ import annotations

import math
from datetime import timedelta

import h3
import pytest

from ourbeat.analytics.analyses import hotspot_analysis
from ourbeat.analytics.events import EventQuery
from tests.analytics.test_analysis_hotspots import (
    EAST,
    NORTH,
    SOUTH,
    START,
    WEST,
    organisation_with_area,
    plant,
)

pytestmark = pytest.mark.django_db

# A ring of events some 15 km north of the organisation's only area, around an empty middle.
FAR_CENTRE = (52.15, -1.0)
FAR_RADIUS = 0.01


def test_the_empty_middle_of_events_outside_every_area_is_in_the_universe() -> None:
    organisation, _area = organisation_with_area()
    inside_lats = [SOUTH + (NORTH - SOUTH) * f for f in (0.3, 0.5, 0.7)]
    inside_lngs = [WEST + (EAST - WEST) * f for f in (0.3, 0.5, 0.7)]
    ring = [
        (
            FAR_CENTRE[0] + FAR_RADIUS * math.sin(2 * math.pi * k / 40),
            FAR_CENTRE[1] + 1.6 * FAR_RADIUS * math.cos(2 * math.pi * k / 40),
        )
        for k in range(40)
    ]
    lats = inside_lats + [lat for lat, _lng in ring]
    lngs = inside_lngs + [lng for _lat, lng in ring]
    plant(organisation, lats, lngs, [START] * len(lats))
    query = EventQuery(
        organisation_id=organisation.pk,
        categories=("burglary",),
        start=START,
        end=START + timedelta(days=30),
    )

    result = hotspot_analysis(query, {"resolution": 9, "rings": 1, "permutations": 0, "seed": None})

    area_cells = {
        h3.str_to_int(c)
        for c in h3.polygon_to_cells(
            h3.LatLngPoly([(SOUTH, WEST), (SOUTH, EAST), (NORTH, EAST), (NORTH, WEST)]), 9
        )
    }
    ring_interior = {h3.str_to_int(c) for c in h3.polygon_to_cells(h3.LatLngPoly(ring), 9)}
    event_cells = {
        h3.str_to_int(h3.latlng_to_cell(lat, lng, 9)) for lat, lng in zip(lats, lngs, strict=True)
    }
    # The interior of the ring holds no event, yet all of it belongs to the study area.
    assert ring_interior - event_cells
    assert result["universe"]["cells"] >= len(area_cells | ring_interior | event_cells)
    assert result["universe"]["events_counted"] == len(lats)
