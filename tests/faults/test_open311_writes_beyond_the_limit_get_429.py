"""A client posting Open311 requests or updates faster than the limit is answered 429 with an
Open311 error body (JSON or XML, as asked), and a refused post writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree as SafeET

from tests.fuzz.conftest import write_counts
from tests.open311.conftest import point_in

LIMIT = 3


@pytest.fixture
def issued(town: Any, settings: Any) -> Any:
    from ourbeat.api.open311_services import open311_client_issue

    settings.OURBEAT_OPEN311_WRITE_RATE = f"{LIMIT}/m"
    return open311_client_issue(name="Eager app")


def request_body(town: Any, key: str, number: int) -> dict[str, str]:
    lat, lng = point_in(town.home)
    return {
        "api_key": key,
        "service_code": "asb-noise",
        "lat": str(lat),
        "long": str(lng),
        "email": "resident@example.org",
        "description": f"Noise again, night {number}.",
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_beyond_the_limit_get_429_and_write_nothing(
    client: Any, town: Any, issued: Any, fmt: str
) -> None:
    url = f"/open311/v2/requests.{fmt}"
    for number in range(LIMIT):
        assert client.post(url, request_body(town, issued.key, number)).status_code == 201
    before = write_counts()
    response = client.post(url, request_body(town, issued.key, LIMIT))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        error = response.json()[0]
        assert error["code"] == 429
        assert "Too many requests" in error["description"]
    else:
        root = SafeET.fromstring(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "429"
        assert "Too many requests" in (root.findtext("error/description") or "")
    assert write_counts() == before


def test_the_limit_is_per_client(client: Any, town: Any, issued: Any) -> None:
    from ourbeat.api.open311_services import open311_client_issue

    url = "/open311/v2/requests.json"
    for number in range(LIMIT):
        client.post(url, request_body(town, issued.key, number))
    assert client.post(url, request_body(town, issued.key, 9)).status_code == 429
    other = open311_client_issue(name="Calm app").key
    assert client.post(url, request_body(town, other, 10)).status_code == 201


def test_updates_beyond_the_limit_get_429_and_write_nothing(
    client: Any, town: Any, issued: Any
) -> None:
    from ourbeat.api.open311_services import open311_client_issue

    # The request is filed by another client, so the limit counts updates alone.
    filer = open311_client_issue(name="Filer").key
    created = client.post("/open311/v2/requests.json", request_body(town, filer, 0))
    reference = created.json()[0]["service_request_id"]
    url = "/open311/v2/servicerequestupdates.json"

    def update(number: int) -> Any:
        return client.post(
            url,
            {
                "api_key": issued.key,
                "service_request_id": reference,
                "update_id": f"u-{number}",
                "updated_datetime": "2026-01-01T10:00:00Z",
                "description": f"Still happening ({number}).",
            },
        )

    for number in range(LIMIT):
        answer = update(number)
        assert answer.status_code == 200, answer.content
    before = write_counts()
    response = update(LIMIT)
    assert response.status_code == 429
    assert response.json()[0]["code"] == 429
    assert write_counts() == before


def test_a_post_without_a_key_is_limited_by_address(client: Any, town: Any, issued: Any) -> None:
    url = "/open311/v2/requests.json"
    statuses = [client.post(url, {"description": "no key"}).status_code for _ in range(LIMIT + 1)]
    assert statuses == [403] * LIMIT + [429]
