"""Repeat locations and victims over the database: the place with most incidents first,
named as the data names it and placed only by its cell, and the victim with most incidents
first, by pseudonymous key only."""

from __future__ import annotations

from datetime import date, timedelta

import h3
import numpy as np
import pytest

from ourbeat.analytics.analyses import repeats_analysis
from ourbeat.analytics.events import EventQuery
from ourbeat.analytics.keys import location_keys, victim_keys
from ourbeat.analytics.models import Incident
from tests.analytics.test_analysis_hotspots import (
    EAST,
    NORTH,
    SOUTH,
    WEST,
    organisation_with_area,
    plant,
)

pytestmark = pytest.mark.django_db

PUB = (52.0012, -0.9931)


def test_the_busiest_place_and_the_most_victimised_person_come_first() -> None:
    organisation, _area = organisation_with_area()
    rng = np.random.default_rng(3)
    start = date(2024, 1, 1)
    lats = rng.uniform(SOUTH, NORTH, 50).tolist() + [PUB[0]] * 6
    lngs = rng.uniform(WEST, EAST, 50).tolist() + [PUB[1]] * 6
    days = [start + timedelta(days=int(d)) for d in rng.integers(0, 300, 56)]
    plant(organisation, lats, lngs, days)
    pub_key = location_keys([PUB[0]], [PUB[1]])[0]
    Incident.objects.filter(organisation=organisation, location_key=pub_key).update(
        location_text="On or near The Crown"
    )
    victim = victim_keys(["REF-0042"])[0]
    three = Incident.objects.filter(organisation=organisation).exclude(location_key=pub_key)[:3]
    Incident.objects.filter(pk__in=[i.pk for i in three]).update(victim_key=victim)

    query = EventQuery(organisation_id=organisation.pk, start=start, end=date(2024, 12, 31))
    result = repeats_analysis(query, {"limit": 5, "minimum": 2})
    top = result["locations"]["rows"][0]
    assert top["key"] == pub_key
    assert top["count"] == 6
    assert top["where"] == "On or near The Crown"
    assert top["cell"] == h3.latlng_to_cell(*PUB, 9)
    # Placed by its cell's centre, never by the exact point.
    assert (top["lat"], top["lng"]) == pytest.approx(h3.cell_to_latlng(top["cell"]), abs=1e-6)
    assert top["categories"] == {"burglary": 6}
    victims = result["victims"]
    assert victims["rows"][0] == {**victims["rows"][0], "key": victim, "count": 3}
    assert victims["summary"]["unkeyed"] == 53
    assert "REF-0042" not in str(result)
