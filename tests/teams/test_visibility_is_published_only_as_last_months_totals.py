"""Patrol logs are never public as such: the public sees the commitment next to last
month's totals, never the running month's, and never a single log row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ourbeat.teams import services
from ourbeat.teams.models import VisibilityCommitment, VisibilityLog
from ourbeat.teams.selectors import previous_month, visibility_summary

SECRET_NOTE = "Zq7 stakeout behind the bakery"


def test_the_page_shows_last_months_total_next_to_the_commitment(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    area = town.home
    today = timezone.localdate()
    last_month = previous_month(today)
    VisibilityLog.objects.filter(area=area).delete()
    VisibilityCommitment.objects.update_or_create(
        area=area, metric="school_visits", defaults={"monthly_target": Decimal("3")}
    )
    for day, amount in ((last_month, "2"), (last_month + timedelta(days=5), "2.5")):
        VisibilityLog.objects.create(area=area, day=day, metric="school_visits", amount=amount)
    services.visibility_log_add(
        area=area,
        actor=personas["officer"],
        day=today,
        metric="school_visits",
        amount=Decimal("40"),
        note=SECRET_NOTE,
    )
    month, rows = visibility_summary(area, today)
    row = next(r for r in rows if r.metric == "school_visits")
    assert (month, row.target, row.delivered, row.met) == (last_month, 3, Decimal("4.5"), True)

    anonymous = client_for(None)
    html = anonymous.get(f"/en/n/{area.slug}/").content.decode()
    table = html[html.index('<table class="visibility">') :]
    table = table[: table.index("</table>")]
    school = table[table.index("School visits") :].split("</tr>")[0]
    assert "<td>3</td>" in school
    assert "<td>4.5 " in school  # last month's total, not this month's 40 (nor 44.5)
    api = anonymous.get(f"/api/v1/areas/{area.slug}/visibility").json()
    school = next(r for r in api if r["metric"] == "school_visits")
    assert Decimal(str(school["delivered"])) == Decimal("4.5")
    assert school["month"] == last_month.strftime("%Y-%m")


def test_a_log_entry_never_appears_on_any_public_page_or_api(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    area = town.home
    services.visibility_log_add(
        area=area,
        actor=personas["officer"],
        day=timezone.localdate(),
        metric="foot_patrol_hours",
        amount=Decimal("3"),
        note=SECRET_NOTE,
    )
    anonymous = client_for(None)
    urls = [
        "/en/",
        f"/en/n/{area.slug}/",
        f"/en/n/{area.slug}/team/",
        f"/en/n/{area.slug}/calendar.ics",
        f"/api/v1/areas/{area.slug}",
        f"/api/v1/areas/{area.slug}/visibility",
        f"/api/v1/areas/{area.slug}/contact-points",
        f"/api/v1/areas/{area.slug}/team",
        "/api/v1/areas",
    ]
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert SECRET_NOTE not in response.content.decode(), url
    # The entry is there to be found, for the staff.
    assert VisibilityLog.objects.filter(area=area, note=SECRET_NOTE).exists()


def test_logging_in_the_future_is_refused(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.visibility_log_add(
            area=town.home,
            actor=personas["officer"],
            day=tomorrow,
            metric="surgeries",
            amount=Decimal("1"),
        )
    response = client_for(personas["officer"]).post(
        f"/en/staff/areas/{town.home.slug}/visibility/",
        {"day": tomorrow.isoformat(), "metric": "surgeries", "amount": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["day"]
    assert not VisibilityLog.objects.filter(day=tomorrow).exists()
