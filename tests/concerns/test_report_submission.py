"""A resident reports a concern: signed out, it waits for the e-mailed confirmation link;
signed in, it is confirmed at once."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from ourbeat.concerns.models import Concern
from tests.concerns.test_report_helpers import REPORT_URL, report_data


def test_the_report_page_says_first_that_emergencies_go_to_the_emergency_number(
    town: Any, client: Any
) -> None:
    html = client.get(REPORT_URL).content.decode()
    assert html.index(f"Call {town.force.emergency_number} now") < html.index("<h1>")


def test_categories_are_grouped_and_in_the_readers_language(town: Any, client: Any) -> None:
    html = client.get("/ru/report/").content.decode()
    assert '<optgroup label="Наркотики">' in html
    assert "Шприцы и мусор от наркотиков" in html


def test_a_signed_out_resident_confirms_through_the_emailed_link(town: Any, client: Any) -> None:
    data = report_data(town.home)
    response = client.post(REPORT_URL, data)
    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert concern.confirmed_at is None
    assert concern.reporter.email == "robin@example.org"
    assert concern.reporter.show_name is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["robin@example.org"]
    link = re.search(r"https?://\S+/concerns/confirm/\S+/", str(mail.outbox[0].body))
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200
    assert concern.reference in page.content.decode()
    assert "Confirm my report" in page.content.decode()
    page = client.post(path, follow=True)
    assert page.status_code == 200
    assert "Your report is confirmed" in page.content.decode()
    assert "working days" in page.content.decode()
    concern.refresh_from_db()
    assert concern.confirmed_at is not None


def test_a_signed_in_resident_is_confirmed_at_once(
    town: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas["resident"])
    data = report_data(town.home, email="")
    response = client.post(REPORT_URL, data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert concern.reference in page
    assert concern.confirmed_at is not None
    assert concern.reporter.user == personas["resident"]
    assert mail.outbox == []


def test_answers_to_the_categorys_questions_are_kept(town: Any, client: Any) -> None:
    data = report_data(town.home, category="asb-noise", answer_time_of_day="night")
    step_two = client.get(
        REPORT_URL, {k: data[k] for k in ("lat", "lng", "location_text", "category")}
    )
    assert "When does it happen most?" in step_two.content.decode()
    assert client.post(REPORT_URL, data).status_code == 302
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert concern.answers == {"time_of_day": "night"}


def test_an_unknown_confirmation_link_is_a_404_with_a_message(client: Any, db: Any) -> None:
    response = client.get("/en/concerns/confirm/not-a-real-token/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
