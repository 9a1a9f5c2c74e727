"""An existing police.uk client library from PyPI (``police-api-client``, module
``police_api``), pointed at ourbeat's /api/police-uk/ on a real server, reads forces,
neighbourhoods, a neighbourhood, its boundary, its people and its events, and locates a
point: and what it reads is what ourbeat holds (the live site holds the same demo town,
generated from the same seed on the same day)."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def police(live_site: Any) -> Any:
    from police_api import PoliceAPI

    return PoliceAPI(base_url=live_site.url + "/api/police-uk/", timeout=10)


def test_the_client_reads_the_forces(police: Any, town: Any) -> None:
    forces = police.get_forces()
    assert [(f.id, f.name) for f in forces] == [(town.force.slug, town.force.name)]
    force = forces[0]
    assert force.description == town.force.description
    assert force.telephone == town.force.telephone
    assert force.url == town.force.url
    assert force.engagement_methods == town.force.engagement_methods
    serving_town = {a.profile.name for a in town.service.assignments.select_related("profile")}
    assert {o.name for o in force.senior_officers} == serving_town


def test_the_client_reads_the_neighbourhoods(police: Any, town: Any) -> None:
    found = police.get_neighbourhoods(town.force.slug)
    assert [(n.id, n.name) for n in found] == sorted(
        ((n.code, n.name) for n in town.neighbourhoods), key=lambda pair: pair[1]
    )


def test_the_client_reads_a_neighbourhood_with_its_attributes(police: Any, town: Any) -> None:
    area = town.home
    neighbourhood = police.get_neighbourhood(town.force.slug, area.code)
    assert neighbourhood.name == area.name
    assert neighbourhood.description == area.description
    assert neighbourhood.population == area.population
    assert isinstance(neighbourhood.population, int)
    assert float(neighbourhood.centre["latitude"]) == pytest.approx(area.centre_lat, abs=1e-6)
    assert float(neighbourhood.centre["longitude"]) == pytest.approx(area.centre_lng, abs=1e-6)
    assert neighbourhood.contact_details == {
        "telephone": area.contact_telephone,
        "email": area.contact_email,
    }
    assert neighbourhood.url_force.endswith(area.get_absolute_url())
    assert neighbourhood.links[0]["url"] == town.force.url
    assert neighbourhood.locations == []


def test_the_client_reads_the_police_station_as_a_location(police: Any, town: Any) -> None:
    from ourbeat.teams.models import ContactKind, ContactPoint

    station = ContactPoint.objects.select_related("area").get(kind=ContactKind.FRONT_COUNTER)
    neighbourhood = police.get_neighbourhood(town.force.slug, station.area.code)
    assert [(loc["name"], loc["address"], loc["type"]) for loc in neighbourhood.locations] == [
        (station.venue, station.address, "station")
    ]


def test_the_client_reads_the_boundary(police: Any, town: Any) -> None:
    area = town.elsewhere
    neighbourhood = police.get_neighbourhood(town.force.slug, area.code)
    expected = [(round(y, 6), round(x, 6)) for x, y in area.geometry.exterior.coords]
    assert neighbourhood.boundary == expected


def test_the_client_reads_the_team(police: Any, town: Any) -> None:
    from ourbeat.teams.selectors import current_assignments

    neighbourhood = police.get_neighbourhood(town.force.slug, town.home.code)
    team = current_assignments(town.home, timezone.localdate())
    assert [(o.name, o.rank, o.bio) for o in neighbourhood.officers] == [
        (a.profile.name, a.profile.rank, a.profile.bio or None) for a in team
    ]
    assert all(o.neighbourhood is neighbourhood for o in neighbourhood.officers)


def test_the_client_reads_the_events_with_parsed_start_dates(
    police: Any, live_site: Any, town: Any
) -> None:
    area = town.home
    neighbourhood = police.get_neighbourhood(town.force.slug, area.code)
    events = neighbourhood.events
    assert events
    assert all(isinstance(e.start_date, datetime) for e in events)
    assert all(e.type in {"meeting", "other"} for e in events)
    # The same server's own API lists the same occurrences (cancelled ones aside).
    url = f"{live_site.url}/api/v1/areas/{area.slug}/contact-points?days=90"
    with urllib.request.urlopen(url, timeout=10) as response:
        occurrences = json.load(response)
    expected = [
        (o["title"], datetime.fromisoformat(o["start"]).astimezone(_zone()).replace(tzinfo=None))
        for o in occurrences
        if o["status"] != "cancelled" and o["kind"] != "front_counter"
    ]
    assert [(e.title, e.start_date) for e in events] == expected[:100]
    titles = {cp.title for cp in area.contact_points.all()}
    assert {e.title for e in events} <= titles


def test_the_client_locates_a_point_and_gets_nothing_outside_the_town(
    police: Any, town: Any
) -> None:
    point = town.elsewhere.geometry.representative_point()
    found = police.locate_neighbourhood(point.y, point.x)
    assert found is not None
    assert (found.force.id, found.id) == (town.force.slug, town.elsewhere.code)
    assert found.name == town.elsewhere.name
    assert police.locate_neighbourhood(51.5, -0.12) is None


def _zone() -> Any:
    from ourbeat.teams.schedule import local_zone

    return local_zone()
