"""Every JSON answer validates against the official GeoReport v2 JSON Schemas (string ids,
boolean metadata, status open/closed)."""

from __future__ import annotations

from typing import Any

from tests.open311.conftest import schema_errors


def test_services_validate_against_the_services_schema(client: Any, town: Any) -> None:
    services = client.get("/open311/v2/services.json").json()
    assert services
    assert schema_errors(services, "services.json") == []
    assert {s["metadata"] for s in services} == {True, False}


def test_every_service_definition_validates(client: Any, town: Any) -> None:
    for service in client.get("/open311/v2/services.json").json():
        definition = client.get(f"/open311/v2/services/{service['service_code']}.json").json()
        assert schema_errors(definition, "service-definition.json") == []
        assert bool(definition["attributes"]) == service["metadata"]


def test_requests_validate_including_sensitive_and_closed_ones(
    client: Any, file_concern: Any
) -> None:
    from ourbeat.concerns.services import concern_set_status

    closed = file_concern("roads-speeding")
    concern_set_status(concern=closed, actor=None, status="resolved", text="Done.")
    sensitive = file_concern("safety-hate")
    answer = client.get(
        f"/open311/v2/requests.json?service_request_id={closed.reference},{sensitive.reference}"
    ).json()
    assert schema_errors(answer, "requests.json") == []
    by_id = {r["service_request_id"]: r for r in answer}
    assert by_id[closed.reference]["status"] == "closed"
    assert "lat" not in by_id[sensitive.reference]
    assert "long" not in by_id[sensitive.reference]


def test_a_single_request_and_the_whole_list_validate(client: Any, file_concern: Any) -> None:
    concern = file_concern()
    single = client.get(f"/open311/v2/requests/{concern.reference}.json").json()
    assert schema_errors(single, "requests.json") == []
    assert schema_errors(single[0], "request.json") == []
    listed = client.get("/open311/v2/requests.json").json()
    assert listed
    assert schema_errors(listed, "requests.json") == []


def test_the_schema_check_catches_a_numeric_id() -> None:
    bad = [{"service_request_id": 5, "status": "open", "service_code": "x"}]
    assert schema_errors(bad, "requests.json")
