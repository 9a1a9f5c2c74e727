"""Each police.uk endpoint answers in the real API's shapes: the same keys, the same nesting
and the same JSON types per key as the real examples in ../shared/data/policeuk/api/
(police.uk sends coordinates and population as strings; dates as local time without a
zone)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tests.api.conftest import json_type, police_uk_example, shape_differences

BASE = "/api/police-uk"
# The contact channels police.uk knows (pdk-contact-details.json lists them all).
CONTACT_KEYS = set(police_uk_example("pdk-contact-details.json"))
# police.uk's documented event fields (there is no example file of an event).
EVENT_KEYS = {"title", "description", "address", "type", "start_date", "end_date"}
EVENT_KEYS |= {"contact_details"}
POLICE_UK_DATE = "%Y-%m-%dT%H:%M:%S"


def get_json(client: Any, url: str) -> Any:
    response = client.get(BASE + url)
    assert response.status_code == 200, (url, response.content)
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def without_contact_details(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "contact_details"}


def assert_contact_details_are_police_uk_channels(details: Any) -> None:
    assert isinstance(details, dict)
    assert set(details) <= CONTACT_KEYS, set(details) - CONTACT_KEYS
    assert all(isinstance(v, str) and v for v in details.values())


def test_the_force_list_gives_each_force_its_id_and_name(client_for: Any, town: Any) -> None:
    forces = get_json(client_for(None), "/forces")
    example = police_uk_example("pdk-police-force.json")
    assert forces == [{"id": town.force.slug, "name": town.force.name}]
    for force in forces:
        assert shape_differences(force, {k: example[k] for k in ("id", "name")}) == []


def test_a_force_has_the_shape_of_the_real_force(client_for: Any, town: Any) -> None:
    force = get_json(client_for(None), f"/forces/{town.force.slug}")
    assert shape_differences(force, police_uk_example("pdk-police-force.json")) == []
    assert force["engagement_methods"], "the demo force publishes engagement methods"


def test_senior_officers_have_the_shape_of_the_real_officer(client_for: Any, town: Any) -> None:
    people = get_json(client_for(None), f"/forces/{town.force.slug}/people")
    example = police_uk_example("pdk-police-officer.json")
    assert people, "the demo force has officers serving the whole town"
    for person in people:
        assert (
            shape_differences(without_contact_details(person), without_contact_details(example))
            == []
        )
        assert_contact_details_are_police_uk_channels(person["contact_details"])


def test_the_neighbourhood_list_gives_ids_and_names(client_for: Any, town: Any) -> None:
    rows = get_json(client_for(None), f"/{town.force.slug}/neighbourhoods")
    example = police_uk_example("pdk-neighbourhood.json")
    assert {(r["id"], r["name"]) for r in rows} == {(n.code, n.name) for n in town.neighbourhoods}
    for row in rows:
        assert shape_differences(row, {k: example[k] for k in ("id", "name")}) == []


def test_a_neighbourhood_has_the_shape_of_the_real_neighbourhood(
    client_for: Any, town: Any, front_counter_area: Any
) -> None:
    example = police_uk_example("pdk-neighbourhood.json")
    for area in (town.home, town.elsewhere, front_counter_area):
        ours = get_json(client_for(None), f"/{town.force.slug}/{area.code}")
        assert (
            shape_differences(without_contact_details(ours), without_contact_details(example)) == []
        )
        assert_contact_details_are_police_uk_channels(ours["contact_details"])
        assert ours["population"].isdigit()
        float(ours["centre"]["latitude"]), float(ours["centre"]["longitude"])


def test_a_police_station_is_a_location_of_type_station_with_string_coordinates(
    client_for: Any, town: Any, front_counter_area: Any
) -> None:
    ours = get_json(client_for(None), f"/{town.force.slug}/{front_counter_area.code}")
    location_example = police_uk_example("pdk-neighbourhood-location.json")
    assert len(ours["locations"]) == 1
    location = ours["locations"][0]
    assert shape_differences(location, location_example) == []
    assert location["type"] == location_example["type"] == "station"
    assert location["name"] == "Millbrook Police Station"
    float(location["latitude"]), float(location["longitude"])


def test_a_neighbourhood_without_a_station_has_no_locations(client_for: Any, town: Any) -> None:
    ours = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}")
    assert ours["locations"] == []


def test_a_boundary_is_a_list_of_string_coordinates_like_the_centre(
    client_for: Any, town: Any
) -> None:
    points = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}/boundary")
    centre_example = police_uk_example("pdk-neighbourhood.json")["centre"]
    assert len(points) >= 4
    for point in points:
        assert shape_differences(point, centre_example) == []
    assert points[0] == points[-1], "the ring is closed"


def test_a_neighbourhood_team_has_the_shape_of_the_real_officer(client_for: Any, town: Any) -> None:
    people = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}/people")
    example = police_uk_example("pdk-police-officer.json")
    assert people
    for person in people:
        assert (
            shape_differences(without_contact_details(person), without_contact_details(example))
            == []
        )
        assert_contact_details_are_police_uk_channels(person["contact_details"])


def test_events_have_police_uk_fields_types_and_local_dates(client_for: Any, town: Any) -> None:
    events = get_json(client_for(None), f"/{town.force.slug}/{town.home.code}/events")
    # The date format is the one of the real priority example ("2015-10-08T00:00:00").
    example_date = police_uk_example("pdk-neighbourhood-priority.json")["issue-date"]
    date_pattern = re.sub(r"\d", r"\\d", example_date)
    assert events
    for event in events:
        assert set(event) == EVENT_KEYS
        for key in ("title", "address", "type", "start_date", "end_date"):
            assert json_type(event[key]) == "string", key
        assert json_type(event["description"]) in {"string", "null"}
        assert_contact_details_are_police_uk_channels(event["contact_details"])
        assert event["type"] in {"meeting", "other"}
        for key in ("start_date", "end_date"):
            assert re.fullmatch(date_pattern, event[key]), event[key]
        start = datetime.strptime(event["start_date"], POLICE_UK_DATE)
        assert datetime.strptime(event["end_date"], POLICE_UK_DATE) > start


def test_locate_neighbourhood_answers_the_force_and_the_neighbourhood_id(
    client_for: Any, town: Any
) -> None:
    area = town.home
    point = area.geometry.representative_point()
    found = get_json(client_for(None), f"/locate-neighbourhood?q={point.y},{point.x}")
    assert found == {"force": town.force.slug, "neighbourhood": area.code}
