"""The recurring-concerns endpoint of the staff API (django-ninja), mounted here on an API of
the test's own, exactly as ``api.py`` mounts it (under ``/staff/``): a signed-in analyst
with a second factor gets the groups as JSON; anonymous callers get a 401, partner staff and
staff without a second factor a 403; bad parameters a 400 with a JSON ``detail``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI

from ourbeat.api.recurring_api import build_router
from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_submit
from tests.fixtures.personas import make_user

test_api = NinjaAPI(urls_namespace="recurring_api_test", version="recurring-test")
test_api.add_router("/staff/", build_router())
urlpatterns = [path("api/v1/", test_api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/api/v1/staff/analytics/recurring-concerns"
TEXTS = [
    "Не горит фонарь у подъезда дома 7 по Садовой улице уже вторую неделю.",
    "Уже вторую неделю не горит фонарь у подъезда дома 7 на Садовой.",
    "не горит фонарь у подъезда дома 7 по садовой уже вторую неделю!",
]


@pytest.fixture
def planted(town: Any, personas: dict[str, Any]) -> list[Concern]:
    concerns = []
    for index, text in enumerate(TEXTS):
        concern = concern_submit(
            category=Category.objects.get(code="street-light"),
            latitude=town.home.centre_lat,
            longitude=town.home.centre_lng + 20 * index / 70_000,
            description=text,
            user=personas["resident"],
            reporter_email="reporter@example.net",
        ).concern
        Concern.objects.filter(pk=concern.pk).update(
            created_at=timezone.now() - timedelta(days=12 - 4 * index)
        )
        concerns.append(concern)
    return concerns


def assert_json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    assert "<script>" not in response.content.decode()
    return body


def test_a_signed_in_analyst_gets_the_groups_as_json(
    client_for: Any, town: Any, personas: dict[str, Any], planted: list[Concern]
) -> None:
    response = client_for(personas["analyst"]).get(URL, {"area": town.home.slug})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["area"] == town.home.slug
    assert body["scorer"]
    assert date.fromisoformat(body["start"]) == timezone.localdate() - timedelta(days=89)
    assert date.fromisoformat(body["end"]) == timezone.localdate()
    mine = [c for c in body["clusters"] if set(c["concerns"]) & {p.reference for p in planted}]
    assert len(mine) == 1
    assert set(mine[0]["concerns"]) == {p.reference for p in planted}
    assert mine[0]["size"] == 3
    assert mine[0]["neighbourhood"] == town.home.slug
    assert mine[0]["categories"] == [
        {"name": Category.objects.get(code="street-light").label, "count": 3}
    ]
    assert "reporter@example.net" not in response.content.decode()


def test_the_category_filter_and_an_empty_answer(
    client_for: Any, town: Any, personas: dict[str, Any], planted: list[Concern]
) -> None:
    client = client_for(personas["analyst"])
    other = client.get(URL, {"area": town.home.slug, "category": "roads-speeding"}).json()
    assert not any(planted[0].reference in c["concerns"] for c in other["clusters"])
    old = client.get(URL, {"start": "2020-01-01", "end": "2020-03-31"})
    assert old.status_code == 200
    assert old.json()["clusters"] == []


def test_anonymous_callers_get_a_401_and_partner_staff_a_403(
    client_for: Any, personas: dict[str, Any]
) -> None:
    assert_json_error(client_for(None).get(URL), 401)
    assert_json_error(client_for(personas["partner_staff"]).get(URL), 403)
    assert_json_error(client_for(personas["oversight"]).get(URL), 403)


def test_staff_without_a_second_factor_get_a_403(client_for: Any, town: Any) -> None:
    from ourbeat.accounts.models import Membership, Role

    analyst = make_user("no-totp-analyst@example.org", totp=False)
    Membership.objects.create(user=analyst, organisation=town.force, role=Role.ANALYST)
    assert_json_error(client_for(analyst).get(URL), 403)


def test_an_officer_may_not_ask_for_an_area_they_do_not_cover(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    body = assert_json_error(
        client_for(personas["officer"]).get(URL, {"area": town.elsewhere.slug}), 400
    )
    assert "area" in body["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2024-02-30"}, "start"),
        ({"end": "01/02/2024"}, "end"),
        ({"start": "2024-03-01", "end": "2024-02-29"}, "end"),
        ({"start": "2000-01-01", "end": "2024-12-31"}, "end"),
        ({"start": "2024-01-01", "end": "2025-01-01"}, "end"),
        ({"area": "no-such-area"}, "area"),
        ({"area": "<script>alert(1)</script>"}, "area"),
        ({"area": "a\x00b"}, "area"),
        ({"category": "x" * 5000}, "category"),
        ({"start": "😀" * 10}, "start"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_field(
    client_for: Any, personas: dict[str, Any], query: dict[str, str], field: str
) -> None:
    body = assert_json_error(client_for(personas["analyst"]).get(URL, query), 400)
    assert field in body["detail"]


def test_a_period_of_exactly_366_days_is_accepted(
    client_for: Any, personas: dict[str, Any]
) -> None:
    response = client_for(personas["analyst"]).get(
        URL, {"start": "2024-01-01", "end": "2024-12-31"}
    )
    assert response.status_code == 200, response.content[:300]
