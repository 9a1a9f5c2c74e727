"""An existing police.uk client library from PyPI (``police-api-client``, module
``police_api``), pointed at ourbeat's /api/police-uk/ on a real server, reads forces,
neighbourhoods, a neighbourhood, its boundary, its people, its events (forum meetings
included) and its priorities, and locates a point: and what it reads is what ourbeat holds
(the live site holds the same demo town, generated from the same seed on the same day)."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
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
    titles = {cp.title for cp in area.contact_points.all()}
    assert [(e.title, e.start_date) for e in events if e.title in titles] == expected[:100]


def test_the_client_reads_forum_meetings_among_the_events(
    police: Any, live_site: Any, town: Any
) -> None:
    """The neighbourhood's forum meetings (as ourbeat's own API lists them) are events of
    type "meeting" at the same local start time."""
    area = town.elsewhere
    neighbourhood = police.get_neighbourhood(town.force.slug, area.code)
    url = f"{live_site.url}/api/v1/neighbourhoods/{area.slug}/meetings?when=upcoming&limit=100"
    with urllib.request.urlopen(url, timeout=10) as response:
        meetings = json.load(response)["items"]
    horizon = timezone.now() + timedelta(days=90)
    expected = {
        (
            m["title"],
            datetime.fromisoformat(m["starts_at"]).astimezone(_zone()).replace(tzinfo=None),
        )
        for m in meetings
        if m["status"] != "cancelled" and datetime.fromisoformat(m["starts_at"]) < horizon
    }
    assert expected
    found = {(e.title, e.start_date): e for e in neighbourhood.events}
    assert expected <= set(found)
    assert all(found[key].type == "meeting" for key in expected)
    # The same meetings as the test database holds (the same town, the same seed, today).
    from ourbeat.engagement.models import Meeting

    stored = Meeting.objects.filter(
        forum__area__in=[area, area.parent, area.parent.parent],
        starts_at__gte=timezone.now(),
        starts_at__lt=horizon,
    ).exclude(status="cancelled")
    assert {m.title for m in stored} == {title for title, _start in expected}


def test_the_client_reads_the_priorities_newest_first(police: Any, town: Any) -> None:
    """The library's Priority objects, with their dates parsed, match the neighbourhood's
    adopted priorities as the test database holds them."""
    from ourbeat.engagement.models import Priority

    area = town.home
    neighbourhood = police.get_neighbourhood(town.force.slug, area.code)
    found = neighbourhood.priorities
    adopted = Priority.objects.filter(area=area, adopted_at__isnull=False).order_by("-adopted_at")
    assert len(found) == adopted.count() > 0
    assert all(isinstance(p.issue_date, datetime) for p in found)
    assert [p.issue_date for p in found] == sorted((p.issue_date for p in found), reverse=True)
    expected = sorted(
        (
            f"{p.title}. {p.description}" if p.description else p.title,
            p.adopted_at.astimezone(_zone()).date(),
        )
        for p in adopted
        if p.adopted_at is not None
    )
    assert sorted((p.issue, p.issue_date.date()) for p in found) == expected
    resolved = adopted.filter(status="resolved").first()
    assert resolved is not None
    assert resolved.outcome_at is not None
    adopted_on = resolved.adopted_at.astimezone(_zone()).date() if resolved.adopted_at else None
    shown = next(
        p
        for p in found
        if p.action == resolved.outcome
        and p.issue.startswith(resolved.title)
        and p.issue_date.date() == adopted_on
    )
    assert isinstance(shown.action_date, datetime)
    assert shown.action_date.date() == resolved.outcome_at.astimezone(_zone()).date()
    assert all(p.neighbourhood is neighbourhood for p in found)


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
