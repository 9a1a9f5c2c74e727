"""HTML, SQL, control characters and huge values in an Open311 write are refused with a 400
error body, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.open311.conftest import point_in, write_counts

SQL = "1; DROP TABLE concerns_concern; --"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "<script>alert(1)</script> noise"),
        ("description", "x" * 4001),
        ("description", "noise\x00"),
        ("first_name", "<b>Bob</b>"),
        ("lat", SQL),
        ("long", "nan"),
        ("lat", "1e400"),
        ("service_code", "asb-noise' OR '1'='1"),
        ("jurisdiction_id", SQL),
        ("email", "not an address"),
        ("phone", SQL),
        ("media_url", "javascript:alert(1)"),
        ("attribute[time_of_day]", SQL),
        ("address_string", "<img src=x onerror=alert(1)>"),
    ],
)
def test_a_hostile_field_is_refused_and_nothing_written(
    client: Any, town: Any, api_key: str, field: str, value: str
) -> None:
    lat, lng = point_in(town.home)
    data = {
        "api_key": api_key,
        "service_code": "asb-noise",
        "lat": str(lat),
        "long": str(lng),
        "email": "resident@example.org",
        "description": "Noise at night.",
        field: value,
    }
    before = write_counts()
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code in (400, 404), response.content
    assert response.json()[0]["description"]
    assert write_counts() == before


def test_a_huge_body_is_refused(client: Any, api_key: str) -> None:
    before = write_counts()
    response = client.post(
        "/open311/v2/requests.json", {"api_key": api_key, "description": "x" * 3_000_000}
    )
    assert response.status_code == 400
    assert write_counts() == before


def test_a_point_outside_the_town_is_refused(client: Any, api_key: str) -> None:
    before = write_counts()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "asb-noise",
            "lat": "0",
            "long": "0",
            "email": "resident@example.org",
            "description": "Noise",
        },
    )
    assert response.status_code == 400
    assert write_counts() == before


def test_sql_in_a_read_filter_only_matches_nothing(client: Any, town: Any) -> None:
    response = client.get("/open311/v2/requests.json", {"service_code": SQL})
    assert response.status_code == 200
    assert response.json() == []
    bad_ids = client.get("/open311/v2/requests.json", {"service_request_id": SQL})
    assert bad_ids.status_code == 400
