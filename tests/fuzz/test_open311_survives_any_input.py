"""Any parameters to every Open311 address, in JSON and XML, are answered without a server
error and with an Open311 body; a POST of a request or an update either writes one whole
thing or nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import (
    FUZZ,
    any_text,
    assert_not_a_server_error,
    number_text,
    write_counts,
)
from tests.open311.conftest import point_in

READS = [
    "discovery",
    "services",
    "services/asb-noise",
    "services/nope",
    "requests",
    "requests/MIL-26-000001",
    "tokens/MIL-26-000001",
    "servicerequestupdates",
    "no/such/address",
]
READ_PARAMS = [
    "jurisdiction_id",
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "updated_after",
    "updated_before",
    "locale",
]
REQUEST_FIELDS = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[time_of_day]",
    "attribute[time_of_day][]",
    "attribute[how_often]",
]
UPDATE_FIELDS = [
    "api_key",
    "jurisdiction_id",
    "service_request_id",
    "update_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
    "first_name",
    "email",
]
date_text = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01 00:00", "2026-13-01", "2026-02-30"]),
    any_text,
)


def value_for(name: str) -> st.SearchStrategy[Any]:
    if name in ("lat", "long", "page", "page_size"):
        text = number_text
    elif "date" in name or name.startswith("updated_"):
        text = date_text
    else:
        text = any_text
    return st.one_of(text, st.lists(text, min_size=2, max_size=3))


def params(names: list[str], size: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    return st.sets(st.sampled_from(names), max_size=size).flatmap(
        lambda chosen: st.fixed_dictionaries({n: value_for(n) for n in sorted(chosen)})
    )


def assert_open311_body(response: Any, fmt: str) -> None:
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        if response.status_code >= 400:
            assert body[0]["code"] == response.status_code
            assert body[0]["description"]
    else:
        assert response["Content-Type"].startswith("text/xml")
        root = SafeET.fromstring(response.content)
        if response.status_code >= 400:
            assert root.tag == "errors"


@pytest.fixture
def open311(town: Any) -> Any:
    """An api_key and a published concern filed through Open311."""
    from ourbeat.api.open311_services import open311_client_issue, open311_request_submit
    from ourbeat.concerns.models import Category
    from ourbeat.concerns.services import concern_publish

    issued = open311_client_issue(name="Fuzz app")
    lat, lng = point_in(town.home)
    concern, _created = open311_request_submit(
        client=issued.client,
        category=Category.objects.get(code="asb-noise"),
        latitude=lat,
        longitude=lng,
        description="Loud music every night.",
        answers={},
        reporter_name="",
        reporter_email="fuzz@example.org",
        reporter_phone="",
    )
    concern = concern_publish(concern=concern, actor=None)

    class Open311:
        key = issued.key
        reference = concern.reference
        point = (lat, lng)

    return Open311()


@FUZZ
@given(
    path=st.sampled_from(READS),
    fmt=st.sampled_from(["json", "xml"]),
    query=params(READ_PARAMS),
    method=st.sampled_from(["GET", "GET", "GET", "PUT", "DELETE"]),
)
def test_every_read_answers_any_query(
    client: Any, open311: Any, path: str, fmt: str, query: Any, method: str
) -> None:
    url = f"/open311/v2/{path}.{fmt}"
    response = client.get(url, query) if method == "GET" else client.generic(method, url)
    assert_not_a_server_error(response, f"{method} {url} {query!r:.300}")
    assert_open311_body(response, fmt)


@FUZZ
@given(
    fmt=st.sampled_from(["json", "xml"]),
    fields=params(REQUEST_FIELDS),
    drop=st.sets(st.sampled_from(REQUEST_FIELDS), max_size=2),
    retry_key=st.one_of(st.none(), any_text.filter(lambda t: "\n" not in t and "\r" not in t)),
)
def test_a_posted_request_is_filed_whole_or_not_at_all(
    client: Any, open311: Any, fmt: str, fields: Any, drop: Any, retry_key: Any
) -> None:
    lat, lng = open311.point
    base = {
        "api_key": open311.key,
        "service_code": "asb-noise",
        "lat": str(lat),
        "long": str(lng),
        "email": "resident@example.org",
        "description": "Noise at night.",
    }
    body = {k: v for k, v in {**base, **fields}.items() if k not in drop}
    headers = (
        {}
        if retry_key is None
        else {"HTTP_IDEMPOTENCY_KEY": retry_key.encode().decode("latin-1", "replace")}
    )
    before = write_counts()
    response = client.post(f"/open311/v2/requests.{fmt}", body, **headers)
    assert_not_a_server_error(response, f"POST requests {fields!r:.300}")
    assert_open311_body(response, fmt)
    added = {name: write_counts()[name] - before[name] for name in before}
    if response.status_code >= 300:
        assert not any(added.values()), f"a refused request wrote {added}"
    assert added["concerns"] in (0, 1)
    assert added["reporters"] == added["concerns"], f"half-written: {added}"
    assert added["photos"] == 0


@FUZZ
@given(
    fmt=st.sampled_from(["json", "xml"]),
    fields=params(UPDATE_FIELDS),
    drop=st.sets(st.sampled_from(UPDATE_FIELDS), max_size=2),
)
def test_a_posted_update_is_written_whole_or_not_at_all(
    client: Any, open311: Any, fmt: str, fields: Any, drop: Any
) -> None:
    base = {
        "api_key": open311.key,
        "service_request_id": open311.reference,
        "update_id": "u-1",
        "status": "OPEN",
        "updated_datetime": "2026-01-01T10:00:00Z",
        "description": "Still happening.",
    }
    body = {k: v for k, v in {**base, **fields}.items() if k not in drop}
    before = write_counts()
    response = client.post(f"/open311/v2/servicerequestupdates.{fmt}", body)
    assert_not_a_server_error(response, f"POST servicerequestupdates {fields!r:.300}")
    assert_open311_body(response, fmt)
    added = {name: write_counts()[name] - before[name] for name in before}
    if response.status_code >= 300:
        assert not any(added.values()), f"a refused update wrote {added}"
    assert added["concerns"] == added["reporters"] == 0
    assert added["updates"] == added["update receipts"] in (0, 1)
