"""The real sign-in: e-mail and password, then the TOTP code; wrong passwords and wrong
codes are refused, and every sign-in and failed sign-in is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ourbeat.core.models import AuditEvent

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def _current_code(secret: str) -> str:
    """The code for the current period (the counters run from one period back)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _password_step(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_an_officer_signs_in_with_password_then_totp(personas: dict[str, Any]) -> None:
    officer = personas["officer"]
    client = Client()
    response = _password_step(client, officer.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the staff site still asks to sign in.
    assert "/accounts/login/" in client.get("/en/staff/")["Location"]

    response = client.post(
        reverse("mfa_authenticate"), {"code": _current_code(officer.totp_secret)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")
    assert client.get("/en/staff/").status_code == 200
    event = AuditEvent.objects.filter(action="accounts.sign_in").order_by("-id").first()
    assert event is not None
    assert event.actor_id == officer.pk


def test_a_wrong_code_is_refused_and_audited(personas: dict[str, Any]) -> None:
    officer = personas["officer"]
    client = Client()
    _password_step(client, officer.email)
    right = _current_code(officer.totp_secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "/accounts/login/" in client.get("/en/staff/")["Location"]
    event = AuditEvent.objects.filter(action="accounts.mfa.failed").order_by("-id").first()
    assert event is not None
    assert event.object_id == str(officer.pk)
    assert not AuditEvent.objects.filter(action="accounts.sign_in", actor_id=officer.pk).exists()


def test_a_wrong_password_is_refused_and_audited(personas: dict[str, Any]) -> None:
    officer = personas["officer"]
    client = Client()
    response = _password_step(client, officer.email, "not the password")
    assert response.status_code == 200
    assert response.context["form"].errors
    event = AuditEvent.objects.filter(action="accounts.sign_in_failed").order_by("-id").first()
    assert event is not None
    assert event.data == {"email": officer.email}
    assert "not the password" not in str(event.data)


def test_a_resident_without_totp_signs_in_with_a_password_alone(
    personas: dict[str, Any],
) -> None:
    client = Client()
    response = _password_step(client, personas["resident"].email)
    assert response.status_code == 302
    assert response["Location"] != reverse("mfa_authenticate")
    assert client.get("/en/").wsgi_request.user == personas["resident"]


def test_the_admin_sign_in_form_cannot_skip_the_second_factor(
    personas: dict[str, Any],
) -> None:
    admin = personas["site_admin"]
    client = Client()
    response = client.post("/en/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert client.get("/en/admin/").status_code == 302
    assert response.status_code in (301, 302)
    assert "/accounts/login/" in response["Location"]
