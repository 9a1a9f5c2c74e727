"""Each concern stores when its published commitment falls due (first response and
resolution plan, in working days from the day of the report) and when staff first
responded; the resident is shown the same dates. Rows from before these columns existed
are filled by the migration with the same values."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import numpy as np
import pytest
from django.apps import apps
from django.utils import timezone

from ourbeat.concerns import services
from ourbeat.concerns.models import Category, Concern, Status
from tests.concerns.test_report_helpers import REPORT_URL, report_data

pytestmark = pytest.mark.django_db

FIELDS = ["first_response_due", "resolution_plan_due", "first_responded_at"]


def working_days_after(day: date, days: int) -> date:
    return date.fromisoformat(str(np.busday_offset(day, days, roll="forward")))


def test_a_report_stores_the_due_dates_it_promises_the_resident(town: Any, client: Any) -> None:
    data = report_data(town.home, category="drugs-litter")
    response = client.post(REPORT_URL, data)
    page = client.get(response["Location"]).content.decode()
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    category = Category.objects.get(code="drugs-litter")
    reported = timezone.localdate(concern.created_at)
    assert concern.first_response_due == working_days_after(reported, category.first_response_days)
    assert concern.resolution_plan_due == working_days_after(
        reported, category.resolution_plan_days
    )
    assert concern.first_responded_at is None
    assert f"(by {concern.first_response_due:%-d %B %Y})" in page
    assert f"(by {concern.resolution_plan_due:%-d %B %Y})" in page


def test_the_first_public_word_from_staff_is_recorded_once(
    town: Any, personas: dict[str, Any]
) -> None:
    officer = personas["officer"]
    concern = services.concern_submit(
        category=Category.objects.get(code="asb-noise"),
        latitude=town.home.centre_lat,
        longitude=town.home.centre_lng,
        description="Loud music",
        user=personas["resident"],
    ).concern
    services.concern_note(concern=concern, actor=officer, text="Internal only.")
    concern.refresh_from_db()
    assert concern.first_responded_at is None  # an internal note is not a response
    update = services.concern_set_status(concern=concern, actor=officer, status=Status.ACKNOWLEDGED)
    concern.refresh_from_db()
    assert concern.first_responded_at == update.created_at
    services.concern_respond(concern=concern, actor=officer, text="We are on it.")
    concern.refresh_from_db()
    assert concern.first_responded_at == update.created_at


def test_the_migration_fills_every_existing_concern_as_the_services_would(town: Any) -> None:
    stored = {row[0]: row[1:] for row in Concern.objects.values_list("pk", *FIELDS)}
    assert any(row[2] is not None for row in stored.values())
    assert any(row[2] is None for row in stored.values())
    Concern.objects.update(**dict.fromkeys(FIELDS))
    migration = importlib.import_module("ourbeat.concerns.migrations.0003_commitment_due_dates")
    migration.fill(apps, None)
    filled = {row[0]: row[1:] for row in Concern.objects.values_list("pk", *FIELDS)}
    assert filled == stored
