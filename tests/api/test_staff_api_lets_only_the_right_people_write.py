"""Staff writes through the API: anonymous callers get a 401, roles and areas that may not
write get a 403, and the officer of the area gets a 201 with an audit event. Every refusal
is a JSON body and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import write_counts

LOG = "/api/v1/staff/areas/{slug}/visibility-logs"
CHANGE = "/api/v1/staff/contact-points/{pk}/occurrence-changes"


def log_payload() -> dict[str, Any]:
    return {
        "day": (date.today() - timedelta(days=1)).isoformat(),
        "metric": "surgeries",
        "amount": "1.5",
        "note": "Library surgery, 7 residents",
    }


def post(client: Any, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, payload, content_type="application/json")


def assert_refused(response: Any, status: int, before: dict[str, int]) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert write_counts() == before


def test_an_anonymous_caller_gets_a_401_and_nothing_is_written(
    client_for: Any, town: Any, home_surgery: Any
) -> None:
    point, start = home_surgery
    before = write_counts()
    client = client_for(None)
    assert_refused(post(client, LOG.format(slug=town.home.slug), log_payload()), 401, before)
    payload = {"original_start": start.isoformat(), "status": "cancelled"}
    assert_refused(post(client, CHANGE.format(pk=point.pk), payload), 401, before)


def test_the_officer_of_the_area_logs_visibility_with_an_audit_event(
    client_for: Any, town: Any, personas: Any
) -> None:
    from ourbeat.core.models import AuditEvent
    from ourbeat.teams.models import VisibilityLog

    officer = personas["officer"]
    response = post(client_for(officer), LOG.format(slug=town.home.slug), log_payload())
    assert response.status_code == 201, response.content
    entry = VisibilityLog.objects.get(pk=response.json()["id"])
    assert (entry.area, entry.logged_by, entry.metric, entry.amount) == (
        town.home,
        officer,
        "surgeries",
        Decimal("1.5"),
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id, event.object_id) == (
        "teams.visibility.log",
        officer.pk,
        str(entry.pk),
    )


def test_the_officer_of_the_area_cancels_an_occurrence_with_an_audit_event(
    client_for: Any, personas: Any, home_surgery: Any
) -> None:
    from ourbeat.core.models import AuditEvent
    from ourbeat.teams.models import OccurrenceChange

    point, start = home_surgery
    payload = {"original_start": start.isoformat(), "status": "cancelled", "reason": "Flood"}
    response = post(client_for(personas["officer"]), CHANGE.format(pk=point.pk), payload)
    assert response.status_code == 201, response.content
    change = OccurrenceChange.objects.get(pk=response.json()["id"])
    assert (change.contact_point, change.original_start, change.status, change.reason) == (
        point,
        start,
        "cancelled",
        "Flood",
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id) == ("teams.occurrence.cancelled", personas["officer"].pk)


def test_an_occurrence_moves_to_a_new_time_and_venue(
    client_for: Any, personas: Any, home_surgery: Any
) -> None:
    from ourbeat.teams.models import OccurrenceChange

    point, start = home_surgery
    payload = {
        "original_start": start.isoformat(),
        "status": "moved",
        "new_start": (start + timedelta(days=2)).isoformat(),
        "new_venue": "Community Centre",
    }
    response = post(client_for(personas["officer"]), CHANGE.format(pk=point.pk), payload)
    assert response.status_code == 201, response.content
    change = OccurrenceChange.objects.get(pk=response.json()["id"])
    assert (change.new_start, change.new_venue) == (start + timedelta(days=2), "Community Centre")


def test_a_time_without_a_zone_is_the_local_wall_clock_time(
    client_for: Any, personas: Any, home_surgery: Any
) -> None:
    from ourbeat.teams.models import OccurrenceChange
    from ourbeat.teams.schedule import local_zone

    point, start = home_surgery
    naive = start.astimezone(local_zone()).replace(tzinfo=None).isoformat()
    payload = {"original_start": naive, "status": "cancelled"}
    response = post(client_for(personas["officer"]), CHANGE.format(pk=point.pk), payload)
    assert response.status_code == 201, response.content
    assert OccurrenceChange.objects.get(pk=response.json()["id"]).original_start == start


def test_the_officer_may_not_write_for_another_area(
    client_for: Any, town: Any, personas: Any
) -> None:
    from ourbeat.teams.models import ContactKind

    client = client_for(personas["officer"])  # signing in writes its own audit event
    before = write_counts()
    assert_refused(post(client, LOG.format(slug=town.elsewhere.slug), log_payload()), 403, before)
    point = town.elsewhere.contact_points.get(kind=ContactKind.SURGERY)
    payload = {"original_start": point.starts_at.isoformat(), "status": "cancelled"}
    assert_refused(post(client, CHANGE.format(pk=point.pk), payload), 403, before)


@pytest.mark.parametrize(
    ("role", "logs", "edits"),
    [
        ("resident", False, False),
        ("partner_staff", False, False),
        ("analyst", False, False),
        ("oversight", False, False),
        ("org_admin", False, True),
        ("supervisor", True, True),
        ("site_admin", True, True),
    ],
)
def test_each_role_writes_only_what_it_may(
    client_for: Any, town: Any, personas: Any, home_surgery: Any, role: str, logs: bool, edits: bool
) -> None:
    point, start = home_surgery
    client = client_for(personas[role])
    before = write_counts()
    response = post(client, LOG.format(slug=town.home.slug), log_payload())
    if logs:
        assert response.status_code == 201, response.content
    else:
        assert_refused(response, 403, before)
    before = write_counts()
    payload = {"original_start": start.isoformat(), "status": "cancelled"}
    response = post(client, CHANGE.format(pk=point.pk), payload)
    if edits:
        assert response.status_code == 201, response.content
    else:
        assert_refused(response, 403, before)


def test_the_supervisor_may_not_write_outside_their_district(
    client_for: Any, town: Any, personas: Any
) -> None:
    client = client_for(personas["supervisor"])
    before = write_counts()
    response = post(client, LOG.format(slug=town.elsewhere.slug), log_payload())
    assert_refused(response, 403, before)


def test_staff_without_two_factor_authentication_get_a_403(client_for: Any, town: Any) -> None:
    from ourbeat.accounts.models import Membership, Role
    from tests.fixtures.personas import make_user

    officer = make_user("no-totp@example.org", totp=False)
    Membership.objects.create(
        user=officer, organisation=town.force, area=town.home, role=Role.OFFICER
    )
    client = client_for(officer)
    before = write_counts()
    response = post(client, LOG.format(slug=town.home.slug), log_payload())
    assert_refused(response, 403, before)
    assert "two-factor" in response.json()["detail"]


def test_writes_to_unknown_areas_and_contact_points_are_404s(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas["site_admin"])
    before = write_counts()
    assert_refused(post(client, LOG.format(slug="no-such-place"), log_payload()), 404, before)
    payload = {"original_start": "2030-01-01T10:00:00Z", "status": "cancelled"}
    assert_refused(post(client, CHANGE.format(pk=999999), payload), 404, before)
    assert_refused(
        post(client, "/api/v1/staff/contact-points/abc/occurrence-changes", payload), 422, before
    )
