"""A naive bot fills in the field people never see: it is told all went well and nothing
is filed."""

from __future__ import annotations

from typing import Any

from django.core import mail

from ourbeat.concerns.models import Concern, Reporter
from tests.concerns.test_report_helpers import REPORT_URL, report_data


def test_a_filled_honeypot_pretends_success_and_files_nothing(town: Any, client: Any) -> None:
    before = (Concern.objects.count(), Reporter.objects.count())
    response = client.post(REPORT_URL, report_data(town.home, url="http://spam.example"))
    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert (Concern.objects.count(), Reporter.objects.count()) == before
    assert mail.outbox == []


def test_the_honeypot_is_labelled_for_people_who_meet_it(town: Any, client: Any) -> None:
    data = report_data(town.home)
    html = client.get(REPORT_URL, {k: data[k] for k in ("lat", "lng", "category")}).content
    assert b"Leave this field empty" in html
