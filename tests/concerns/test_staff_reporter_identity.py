"""The reporter's identity is shown to the handling staff only on request, and each look is
recorded in the audit log with who looked."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_submit
from ourbeat.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(town: Any) -> Concern:
    return concern_submit(
        category=Category.objects.get(code="asb-groups"),
        latitude=town.home.centre_lat,
        longitude=town.home.centre_lng,
        description="Groups outside the shop",
        reporter_name="Quentin Quill",
        reporter_email="quentin.quill@example.net",
        reporter_phone="07700 900789",
    ).concern


def test_the_concern_page_hides_the_reporter_until_asked(
    client_for: Any, personas: dict[str, Any], concern: Concern
) -> None:
    html = client_for(personas["officer"]).get(f"/en/staff/concerns/{concern.reference}/")
    text = html.content.decode()
    for detail in ("Quentin Quill", "quentin.quill@example.net", "07700 900789"):
        assert detail not in text
    assert not AuditEvent.objects.filter(action="concerns.reporter.view").exists()


def test_asking_shows_the_contact_details_and_records_who_looked(
    client_for: Any, personas: dict[str, Any], concern: Concern
) -> None:
    officer = client_for(personas["officer"])
    assert officer.get(f"/en/staff/concerns/{concern.reference}/reporter/").status_code == 405
    response = officer.post(f"/en/staff/concerns/{concern.reference}/reporter/")
    assert response.status_code == 200
    text = response.content.decode()
    for detail in ("Quentin Quill", "quentin.quill@example.net", "07700 900789"):
        assert detail in text
    event = AuditEvent.objects.filter(action="concerns.reporter.view").get()
    assert event.actor_id == personas["officer"].pk
    assert event.object_id == str(concern.pk)
    assert event.data == {"viewer": personas["officer"].email}


@pytest.mark.parametrize("persona", ["analyst", "partner_staff", "oversight", "resident"])
def test_staff_who_do_not_handle_the_concern_cannot_see_the_reporter(
    client_for: Any, personas: dict[str, Any], concern: Concern, persona: str
) -> None:
    response = client_for(personas[persona]).post(
        f"/en/staff/concerns/{concern.reference}/reporter/"
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="concerns.reporter.view").exists()
