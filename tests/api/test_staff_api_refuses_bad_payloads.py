"""A bad payload to a staff write gets a 400 or 422 with a JSON body naming the problem, and
nothing is written: a future day, a negative or huge amount, an unknown metric, malformed
JSON, an occurrence that does not exist, a moved occurrence without its new time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.api.conftest import write_counts

LOG = "/api/v1/staff/areas/{slug}/visibility-logs"
CHANGE = "/api/v1/staff/contact-points/{pk}/occurrence-changes"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
GOOD_LOG = {"day": YESTERDAY, "metric": "surgeries", "amount": "1"}


def assert_refused(response: Any, statuses: set[int], before: dict[str, int]) -> Any:
    assert response.status_code in statuses, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    assert write_counts() == before
    return body


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"day": (date.today() + timedelta(days=1)).isoformat()}, 400),
        ({"day": "9999-12-31"}, 400),
        ({"day": "2026-02-30"}, 422),
        ({"day": "yesterday"}, 422),
        ({"day": None}, 422),
        ({"amount": "-1"}, 422),
        ({"amount": "0"}, 422),
        ({"amount": "745"}, 422),
        ({"amount": "1e400"}, 422),
        ({"amount": "NaN"}, 422),
        ({"amount": "Infinity"}, 422),
        ({"amount": "1.25"}, 400),
        ({"amount": "1" * 400}, 422),
        ({"amount": [1]}, 422),
        ({"metric": "coffee_drunk"}, 422),
        ({"metric": "<script>alert(1)</script>"}, 422),
        ({"metric": "surgeries' OR 1=1 --"}, 422),
        ({"metric": None}, 422),
        ({"note": "x" * 301}, 422),
    ],
)
def test_a_bad_visibility_log_is_refused_and_nothing_is_written(
    client_for: Any, town: Any, personas: Any, change: dict[str, Any], status: int
) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {**GOOD_LOG, **change}
    response = client.post(
        LOG.format(slug=town.home.slug), payload, content_type="application/json"
    )
    assert_refused(response, {status}, before)


def test_a_missing_field_is_named_in_the_error(client_for: Any, town: Any, personas: Any) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    response = client.post(
        LOG.format(slug=town.home.slug), {"day": YESTERDAY}, content_type="application/json"
    )
    body = assert_refused(response, {422}, before)
    assert {e["loc"][-1] for e in body["detail"]} == {"metric", "amount"}


def test_a_future_day_is_refused_with_a_message_about_the_day(
    client_for: Any, town: Any, personas: Any
) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {**GOOD_LOG, "day": (date.today() + timedelta(days=3)).isoformat()}
    response = client.post(
        LOG.format(slug=town.home.slug), payload, content_type="application/json"
    )
    body = assert_refused(response, {400}, before)
    assert "day" in body["detail"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"day": "2026-01-01", "metric": ', "application/json"),
        ("not json at all", "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"surgeries"', "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        ("day=2026-01-01&metric=surgeries&amount=1", "application/x-www-form-urlencoded"),
    ],
)
def test_a_malformed_body_is_refused_with_a_json_error(
    client_for: Any, town: Any, personas: Any, body: Any, content_type: str
) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    response = client.post(LOG.format(slug=town.home.slug), body, content_type=content_type)
    assert_refused(response, {400, 422}, before)


def test_an_occurrence_that_does_not_exist_cannot_be_changed(
    client_for: Any, personas: Any, home_surgery: Any
) -> None:
    point, start = home_surgery
    client = client_for(personas["officer"])
    before = write_counts()
    for wrong in (start + timedelta(minutes=30), start + timedelta(days=1)):
        payload = {"original_start": wrong.isoformat(), "status": "cancelled"}
        response = client.post(CHANGE.format(pk=point.pk), payload, content_type="application/json")
        body = assert_refused(response, {400}, before)
        assert "no occurrence" in str(body["detail"])


@pytest.mark.parametrize(
    "change",
    [
        {"status": "moved"},
        {"status": "postponed"},
        {"status": None},
        {"original_start": "not a time"},
        {"original_start": "2026-13-45T25:61:00"},
        {"original_start": None},
        {"new_start": "soon", "status": "moved"},
        {"reason": "x" * 301},
        {"new_venue": "x" * 201, "status": "moved"},
    ],
)
def test_a_bad_occurrence_change_is_refused_and_nothing_is_written(
    client_for: Any, personas: Any, home_surgery: Any, change: dict[str, Any]
) -> None:
    point, start = home_surgery
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {"original_start": start.isoformat(), "status": "cancelled", **change}
    response = client.post(CHANGE.format(pk=point.pk), payload, content_type="application/json")
    assert_refused(response, {400, 422}, before)


@pytest.mark.parametrize("field", ["note"])
def test_a_nul_character_in_text_is_refused(
    client_for: Any, town: Any, personas: Any, field: str
) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {**GOOD_LOG, field: "before\x00after"}
    response = client.post(
        LOG.format(slug=town.home.slug), payload, content_type="application/json"
    )
    assert_refused(response, {422}, before)


@pytest.mark.parametrize("field", ["reason", "new_venue"])
def test_a_nul_character_in_an_occurrence_change_is_refused(
    client_for: Any, personas: Any, home_surgery: Any, field: str
) -> None:
    point, start = home_surgery
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {"original_start": start.isoformat(), "status": "moved", field: "a\x00b"}
    payload["new_start"] = (start + timedelta(days=1)).isoformat()
    response = client.post(CHANGE.format(pk=point.pk), payload, content_type="application/json")
    assert_refused(response, {422}, before)


@pytest.mark.parametrize("pk", ["99999999999999999999999", "-1", "0"])
def test_an_impossible_contact_point_id_is_a_404(client_for: Any, personas: Any, pk: str) -> None:
    client = client_for(personas["officer"])
    before = write_counts()
    payload = {"original_start": "2030-01-01T10:00:00Z", "status": "cancelled"}
    response = client.post(CHANGE.format(pk=pk), payload, content_type="application/json")
    assert_refused(response, {404, 422}, before)
