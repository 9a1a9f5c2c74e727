"""The case list: lead staff see the cases of the areas they cover; partner staff only the
cases their agency is a member of (and 403 on the others); filters by stage and area."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ourbeat.problems import services
from ourbeat.problems.models import Problem

pytestmark = pytest.mark.django_db

LIST = reverse("staff_problems:list")


def _case(town: Any, actor: Any, area: Any, title: str) -> Problem:
    return services.problem_open(actor=actor, organisation=town.force, area=area, title=title)


def _listed(html: str) -> set[int]:
    table = re.search(r'<table id="case-list">.*?</table>', html, re.S)
    assert table is not None
    return {int(pk) for pk in re.findall(r'href="/en/staff/problems/(\d+)/"', table.group(0))}


def test_partner_staff_see_only_their_agencys_cases(
    town: Any, personas: Any, client_for: Any
) -> None:
    site_admin = personas["site_admin"]
    shared = _case(town, site_admin, town.home, "Shared with the council")
    police_only = _case(town, site_admin, town.home, "Police only")
    services.member_add(actor=site_admin, problem=shared, organisation=town.council, role="Housing")
    partner = client_for(personas["partner_staff"])
    response = partner.get(LIST)
    assert response.status_code == 200
    listed = _listed(response.content.decode())
    assert shared.pk in listed
    assert police_only.pk not in listed
    assert "Open a problem" not in response.content.decode()
    expected = set(
        Problem.objects.filter(members__organisation=town.council).values_list("pk", flat=True)
    )
    assert listed == expected
    assert (
        partner.get(reverse("staff_problems:detail", kwargs={"pk": police_only.pk})).status_code
        == 403
    )
    assert (
        partner.get(reverse("staff_problems:analysis", kwargs={"pk": police_only.pk})).status_code
        == 403
    )


def test_lead_staff_see_the_cases_of_their_areas_and_filter_them(
    town: Any, personas: Any, client_for: Any
) -> None:
    site_admin = personas["site_admin"]
    mine = _case(town, site_admin, town.home, "In my neighbourhood")
    other = _case(town, site_admin, town.elsewhere, "In the other district")
    officer = client_for(personas["officer"])
    html = officer.get(LIST).content.decode()
    assert "Open a problem" in html
    listed = _listed(html)
    assert mine.pk in listed
    assert other.pk not in listed
    assert _listed(client_for(personas["analyst"]).get(LIST).content.decode()) >= {
        mine.pk,
        other.pk,
    }
    services.problem_move(actor=site_admin, problem=mine, stage="analysis")
    analyst = client_for(personas["analyst"])
    at_analysis = _listed(analyst.get(LIST, {"stage": "analysis"}).content.decode())
    assert mine.pk in at_analysis
    assert other.pk not in at_analysis
    in_elsewhere = _listed(analyst.get(LIST, {"area": town.elsewhere.slug}).content.decode())
    assert other.pk in in_elsewhere
    assert mine.pk not in in_elsewhere


def test_people_without_problem_roles_are_refused(personas: Any, client_for: Any) -> None:
    assert client_for(personas["oversight"]).get(LIST).status_code == 403
    assert client_for(personas["resident"]).get(LIST).status_code == 403


def test_a_long_list_comes_in_pages_that_keep_the_filter(
    town: Any, personas: Any, client_for: Any
) -> None:
    from ourbeat.problems.views.cases import CASES_PER_PAGE

    existing = Problem.objects.filter(stage="analysis").count()
    Problem.objects.bulk_create(
        [
            Problem(organisation=town.force, area=town.home, title=f"Paged {n}", stage="analysis")
            for n in range(CASES_PER_PAGE + 3)
        ]
    )
    client = client_for(personas["org_admin"])
    first = client.get(LIST, {"stage": "analysis"}).content.decode()
    assert len(_listed(first)) == CASES_PER_PAGE
    assert "stage=analysis&amp;area=&amp;page=2" in first
    second = client.get(LIST, {"stage": "analysis", "page": 2}).content.decode()
    assert len(_listed(second)) == existing + CASES_PER_PAGE + 3 - CASES_PER_PAGE
    assert not _listed(first) & _listed(second)
    # A page number that is not one shows the first page, not an error.
    assert client.get(LIST, {"page": "'; DROP TABLE x; --"}).status_code == 200
