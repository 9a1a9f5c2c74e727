"""Bad input to the engagement endpoints of ourbeat's API gets a JSON error body with the
right status, never a crash or an HTML page: unknown or hostile slugs and ids, a district
where a neighbourhood is expected, and out-of-range or malformed query values."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.api.bad_input import HOSTILE, assert_json_error

BASE = "/api/v1"


@pytest.mark.parametrize(
    "url",
    [
        "/neighbourhoods/no-such-place/priorities",
        "/neighbourhoods/no-such-place/meetings",
        "/forums/no-such-forum",
        "/priorities/0",
        "/priorities/-1",
        "/priorities/999999",
        "/priorities/99999999999999999999",
        "/neighbourhoods/mill-lane/priorities/extra",
    ],
)
def test_an_unknown_neighbourhood_forum_or_priority_is_a_404_with_a_json_body(
    client_for: Any, town: Any, url: str
) -> None:
    assert_json_error(client_for(None).get(BASE + url), 404)


@pytest.mark.parametrize("pk", ["abc", "1.5", "1e3", "0x10", "%00"])
def test_an_id_that_is_not_a_number_is_a_422_naming_it(client_for: Any, town: Any, pk: str) -> None:
    body = assert_json_error(client_for(None).get(f"{BASE}/priorities/{pk}"), 422)
    assert [e["loc"] for e in body["detail"]] == [["path", "pk"]]


def test_a_district_or_the_town_is_not_a_neighbourhood(client_for: Any, town: Any) -> None:
    client = client_for(None)
    for area in (town.service, town.districts[0]):
        for suffix in ("priorities", "meetings"):
            assert_json_error(client.get(f"{BASE}/neighbourhoods/{area.slug}/{suffix}"), 404)


@pytest.mark.parametrize("segment", HOSTILE)
def test_hostile_strings_in_the_path_are_a_404_with_a_json_body(
    client_for: Any, town: Any, segment: str
) -> None:
    client = client_for(None)
    for url in (
        f"/neighbourhoods/{segment}/priorities",
        f"/neighbourhoods/{segment}/meetings",
        f"/forums/{segment}",
    ):
        assert_json_error(client.get(BASE + quote(url, safe="/")), 404)
    # Not a number: refused as a malformed id (or, with a slash in it, no such address).
    response = client.get(BASE + quote(f"/priorities/{segment}", safe="/"))
    assert_json_error(response, 404 if "/" in segment else 422)


@pytest.mark.parametrize(
    ("suffix", "params"),
    [
        ("priorities", {"status": "open"}),
        ("priorities", {"status": "RESOLVED"}),
        ("priorities", {"limit": "0"}),
        ("priorities", {"limit": "101"}),
        ("priorities", {"limit": "ten"}),
        ("priorities", {"offset": "-1"}),
        ("priorities", {"offset": "99999999999999999999"}),
        ("meetings", {"when": "tomorrow"}),
        ("meetings", {"limit": "1e3"}),
        ("meetings", {"offset": "nan"}),
    ],
)
def test_a_bad_query_value_is_a_422_naming_the_field(
    client_for: Any, town: Any, suffix: str, params: dict[str, str]
) -> None:
    url = f"{BASE}/neighbourhoods/{town.home.slug}/{suffix}"
    body = assert_json_error(client_for(None).get(url, params), 422)
    assert {e["loc"][-1] for e in body["detail"]} == set(params)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_in_the_query_are_refused(client_for: Any, town: Any, value: str) -> None:
    client = client_for(None)
    url = f"{BASE}/neighbourhoods/{town.home.slug}"
    assert_json_error(client.get(f"{url}/priorities", {"status": value}), 422)
    assert_json_error(client.get(f"{url}/meetings", {"when": value, "limit": value}), 422)


def test_the_engagement_api_is_read_only(client_for: Any, town: Any) -> None:
    from ourbeat.engagement.models import Priority

    client = client_for(None)
    priority = Priority.objects.filter(area=town.home).first()
    assert priority is not None
    before = (Priority.objects.count(), priority.status, priority.version)
    for url in (f"/neighbourhoods/{town.home.slug}/priorities", f"/priorities/{priority.pk}"):
        for method in (client.post, client.put, client.delete):
            response = method(BASE + url, {"status": "resolved"}, content_type="application/json")
            assert response.status_code == 405
    priority.refresh_from_db()
    assert (Priority.objects.count(), priority.status, priority.version) == before
