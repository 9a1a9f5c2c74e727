"""Refusals are the spec's list of {code, description}, with status 400, 403 or 404, in
the format the address asks for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.open311.conftest import point_in, xml


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/open311/v2/services/no-such-service.json", 404),
        ("/open311/v2/requests/NOPE-26-000001.json", 404),
        ("/open311/v2/requests.json?status=pending", 400),
        ("/open311/v2/requests.json?start_date=yesterday", 400),
        ("/open311/v2/requests.json?page_size=0", 400),
        ("/open311/v2/services.json?jurisdiction_id=atlantis", 404),
        ("/open311/v2/tokens/nothing.json", 404),
        ("/open311/v2/no/such/address.json", 404),
    ],
)
def test_a_bad_read_gets_a_json_error_list(client: Any, town: Any, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status
    assert body[0]["description"]


def test_the_xml_address_gets_an_xml_error(client: Any, town: Any) -> None:
    response = client.get("/open311/v2/services/no-such-service.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert "no-such-service" in (root.findtext("error/description") or "")


def test_posting_without_an_api_key_is_403(client: Any, town: Any) -> None:
    lat, lng = point_in(town.home)
    data = {"service_code": "asb-noise", "lat": lat, "long": lng, "description": "Noise"}
    response = client.post("/open311/v2/requests.xml", data)
    assert response.status_code == 403
    assert xml(response).findtext("error/code") == "403"


def test_posting_to_an_unknown_service_is_404(client: Any, api_key: str) -> None:
    response = client.post("/open311/v2/requests.json", {"api_key": api_key, "service_code": "x"})
    assert response.status_code == 404


def test_a_bare_address_is_refused_with_a_clear_reason(client: Any, api_key: str) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "asb-noise",
            "address_string": "12 High Street",
            "email": "someone@example.org",
            "description": "Noise",
        },
    )
    assert response.status_code == 400
    assert "lat and long" in response.json()[0]["description"]


def test_a_missing_required_field_names_the_field(client: Any, api_key: str, town: Any) -> None:
    lat, lng = point_in(town.home)
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "asb-noise", "lat": lat, "long": lng},
    )
    assert response.status_code == 400
    assert "description" in response.json()[0]["description"]


def test_a_method_the_address_does_not_offer_is_405(client: Any) -> None:
    response = client.delete("/open311/v2/services.json")
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405


def test_errors_come_in_the_requested_language(client: Any, town: Any) -> None:
    english = client.get("/open311/v2/requests.json?status=x").json()[0]["description"]
    russian = client.get("/open311/v2/requests.json?status=x&locale=ru").json()[0]["description"]
    assert english.startswith("status must be")
    assert russian  # translated when the catalogue has it; never empty
