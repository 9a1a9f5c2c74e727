"""The police.uk endpoints carry ourbeat's own data: the force, its neighbourhoods, their
boundaries, teams and upcoming events (cancelled ones left out, moved ones at their new
time and place)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

BASE = "/api/police-uk"


def get_json(client: Any, url: str) -> Any:
    response = client.get(BASE + url)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def test_the_force_is_the_police_service_as_stored(client_for: Any, town: Any) -> None:
    force = get_json(client_for(None), f"/forces/{town.force.slug}")
    assert force == {
        "id": town.force.slug,
        "name": town.force.name,
        "description": town.force.description,
        "url": town.force.url,
        "telephone": town.force.telephone,
        "engagement_methods": town.force.engagement_methods,
    }


def test_partner_agencies_are_not_forces(client_for: Any, town: Any) -> None:
    forces = get_json(client_for(None), "/forces")
    assert town.council.slug not in {f["id"] for f in forces}
    assert client_for(None).get(f"{BASE}/forces/{town.council.slug}").status_code == 404
    assert client_for(None).get(f"{BASE}/{town.council.slug}/neighbourhoods").status_code == 404


def test_a_neighbourhood_is_the_area_as_stored(client_for: Any, town: Any) -> None:
    area = town.home
    ours = get_json(client_for(None), f"/{town.force.slug}/{area.code}")
    assert ours["id"] == area.code
    assert ours["name"] == area.name
    assert ours["description"] == area.description
    assert int(ours["population"]) == area.population
    assert float(ours["centre"]["latitude"]) == round(area.centre_lat, 6)
    assert float(ours["centre"]["longitude"]) == round(area.centre_lng, 6)
    assert ours["url_force"] == f"http://testserver{area.get_absolute_url()}"
    assert ours["contact_details"] == {
        "telephone": area.contact_telephone,
        "email": area.contact_email,
    }
    assert ours["links"] == [{"url": town.force.url, "description": None, "title": town.force.name}]


def test_the_boundary_is_the_area_outline(client_for: Any, town: Any) -> None:
    area = town.elsewhere
    points = get_json(client_for(None), f"/{town.force.slug}/{area.code}/boundary")
    ring = [(float(p["longitude"]), float(p["latitude"])) for p in points]
    expected = [(round(x, 6), round(y, 6)) for x, y in area.geometry.exterior.coords]
    assert ring == expected


def test_the_team_is_the_officers_serving_the_area_today(client_for: Any, town: Any) -> None:
    from ourbeat.teams.selectors import current_assignments

    people = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}/people")
    team = current_assignments(town.home, timezone.localdate())
    assert [(p["name"], p["rank"]) for p in people] == [
        (a.profile.name, a.profile.rank) for a in team
    ]


def test_a_hidden_profile_is_not_in_the_team(client_for: Any, town: Any) -> None:
    from ourbeat.teams.selectors import current_assignments

    hidden = current_assignments(town.home, timezone.localdate()).first()
    assert hidden is not None
    hidden.profile.public = False
    hidden.profile.save()
    people = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}/people")
    assert hidden.profile.name not in {p["name"] for p in people}


def test_senior_officers_are_those_serving_the_whole_town(client_for: Any, town: Any) -> None:
    people = get_json(client_for(None), f"/forces/{town.force.slug}/people")
    serving_town = {a.profile.name for a in town.service.assignments.select_related("profile")}
    assert {p["name"] for p in people} == serving_town


def _events(client: Any, force: str, area: Any) -> list[dict[str, Any]]:
    return list(get_json(client, f"/{force}/{area.code}/events"))


def test_events_are_the_upcoming_occurrences_without_cancelled_ones(
    client_for: Any, town: Any
) -> None:
    from ourbeat.engagement.models import Meeting
    from ourbeat.teams.models import ContactKind, OccurrenceChange
    from ourbeat.teams.schedule import local_zone
    from ourbeat.teams.selectors import upcoming_occurrences

    forum_meetings = set(Meeting.objects.values_list("title", flat=True))
    for area in town.neighbourhoods:
        # Forum meetings are events too (see test_police_uk_events_include_engagement_meetings).
        events = [
            e
            for e in _events(client_for(None), town.force.slug, area)
            if e["title"] not in forum_meetings
        ]
        expected = [
            o
            for o in upcoming_occurrences(area, timezone.now(), days=90, limit=1000)
            if o.status != OccurrenceChange.Status.CANCELLED
            and o.contact_point.kind != ContactKind.FRONT_COUNTER
        ][:100]
        assert [(e["title"], e["start_date"]) for e in events] == [
            (
                o.contact_point.title,
                o.start.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M:%S"),
            )
            for o in expected
        ]


def test_a_cancelled_occurrence_is_left_out(client_for: Any, town: Any) -> None:
    from ourbeat.teams.models import OccurrenceChange
    from ourbeat.teams.schedule import local_zone

    change = OccurrenceChange.objects.select_related("contact_point__area").get(
        status=OccurrenceChange.Status.CANCELLED
    )
    start = change.original_start.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M:%S")
    events = _events(client_for(None), town.force.slug, change.contact_point.area)
    assert (change.contact_point.title, start) not in {
        (e["title"], e["start_date"]) for e in events
    }


def test_a_moved_occurrence_is_shown_at_its_new_time_and_venue(client_for: Any, town: Any) -> None:
    from ourbeat.teams.models import OccurrenceChange
    from ourbeat.teams.schedule import local_zone

    change = OccurrenceChange.objects.select_related("contact_point__area").get(
        status=OccurrenceChange.Status.MOVED
    )
    assert change.new_start is not None
    new_start = change.new_start.astimezone(local_zone())
    events = _events(client_for(None), town.force.slug, change.contact_point.area)
    moved = [
        e
        for e in events
        if e["title"] == change.contact_point.title
        and datetime.strptime(e["start_date"], "%Y-%m-%dT%H:%M:%S")
        == new_start.replace(tzinfo=None)
    ]
    assert len(moved) == 1
    assert moved[0]["address"] == change.new_venue


def test_front_counter_hours_are_a_location_not_events(
    client_for: Any, town: Any, front_counter_area: Any
) -> None:
    events = _events(client_for(None), town.force.slug, front_counter_area)
    assert "Millbrook Police Station front counter" not in {e["title"] for e in events}
    assert events, "the area's surgeries and stalls are still there"
