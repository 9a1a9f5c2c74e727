"""The report form names the emergency number of the police service that covers the chosen
place, once a place is chosen; before that, the first service's. A deployment can serve
services with different numbers (999, 112, 911…)."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.places.models import AreaLevel, Organisation, OrganisationKind
from ourbeat.places.services import areas_import
from tests.concerns.test_report_helpers import REPORT_URL, point_in, report_data
from tests.places.boundaries import EAST, NORTH, SOUTH, WEST, box, geojson

URGENT = "A man with a knife is breaking in right now next door"


@pytest.fixture
def testshire(town: Any) -> Any:
    """A second police service, with the number 112, and one neighbourhood imported through
    the boundary import; it sorts after the demo town's service."""
    organisation = Organisation.objects.create(
        kind=OrganisationKind.POLICE_SERVICE,
        name="Testshire Police",
        slug="testshire",
        emergency_number="112",
    )
    parent = None
    for level, name, code in [
        (AreaLevel.SERVICE, "Testshire", "TS"),
        (AreaLevel.DISTRICT, "Testshire Central", "TSD"),
        (AreaLevel.NEIGHBOURHOOD, "Testshire Old Town", "TSN"),
    ]:
        parent = areas_import(
            organisation=organisation,
            level=level,
            parent=parent,
            data=geojson((name, code, box(WEST, SOUTH, EAST, NORTH))),
            filename=f"{code}.geojson",
            actor=None,
        ).created[0]
    return parent


def notice(html: str) -> str:
    start = html.index('id="emergency-notice"')
    return html[start : html.index("</div>", start)]


def step_two(client: Any, area: Any, **extra: str) -> str:
    lat, lng = point_in(area)
    response = client.get(REPORT_URL, {"lat": lat, "lng": lng, "category": "asb-noise", **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_the_two_services_have_different_numbers(town: Any, testshire: Any) -> None:
    assert town.force.emergency_number != testshire.organisation.emergency_number


def test_before_a_place_is_chosen_the_first_services_number_is_shown(
    town: Any, testshire: Any, client: Any
) -> None:
    html = client.get(REPORT_URL).content.decode()
    assert f"Call {town.force.emergency_number} now" in notice(html)
    assert "Call 112 now" not in html


def test_a_place_in_the_second_service_shows_its_number(
    town: Any, testshire: Any, client: Any
) -> None:
    html = step_two(client, testshire)
    assert "Testshire Old Town" in html
    assert "Call 112 now" in notice(html)
    assert f"Call {town.force.emergency_number} now" not in html


def test_a_place_in_the_first_service_shows_its_own_number(
    town: Any, testshire: Any, client: Any
) -> None:
    html = step_two(client, town.home)
    assert f"Call {town.force.emergency_number} now" in notice(html)
    assert "112" not in notice(html)


def test_the_emergency_warning_names_the_number_of_the_place(
    town: Any, testshire: Any, client: Any
) -> None:
    response = client.post(REPORT_URL, report_data(testshire, description=URGENT))
    html = response.content.decode()
    assert response.status_code == 400
    assert "sounds like an emergency" in html
    assert "call 112 now" in html
    assert f"call {town.force.emergency_number} now" not in html
