"""A form sent twice (a double tap, a retry after a timeout) files one concern."""

from __future__ import annotations

from typing import Any

from django.core import mail

from ourbeat.concerns.models import Concern, Reporter
from tests.concerns.test_report_helpers import REPORT_URL, report_data


def test_the_same_key_twice_files_one_concern_and_sends_one_email(town: Any, client: Any) -> None:
    before = (Concern.objects.count(), Reporter.objects.count())
    data = report_data(town.home)
    first = client.post(REPORT_URL, data)
    second = client.post(REPORT_URL, data)
    assert first.status_code == second.status_code == 302
    assert (Concern.objects.count(), Reporter.objects.count()) == (before[0] + 1, before[1] + 1)
    assert len(mail.outbox) == 1


def test_each_rendered_form_carries_a_fresh_key(town: Any, client: Any) -> None:
    data = report_data(town.home)
    place = {k: data[k] for k in ("lat", "lng", "category")}
    first = client.get(REPORT_URL, place).context["form"].initial["idempotency_key"]
    second = client.get(REPORT_URL, place).context["form"].initial["idempotency_key"]
    assert first
    assert second
    assert first != second
