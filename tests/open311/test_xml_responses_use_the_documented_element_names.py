"""The XML answers are well-formed UTF-8 with the spec's element names."""

from __future__ import annotations

from typing import Any

from tests.open311.conftest import xml


def test_discovery_lists_endpoints_and_formats(client: Any) -> None:
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert formats == ["application/json", "text/xml"]


def test_services_and_a_definition_use_the_spec_names(client: Any, town: Any) -> None:
    services = xml(client.get("/open311/v2/services.xml"))
    assert services.tag == "services"
    first = services.find("service")
    assert first is not None
    assert [c.tag for c in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"
    ]  # fmt: skip
    assert {s.findtext("metadata") for s in services} == {"true", "false"}
    definition = xml(client.get("/open311/v2/services/asb-noise.xml"))
    assert definition.tag == "service_definition"
    attribute = definition.find("attributes/attribute")
    assert attribute is not None
    assert attribute.findtext("code") == "time_of_day"
    assert attribute.findtext("variable") == "true"
    assert next(v.findtext("key") for v in attribute.findall("values/value")) == "morning"


def test_requests_and_updates_use_the_spec_names(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.services import concern_respond

    concern = file_concern()
    concern_respond(concern=concern, actor=None, text="An officer will visit on Friday.")
    root = xml(client.get(f"/open311/v2/requests/{concern.reference}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == concern.reference
    assert root.findtext("request/status") == "open"
    assert root.find("request/lat") is not None
    updates = xml(client.get("/open311/v2/servicerequestupdates.xml"))
    assert updates.tag == "service_request_updates"
    mine = [u for u in updates if u.findtext("service_request_id") == concern.reference]
    assert mine
    assert mine[-1].tag == "request_update"
    assert mine[-1].findtext("description") == "An officer will visit on Friday."
    assert mine[-1].findtext("status") == "OPEN"
