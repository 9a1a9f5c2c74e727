"""The triage queue: each persona sees the concerns of their organisation and area scope,
in the tabs new / overdue / mine / unassigned / all open; handlers bulk-assign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from ourbeat.concerns.models import Category, Concern, Status
from ourbeat.concerns.services import concern_submit
from ourbeat.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def submit(area: Any, code: str, user: Any, text: str = "Needles by the swings") -> Concern:
    category = Category.objects.get(code=code)
    return concern_submit(
        category=category,
        latitude=area.centre_lat,
        longitude=area.centre_lng,
        description=text,
        user=user,
        reporter_name="Robin Resident",
        reporter_phone="07700 900123",
    ).concern


@pytest.fixture
def concerns(town: Any, personas: dict[str, Any]) -> dict[str, Concern]:
    resident = personas["resident"]
    return {
        "home": submit(town.home, "asb-noise", resident, "Loud music at night"),
        "elsewhere": submit(town.elsewhere, "asb-noise", resident, "Shouting in the square"),
        "council": submit(town.home, "street-light", resident, "The alley light is out"),
    }


def page(client: Any, view: str = "open", q: str = "") -> str:
    response = client.get("/en/staff/concerns/", {"view": view, "q": q})
    assert response.status_code == 200
    return response.content.decode()


def listed(client: Any, concern: Concern, view: str = "open") -> bool:
    """Whether the queue tab lists the concern (found by its reference: the demo town fills
    the queue with many more)."""
    return f">{concern.reference}</a>" in page(client, view, concern.reference)


def test_the_officer_sees_their_neighbourhood_only(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["officer"])
    assert listed(client, concerns["home"])
    assert not listed(client, concerns["elsewhere"])
    assert not listed(client, concerns["council"])


def test_the_supervisor_sees_the_district_and_the_org_admin_everything_of_the_force(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["supervisor"])
    assert listed(client, concerns["home"])
    assert not listed(client, concerns["elsewhere"])
    client = client_for(personas["org_admin"])
    assert listed(client, concerns["home"])
    assert listed(client, concerns["elsewhere"])
    assert not listed(client, concerns["council"])


def test_partner_staff_see_only_what_is_routed_to_their_agency(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["partner_staff"])
    assert listed(client, concerns["council"])
    assert not listed(client, concerns["home"])
    assert not listed(client, concerns["elsewhere"])


def test_the_analyst_reads_the_queue_but_cannot_assign(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["analyst"])
    html = page(client)
    assert listed(client, concerns["home"])
    assert 'name="concerns"' not in html
    response = client.post(
        "/en/staff/concerns/assign/",
        {"concerns": [concerns["home"].pk], "assignee": personas["officer"].pk},
    )
    assert response.status_code == 403
    assert Concern.objects.get(pk=concerns["home"].pk).assigned_to is None


@pytest.mark.parametrize("persona", ["oversight", "resident"])
def test_oversight_and_residents_have_no_queue(
    client_for: Any, personas: dict[str, Any], persona: str
) -> None:
    assert client_for(personas[persona]).get("/en/staff/concerns/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client_for: Any) -> None:
    response = client_for(None).get("/en/staff/concerns/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_tabs_sort_concerns_by_state(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    officer = personas["officer"]
    client = client_for(officer)
    home = concerns["home"]
    a_month_ago = timezone.now() - timedelta(days=30)
    with mock.patch("django.utils.timezone.now", return_value=a_month_ago):
        late = submit(home.area, "asb-groups", officer, "Late")
    assert listed(client, home, "new")
    assert listed(client, late, "overdue")
    assert not listed(client, home, "overdue")
    assert listed(client, home, "unassigned")
    assert not listed(client, home, "mine")

    response = client.post(
        "/en/staff/concerns/assign/",
        {"concerns": [home.pk, late.pk], "assignee": officer.pk, "view": "unassigned"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?view=unassigned")
    assert listed(client, home, "mine")
    assert not listed(client, home, "unassigned")
    event = AuditEvent.objects.filter(action="concerns.concern.assign").latest("id")
    assert event.actor_id == officer.pk
    assert sorted(event.data["concerns"]) == sorted([home.pk, late.pk])

    Concern.objects.filter(pk=home.pk).update(status=Status.ACKNOWLEDGED)
    assert not listed(client, home, "new")
    assert listed(client, home, "open")
    Concern.objects.filter(pk=home.pk).update(status=Status.RESOLVED)
    assert not listed(client, home, "open")


def test_bulk_assign_offers_only_staff_of_the_same_organisation(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["supervisor"])
    html = page(client)
    assert personas["officer"].email in html
    assert personas["partner_staff"].email not in html
    response = client.post(
        "/en/staff/concerns/assign/",
        {"concerns": [concerns["home"].pk], "assignee": personas["partner_staff"].pk},
    )
    assert response.status_code == 302
    assert Concern.objects.get(pk=concerns["home"].pk).assigned_to is None


def test_assigning_a_concern_out_of_scope_is_refused(
    client_for: Any, personas: dict[str, Any], concerns: dict[str, Concern]
) -> None:
    client = client_for(personas["officer"])
    client.post(
        "/en/staff/concerns/assign/",
        {"concerns": [concerns["elsewhere"].pk], "assignee": personas["officer"].pk},
    )
    assert Concern.objects.get(pk=concerns["elsewhere"].pk).assigned_to is None


def test_the_queue_costs_a_fixed_number_of_queries(
    client_for: Any, personas: dict[str, Any], town: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        submit(town.home, "asb-noise", personas["resident"], f"Noise {n}")
    client = client_for(personas["officer"])
    client.get("/en/staff/concerns/")
    with django_assert_max_num_queries(20):
        client.get("/en/staff/concerns/?view=open")
