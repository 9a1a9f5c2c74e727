"""Helpers for the Open311 tests: the official GeoReport v2 JSON Schemas (read from
../shared/data, never copied into the project), an issued api_key, and concerns filed and
published through the real services."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeET
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "open311-schemas"
SECRET_NAME = "Quillon Vantassel-Obiora"
SECRET_EMAIL = "quillon.vantassel@example.net"
SECRET_PHONE = "07700 900461"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name == "swagger.json":
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def schema_errors(data: Any, name: str) -> list[str]:
    """Where ``data`` breaks the official schema ``name`` (e.g. ``requests.json``)."""
    schema = REGISTRY.contents(name)
    validator = Draft4Validator(
        schema, registry=REGISTRY, format_checker=Draft4Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def xml(response: Any) -> Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return SafeET.fromstring(response.content)


def point_in(area: Any) -> tuple[float, float]:
    point = area.geometry.representative_point()
    return point.y, point.x


@pytest.fixture
def api_key(db: Any) -> str:
    from ourbeat.api.open311_services import open311_client_issue

    return open311_client_issue(name="Test app").key


@pytest.fixture
def file_concern(town: Any, api_key: str) -> Callable[..., Any]:
    """File (and by default publish) a concern through the real services."""
    from ourbeat.api.models import Open311Client
    from ourbeat.api.open311_services import open311_request_submit
    from ourbeat.concerns.models import Category
    from ourbeat.concerns.services import concern_publish

    client = Open311Client.objects.get(name="Test app")

    def make(
        code: str = "asb-noise",
        *,
        area: Any = None,
        text: str = "Loud music every night after midnight.",
        publish: bool = True,
    ) -> Any:
        lat, lng = point_in(area or town.home)
        concern, _created = open311_request_submit(
            client=client,
            category=Category.objects.get(code=code),
            latitude=lat,
            longitude=lng,
            description=text,
            answers={},
            reporter_name=SECRET_NAME,
            reporter_email=SECRET_EMAIL,
            reporter_phone=SECRET_PHONE,
        )
        if publish:
            concern = concern_publish(concern=concern, actor=None)
        return concern

    return make


def write_counts() -> dict[str, int]:
    from ourbeat.concerns.models import Concern, Reporter, Update
    from ourbeat.core.models import AuditEvent

    return {
        "concerns": Concern.objects.count(),
        "reporters": Reporter.objects.count(),
        "updates": Update.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }
