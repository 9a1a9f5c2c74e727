"""Looking at a person's account in the admin is itself an audit event."""

from __future__ import annotations

from typing import Any

from ourbeat.core.models import AuditEvent


def test_a_site_admin_opening_an_account_leaves_an_audit_event_naming_who_looked(
    personas: Any, client_for: Any
) -> None:
    resident = personas["resident"]
    admin = personas["site_admin"]
    response = client_for(admin).get(f"/en/admin/accounts/user/{resident.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="accounts.user.view").latest("id")
    assert event.actor_id == admin.pk
    assert event.object_id == str(resident.pk)


def test_an_account_that_does_not_exist_is_not_logged_as_viewed(
    personas: Any, client_for: Any
) -> None:
    before = AuditEvent.objects.filter(action="accounts.user.view").count()
    response = client_for(personas["site_admin"]).get("/en/admin/accounts/user/999999/change/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.user.view").count() == before
