"""A repeat rule that is not a contact point's (hourly, malformed, with its own DTSTART, an
interval of zero that would never end, several times a day) is a form error, and nothing
is saved."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.teams.models import ContactPoint

BAD_RULES = [
    "FREQ=HOURLY",
    "FREQ=MINUTELY;INTERVAL=1",
    "garbage",
    "FREQ=WEEKLY;BYDAY=XX",
    "DTSTART:20250101T180000\nRRULE:FREQ=WEEKLY",
    "FREQ=WEEKLY;DTSTART=20250101T180000",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;INTERVAL=-3",
    "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12",
    "FREQ=DAILY;BYSECOND=1,2,3",
    "FREQ=",
]


@pytest.mark.parametrize("rule", BAD_RULES)
def test_a_bad_rule_is_a_form_error(
    rule: str, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas["officer"]).post(
        f"/en/staff/areas/{town.home.slug}/contact-points/new/",
        {
            "kind": "surgery",
            "title": "Bad rule",
            "venue": "Library",
            "starts_at": "2030-01-08T18:00",
            "duration_minutes": "60",
            "rrule": rule,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("rrule"), response.context["form"].errors
    assert not ContactPoint.objects.filter(title="Bad rule").exists()


def test_a_good_rule_is_stored_in_its_plain_form(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas["officer"]).post(
        f"/en/staff/areas/{town.home.slug}/contact-points/new/",
        {
            "kind": "surgery",
            "title": "Good rule",
            "venue": "Library",
            "starts_at": "2030-01-08T18:00",
            "duration_minutes": "60",
            "rrule": "RRULE:freq=monthly;byday=2tu",
        },
    )
    assert response.status_code == 302
    assert ContactPoint.objects.get(title="Good rule").rrule == "FREQ=MONTHLY;BYDAY=2TU"
