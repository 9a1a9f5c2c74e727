"""Every staff role needs TOTP: without it the staff site sends them to set it up and the
staff API refuses them; residents use the public site without one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ourbeat.accounts.models import Membership, Role
from tests.fixtures.personas import make_user

STAFF_ROLES = [r for r in Role if r != Role.RESIDENT]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_member_without_totp_is_sent_to_set_it_up(
    role: Role, town: Any, client_for: Any
) -> None:
    user = make_user(f"{role}-no-totp@example.org", totp=False)
    Membership.objects.create(user=user, organisation=town.force, role=role)
    client = client_for(user)
    for url in ("/en/staff/", f"/en/staff/areas/{town.home.slug}/", "/en/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    # The set-up page is reachable, not sent round in a loop: allauth first asks for the
    # password again (a forced sign-in has no recent authentication), then shows it.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith("/en/accounts/")


def test_a_site_admin_without_totp_is_sent_to_set_it_up(town: Any, client_for: Any) -> None:
    user = make_user("root-no-totp@example.org", totp=False, is_staff=True, is_superuser=True)
    response = client_for(user).get("/en/admin/")
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_staff_api_write_without_totp_is_a_403_json(town: Any, client_for: Any) -> None:
    user = make_user("officer-no-totp@example.org", totp=False)
    Membership.objects.create(user=user, organisation=town.force, area=town.home, role=Role.OFFICER)
    response = client_for(user).post(
        f"/api/v1/staff/areas/{town.home.slug}/visibility-logs",
        json.dumps({"day": timezone.localdate().isoformat(), "metric": "surgeries", "amount": 1}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "two-factor" in response.json()["detail"]
    assert not town.home.visibility_logs.filter(logged_by=user).exists()


def test_a_resident_without_totp_uses_the_public_site(
    personas: dict[str, Any], town: Any, client_for: Any
) -> None:
    client = client_for(personas["resident"])
    for url in ("/en/", f"/en/n/{town.home.slug}/", f"/en/n/{town.home.slug}/team/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/api/v1/areas/{town.home.slug}").status_code == 200
    # ...and is not staff: the staff site refuses them rather than asking for TOTP.
    assert client.get("/en/staff/").status_code == 403


def test_staff_with_totp_pass_the_gate(personas: dict[str, Any], client_for: Any) -> None:
    assert client_for(personas["officer"]).get("/en/staff/").status_code == 200
