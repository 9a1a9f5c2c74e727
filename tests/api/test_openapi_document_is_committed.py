"""The OpenAPI document of ourbeat's JSON API is committed at docs/openapi.json; this test
fails when the API and the committed document drift apart."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.json"


def generated_document() -> str:
    """The document exactly as ``manage.py export_openapi`` prints it."""
    out = io.StringIO()
    call_command("export_openapi", stdout=out)
    return out.getvalue()


def test_the_committed_openapi_document_matches_the_api() -> None:
    assert COMMITTED.exists(), "docs/openapi.json is missing: run `make openapi` and commit it"
    assert generated_document() == COMMITTED.read_text(encoding="utf-8"), (
        "docs/openapi.json is out of date with the API: run `make openapi` and commit the result"
    )


def test_the_document_describes_every_public_and_staff_endpoint() -> None:
    paths = json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"]
    assert {
        "/api/v1/areas",
        "/api/v1/areas/{slug}",
        "/api/v1/locate",
        "/api/v1/areas/{slug}/team",
        "/api/v1/areas/{slug}/contact-points",
        "/api/v1/areas/{slug}/visibility",
        "/api/v1/staff/csrf-token",
        "/api/v1/staff/areas/{slug}/visibility-logs",
        "/api/v1/staff/contact-points/{pk}/occurrence-changes",
        "/api/v1/concerns",
        "/api/v1/concerns/{reference}",
        "/api/v1/neighbourhoods/{slug}/priorities",
        "/api/v1/priorities/{pk}",
        "/api/v1/neighbourhoods/{slug}/meetings",
        "/api/v1/forums/{slug}",
        "/api/v1/staff/analytics/hotspots",
        "/api/v1/staff/analytics/emerging",
        "/api/v1/staff/analytics/near-repeats",
        "/api/v1/staff/analytics/repeats",
        "/api/v1/staff/analytics/evaluation",
        "/api/v1/staff/analytics/runs/{run_id}",
        "/api/v1/staff/analytics/recurring-concerns",
    } == set(paths)
