"""The e-mailed confirmation link only asks; the resident's press of "Confirm my report" (a
POST with a CSRF token, no JavaScript needed) confirms. A mail scanner that fetches every
link in an e-mail therefore confirms nothing."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from ourbeat.concerns.models import Concern
from ourbeat.core.models import AuditEvent
from tests.concerns.test_report_helpers import REPORT_URL, report_data


def _reported_and_linked(town: Any, client: Any) -> tuple[Concern, str]:
    data = report_data(town.home)
    assert client.post(REPORT_URL, data).status_code == 302
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    body = str(mail.outbox[-1].body)
    assert "Confirm my report" in body
    link = re.search(r"https?://\S+/concerns/confirm/\S+/", body)
    assert link is not None
    return concern, "/" + link.group(0).split("/", 3)[3]


def test_opening_the_link_alone_leaves_the_concern_unconfirmed(town: Any, client: Any) -> None:
    concern, path = _reported_and_linked(town, client)
    scanner = Client()
    for _ in range(3):
        assert scanner.get(path).status_code == 200
        assert scanner.head(path).status_code == 200
    page = scanner.get(path).content.decode()
    assert "<h1>Confirm your report</h1>" in page
    assert concern.reference in page
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    concern.refresh_from_db()
    assert concern.confirmed_at is None
    assert not AuditEvent.objects.filter(
        action="concerns.concern.confirm", object_id=str(concern.pk)
    ).exists()


def test_pressing_the_button_confirms_once_and_shows_the_next_steps(town: Any, client: Any) -> None:
    concern, path = _reported_and_linked(town, client)
    resident = Client(enforce_csrf_checks=True)
    page = resident.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = resident.post(path, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert response["Location"].endswith(path)
    page = resident.get(response["Location"]).content.decode()
    assert "<h1>Your report is confirmed</h1>" in page
    assert "working days" in page
    assert "Write to the team about this concern" in page
    concern.refresh_from_db()
    confirmed_at = concern.confirmed_at
    assert confirmed_at is not None
    # Pressing again (or reloading the form) changes nothing.
    resident.post(path, {"csrfmiddlewaretoken": token.group(1)})
    concern.refresh_from_db()
    assert concern.confirmed_at == confirmed_at
    assert (
        AuditEvent.objects.filter(
            action="concerns.concern.confirm", object_id=str(concern.pk)
        ).count()
        == 1
    )


def test_a_post_without_the_csrf_token_is_refused(town: Any, client: Any) -> None:
    concern, path = _reported_and_linked(town, client)
    forged = Client(enforce_csrf_checks=True)
    assert forged.post(path).status_code == 403
    concern.refresh_from_db()
    assert concern.confirmed_at is None


def test_a_bad_link_cannot_be_confirmed_either(client: Any, db: Any) -> None:
    response = client.post("/en/concerns/confirm/not-a-real-token/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
