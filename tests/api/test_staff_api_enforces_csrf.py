"""Staff writes ride on the signed-in session, so they need the CSRF token: without it (or
with a wrong one) the write is refused with a JSON 403 and nothing is written; with it, the
write goes through."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import write_counts

LOG = "/api/v1/staff/areas/{slug}/visibility-logs"
PAYLOAD = {
    "day": (date.today() - timedelta(days=1)).isoformat(),
    "metric": "surgeries",
    "amount": "2",
}


@pytest.fixture
def strict_client(personas: Any) -> Client:
    """The officer's session in a client that checks CSRF as a browser's requests are."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["officer"])
    return client


def csrf_token(client: Client) -> str:
    """The token the API hands a signed-in client (the cookie is HTTP-only)."""
    response = client.get("/api/v1/staff/csrf-token")
    assert response.status_code == 200, response.content
    return str(response.json()["csrf_token"])


def test_a_write_without_the_token_is_a_403_and_writes_nothing(
    strict_client: Client, town: Any
) -> None:
    before = write_counts()
    response = strict_client.post(
        LOG.format(slug=town.home.slug), PAYLOAD, content_type="application/json"
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "CSRF" in response.json()["detail"]
    assert write_counts() == before


def test_a_write_with_a_wrong_token_is_a_403_and_writes_nothing(
    strict_client: Client, town: Any
) -> None:
    csrf_token(strict_client)
    before = write_counts()
    response = strict_client.post(
        LOG.format(slug=town.home.slug),
        PAYLOAD,
        content_type="application/json",
        headers={"X-CSRFToken": "x" * 64},
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/json")
    assert write_counts() == before


def test_a_write_with_the_token_goes_through(strict_client: Client, town: Any) -> None:
    token = csrf_token(strict_client)
    before = write_counts()
    response = strict_client.post(
        LOG.format(slug=town.home.slug),
        PAYLOAD,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
    assert write_counts()["visibility logs"] == before["visibility logs"] + 1


def test_the_token_is_only_for_signed_in_staff(client_for: Any, town: Any) -> None:
    assert client_for(None).get("/api/v1/staff/csrf-token").status_code == 401
