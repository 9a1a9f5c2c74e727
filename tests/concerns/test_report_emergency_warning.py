"""When the description reads like an emergency or a crime in progress, the resident is
warned again and must say it is not an emergency before the report is accepted."""

from __future__ import annotations

from typing import Any

from ourbeat.concerns.models import Concern
from tests.concerns.test_report_helpers import REPORT_URL, report_data

URGENT = "A man with a knife is breaking in right now next door"


def test_an_urgent_description_is_held_back_with_a_warning(town: Any, client: Any) -> None:
    data = report_data(town.home, description=URGENT)
    before = Concern.objects.count()
    response = client.post(REPORT_URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "sounds like an emergency" in html
    assert f"call {town.force.emergency_number} now" in html
    assert 'name="not_emergency"' in html
    assert Concern.objects.count() == before


def test_ticking_not_an_emergency_lets_it_through(town: Any, client: Any) -> None:
    data = report_data(town.home, description=URGENT, not_emergency="on")
    assert client.post(REPORT_URL, data).status_code == 302
    assert Concern.objects.filter(idempotency_key=data["idempotency_key"]).exists()


def test_an_ordinary_description_needs_no_tick(town: Any, client: Any) -> None:
    html = client.get(REPORT_URL, {"lat": "1", "lng": "1", "category": "asb-noise"}).content
    assert b'name="not_emergency"' not in html
