"""Unknown forces and neighbourhoods, points outside every area and malformed points get a
JSON error body with the right status, whatever a client sends."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.api.bad_input import HOSTILE
from tests.api.bad_input import assert_json_error as _assert_json_error

BASE = "/api/police-uk"


def assert_json_error(response: Any, status: int) -> None:
    # police.uk clients expect a plain message in "detail".
    _assert_json_error(response, status, detail_type=str)


@pytest.mark.parametrize(
    "url",
    [
        "/forces/no-such-force",
        "/forces/no-such-force/people",
        "/no-such-force/neighbourhoods",
        "/no-such-force/MB01",
        "/no-such-force/MB01/boundary",
        "/no-such-force/MB01/people",
        "/no-such-force/MB01/events",
        "/millbrook/NO-SUCH",
        "/millbrook/NO-SUCH/boundary",
        "/millbrook/NO-SUCH/people",
        "/millbrook/NO-SUCH/events",
        "/millbrook/MB01/priorities-and-more/deeper",
        "/forces/millbrook/unknown",
        "/nothing/here/at/all",
    ],
)
def test_an_unknown_force_or_neighbourhood_is_a_404_with_a_json_body(
    client_for: Any, town: Any, url: str
) -> None:
    assert_json_error(client_for(None).get(BASE + url), 404)


def test_a_district_or_the_service_area_is_not_a_neighbourhood(client_for: Any, town: Any) -> None:
    for area in (town.service, town.districts[0]):
        assert_json_error(client_for(None).get(f"{BASE}/millbrook/{area.code}"), 404)


def test_forces_paths_are_not_taken_for_a_neighbourhood(client_for: Any, town: Any) -> None:
    """``{force}/{id}`` must not swallow ``forces/{force}``: the force answers, not a
    neighbourhood of a force called "forces"."""
    response = client_for(None).get(f"{BASE}/forces/{town.force.slug}")
    assert response.status_code == 200
    assert response.json()["id"] == town.force.slug
    assert "engagement_methods" in response.json()
    people = client_for(None).get(f"{BASE}/forces/{town.force.slug}/people").json()
    assert all(set(p) == {"name", "rank", "bio", "contact_details"} for p in people)


@pytest.mark.parametrize("segment", HOSTILE)
def test_hostile_strings_in_the_path_are_a_404_with_a_json_body(
    client_for: Any, town: Any, segment: str
) -> None:
    client = client_for(None)
    for url in (
        f"/forces/{segment}",
        f"/{segment}/neighbourhoods",
        f"/millbrook/{segment}",
        f"/millbrook/{segment}/events",
        f"/{segment}",
    ):
        assert_json_error(client.get(BASE + url), 404)
        assert_json_error(client.get(BASE + quote(url, safe="/")), 404)


def test_a_point_outside_every_neighbourhood_is_a_404(client_for: Any, town: Any) -> None:
    for q in ("0,0", "51.5,-0.12", "-33.9,151.2", "90,180"):
        assert_json_error(client_for(None).get(f"{BASE}/locate-neighbourhood", {"q": q}), 404)


@pytest.mark.parametrize(
    "q",
    [
        "",
        "53.03",
        "53.03,",
        ",-1.45",
        "53.03,-1.45,7",
        "abc,def",
        "nan,nan",
        "53.03,inf",
        "-inf,-1.45",
        "91,0",
        "0,181",
        "1e400,0",
        "-1e309,0",
        "53.03;-1.45",
        "<b>53</b>,-1",
        "' OR 1=1 --,0",
        "9" * 5000 + ",0",
    ],
)
def test_a_malformed_point_is_a_400(client_for: Any, town: Any, q: str) -> None:
    assert_json_error(client_for(None).get(f"{BASE}/locate-neighbourhood", {"q": q}), 400)


def test_a_missing_point_is_a_400(client_for: Any, town: Any) -> None:
    assert_json_error(client_for(None).get(f"{BASE}/locate-neighbourhood"), 400)


def test_a_point_with_spaces_like_a_hand_typed_one_is_located(client_for: Any, town: Any) -> None:
    point = town.home.geometry.representative_point()
    response = client_for(None).get(
        f"{BASE}/locate-neighbourhood", {"q": f" {point.y} , {point.x} "}
    )
    assert response.status_code == 200
    assert response.json()["neighbourhood"] == town.home.code
