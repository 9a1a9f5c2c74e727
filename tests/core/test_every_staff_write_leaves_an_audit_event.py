"""Every staff write, through the staff pages, the API and the admin, leaves an audit event
with a dotted action code, the actor, the object and the data."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.core.audit import verify_chain
from ourbeat.core.models import AuditEvent
from ourbeat.teams.models import ContactPoint
from ourbeat.teams.schedule import occurrences


def _newest(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event"
    return event


@pytest.fixture
def officer(personas: dict[str, Any], client_for: Any) -> Any:
    return client_for(personas["officer"])


@pytest.fixture
def point(town: Any) -> ContactPoint:
    found = ContactPoint.objects.filter(area=town.home).exclude(rrule="").first()
    assert found is not None
    return found


def _next_start(point: ContactPoint) -> Any:
    now = timezone.now()
    return occurrences(point, now, now + timedelta(days=120))[0].original_start


def test_a_profile_update_is_audited(officer: Any, personas: dict[str, Any]) -> None:
    response = officer.post(
        "/en/staff/profile/",
        {"name": "Pat Officer", "rank": "Sergeant", "bio": "Hello", "languages": ["en", "ru"]},
    )
    assert response.status_code == 302
    event = _newest("teams.profile.update")
    assert event.actor_id == personas["officer"].pk
    assert event.object_type == "teams.officerprofile"
    assert event.data["languages"] == ["en", "ru"]
    assert event.data["before"]["rank"] == "Police Constable"


def test_creating_and_updating_a_contact_point_is_audited(
    officer: Any, personas: dict[str, Any], town: Any
) -> None:
    fields = {
        "kind": "surgery",
        "title": "Audit surgery",
        "venue": "Library",
        "starts_at": "2030-01-08T18:00",
        "duration_minutes": "60",
        "rrule": "FREQ=MONTHLY;BYDAY=2TU",
    }
    response = officer.post(f"/en/staff/areas/{town.home.slug}/contact-points/new/", fields)
    assert response.status_code == 302
    created = _newest("teams.contact_point.create")
    point = ContactPoint.objects.get(title="Audit surgery")
    assert (created.object_type, created.object_id) == ("teams.contactpoint", str(point.pk))
    assert created.actor_id == personas["officer"].pk
    assert created.data["venue"] == "Library"

    response = officer.post(f"/en/staff/contact-points/{point.pk}/", {**fields, "venue": "Hall"})
    assert response.status_code == 302
    updated = _newest("teams.contact_point.update")
    assert updated.object_id == str(point.pk)
    assert updated.data["venue"] == "Hall"


def test_cancelling_moving_and_restoring_an_occurrence_is_audited(
    officer: Any, point: ContactPoint
) -> None:
    start = _next_start(point)
    url = f"/en/staff/contact-points/{point.pk}/occurrences/"
    key = start.isoformat()
    assert (
        officer.post(url, {"occurrence": key, "action": "cancelled", "reason": "Ill"}).status_code
        == 302
    )
    assert _newest("teams.occurrence.cancelled").data["reason"] == "Ill"
    new_start = timezone.localtime(start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = officer.post(
        url, {"occurrence": key, "action": "moved", "new_start": new_start, "new_venue": "Hall"}
    )
    assert response.status_code == 302
    moved = _newest("teams.occurrence.moved")
    assert moved.data["new_venue"] == "Hall"
    assert moved.object_id == str(point.pk)
    assert officer.post(url, {"occurrence": key, "action": "restore"}).status_code == 302
    assert _newest("teams.occurrence.restore").data["original_start"] == start.isoformat()


def test_commitments_and_the_visibility_log_are_audited(officer: Any, town: Any) -> None:
    response = officer.post(
        f"/en/staff/areas/{town.home.slug}/commitments/", {"surgeries": "7", "street_stalls": ""}
    )
    assert response.status_code == 302
    assert Decimal(_newest("teams.commitments.set").data["after"]["surgeries"]) == 7
    response = officer.post(
        f"/en/staff/areas/{town.home.slug}/visibility/",
        {"day": timezone.localdate().isoformat(), "metric": "surgeries", "amount": "2"},
    )
    assert response.status_code == 302
    event = _newest("teams.visibility.log")
    assert Decimal(event.data["amount"]) == 2
    assert event.data["area"] == town.home.pk


def test_api_writes_are_audited(officer: Any, town: Any, point: ContactPoint) -> None:
    response = officer.post(
        f"/api/v1/staff/areas/{town.home.slug}/visibility-logs",
        json.dumps({"day": timezone.localdate().isoformat(), "metric": "surgeries", "amount": 1}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert _newest("teams.visibility.log").object_id == str(response.json()["id"])
    response = officer.post(
        f"/api/v1/staff/contact-points/{point.pk}/occurrence-changes",
        json.dumps({"original_start": _next_start(point).isoformat(), "status": "cancelled"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert _newest("teams.occurrence.cancelled").object_id == str(point.pk)


def test_admin_saves_are_audited(personas: dict[str, Any], client_for: Any, town: Any) -> None:
    admin = client_for(personas["site_admin"])
    organisation = town.council
    response = admin.post(
        f"/en/admin/places/organisation/{organisation.pk}/change/",
        {
            "name": "Millbrook Council, renamed",
            "description": organisation.description,
            "engagement_methods": json.dumps(organisation.engagement_methods),
            "slug": organisation.slug,
            "kind": organisation.kind,
            "telephone": organisation.telephone,
            "emergency_number": organisation.emergency_number,
            "url": organisation.url,
            "email": getattr(organisation, "email", ""),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = _newest("admin.places.organisation.update")
    assert event.actor_id == personas["site_admin"].pk
    assert "name" in event.data["fields"]


def test_the_chain_is_intact_after_all_of_it(officer: Any, town: Any) -> None:
    officer.post(f"/en/staff/areas/{town.home.slug}/commitments/", {"surgeries": "3"})
    assert verify_chain().problem is None
