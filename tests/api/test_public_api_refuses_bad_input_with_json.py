"""Bad input to the public API gets a JSON error body with the right status, never a crash
or an HTML page: wrong types, out-of-range or non-finite coordinates, huge values, unknown
slugs and hostile strings in the path and the query."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.api.bad_input import HOSTILE, assert_json_error

BASE = "/api/v1"


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        ("abc", "1"),
        ("53", ""),
        ("", ""),
        ("nan", "-1.45"),
        ("53.03", "NaN"),
        ("inf", "0"),
        ("-infinity", "0"),
        ("91", "0"),
        ("-90.0001", "0"),
        ("0", "180.5"),
        ("1e400", "0"),
        ("9" * 5000, "0"),
        ("0x10", "0"),
        ("<b>53</b>", "-1"),
        ("53' OR 1=1 --", "-1"),
    ],
)
def test_a_bad_point_is_refused_with_a_422_naming_the_field(
    client_for: Any, town: Any, lat: str, lng: str
) -> None:
    body = assert_json_error(client_for(None).get(f"{BASE}/locate", {"lat": lat, "lng": lng}), 422)
    assert {tuple(e["loc"]) for e in body["detail"]} <= {("query", "lat"), ("query", "lng")}


def test_a_missing_point_is_refused_with_a_422(client_for: Any, town: Any) -> None:
    assert_json_error(client_for(None).get(f"{BASE}/locate"), 422)
    assert_json_error(client_for(None).get(f"{BASE}/locate", {"lat": "53"}), 422)


@pytest.mark.parametrize("days", ["0", "-1", "367", "99999999999999999999", "ten", "1.5", "nan"])
def test_a_bad_number_of_days_is_refused_with_a_422(client_for: Any, town: Any, days: str) -> None:
    url = f"{BASE}/areas/{town.home.slug}/contact-points"
    assert_json_error(client_for(None).get(url, {"days": days}), 422)


@pytest.mark.parametrize(
    "suffix", ["", "/team", "/contact-points", "/visibility"], ids=["detail", "team", "cp", "vis"]
)
def test_an_unknown_slug_is_a_404_with_a_json_body(client_for: Any, town: Any, suffix: str) -> None:
    assert_json_error(client_for(None).get(f"{BASE}/areas/no-such-place{suffix}"), 404)


@pytest.mark.parametrize("segment", HOSTILE)
def test_hostile_strings_in_the_path_are_a_404_with_a_json_body(
    client_for: Any, town: Any, segment: str
) -> None:
    client = client_for(None)
    for url in (f"/areas/{segment}", f"/areas/{segment}/team", f"/{segment}"):
        assert_json_error(client.get(BASE + url), 404)
        assert_json_error(client.get(BASE + quote(url, safe="/")), 404)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_in_the_query_are_refused_or_ignored(
    client_for: Any, town: Any, value: str
) -> None:
    client = client_for(None)
    assert_json_error(client.get(f"{BASE}/locate", {"lat": value, "lng": value}), 422)
    url = f"{BASE}/areas/{town.home.slug}/contact-points"
    assert_json_error(client.get(url, {"days": value}), 422)
    # Parameters the endpoint does not take are ignored.
    assert client.get(f"{BASE}/areas", {"slug": value, "q": value}).status_code == 200


def test_the_database_is_untouched_by_hostile_input(client_for: Any, town: Any) -> None:
    from ourbeat.places.models import Area

    before = Area.objects.count()
    client = client_for(None)
    for value in HOSTILE:
        client.get(f"{BASE}/areas/{quote(value, safe='')}")
    assert Area.objects.count() == before
