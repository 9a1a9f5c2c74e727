"""schemathesis, driven by the committed OpenAPI document, sends valid and invalid input to
every operation of ourbeat's JSON API (in process, through WSGI): no answer is a server
error, every answer is JSON that the document describes, and a refused staff write leaves
nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fuzz.conftest import FUZZ

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]
# Invalid input can be made only where the document constrains something: a query parameter
# or a body (a free-text path segment accepts anything, so it has no invalid form).
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (op, GenerationMode.NEGATIVE)
    for op in OPERATIONS
    if op.body or any(p.location == "query" for p in op.iter_parameters())
]
APP = WSGIHandler()


def staff_write_counts() -> dict[str, int]:
    from ourbeat.core.models import AuditEvent
    from ourbeat.teams.models import OccurrenceChange, VisibilityLog

    return {
        "visibility logs": VisibilityLog.objects.count(),
        "occurrence changes": OccurrenceChange.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.fixture(autouse=True)
def _in_process_wsgi(settings: Any) -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; the test's
    transaction must stay open (Django's own test client does the same)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    ("operation", "mode"), CASES, ids=[f"{mode.value} {op.label}" for op, mode in CASES]
)
@hypothesis_settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_no_operation_fails_on_any_input(
    town: Any, personas: Any, client_for: Any, operation: Any, mode: Any, data: Any
) -> None:
    case = data.draw(operation.as_strategy(generation_mode=mode))
    cookies: dict[str, str] = {}
    headers: dict[str, str] = {}
    if operation.method.upper() == "POST" or "/staff/" in operation.path:
        # Signed in as the officer (second factor done), with a CSRF token, so the write
        # reaches its validation rather than the sign-in check.
        # (No request through the test client here: it would reconnect the signals.)
        client = client_for(personas["officer"])
        token = get_random_string(32)
        cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
        headers = {"X-CSRFToken": token}
    before = staff_write_counts()
    response = case.call(app=APP, cookies=cookies, headers=headers)
    where = f"{case.method} {case.formatted_path} {case.query!r:.200} {case.body!r:.200}"
    assert response.status_code < 500, where
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    assert content_type[0].startswith("application/json"), where
    if response.status_code >= 400:
        assert staff_write_counts() == before, where
    if mode == GenerationMode.POSITIVE and response.status_code < 400:
        # What comes back is what the document promises.
        case.validate_response(response, checks=[response_schema_conformance])
