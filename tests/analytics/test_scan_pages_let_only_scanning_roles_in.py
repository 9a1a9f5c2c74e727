"""Who may open the scanning pages: the scanning roles (analysts, officers, supervisors,
organisation administrators) get the pages; partner staff, oversight and residents get a
403; anonymous visitors are sent to sign in. Nothing is run for a refused request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ourbeat.analytics.models import AnalysisRun

pytestmark = pytest.mark.django_db

PAGES = ["home", "hotspots", "emerging", "near_repeats", "repeats", "evaluation"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["analyst", "officer", "supervisor", "org_admin", "site_admin"])
def test_scanning_roles_open_every_page(
    personas: Any, client_for: Any, persona: str, page: str
) -> None:
    response = client_for(personas[persona]).get(reverse(f"staff_analytics:{page}"))
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["partner_staff", "oversight", "resident"])
def test_other_people_are_refused(personas: Any, client_for: Any, persona: str, page: str) -> None:
    response = client_for(personas[persona]).get(
        reverse(f"staff_analytics:{page}"), {"category": "burglary"}
    )
    assert response.status_code == 403
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client_for: Any, page: str) -> None:
    url = reverse(f"staff_analytics:{page}")
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_officer_must_choose_one_of_their_areas(
    personas: Any, town: Any, client_for: Any
) -> None:
    """The officer covers one neighbourhood: the whole force is not theirs to analyse."""
    client = client_for(personas["officer"])
    page = client.get(reverse("staff_analytics:hotspots"))
    html = page.content.decode()
    assert f'value="{town.home.slug}"' in html
    assert f'value="{town.elsewhere.slug}"' not in html
    refused = client.get(reverse("staff_analytics:hotspots"), {"category": "burglary"})
    assert refused.status_code == 400
    assert "Choose one of the areas you cover" in refused.content.decode()
    other = client.get(reverse("staff_analytics:hotspots"), {"area": town.elsewhere.slug})
    assert other.status_code == 400
    assert not AnalysisRun.objects.exists()


def test_a_run_is_shown_only_to_those_who_cover_its_area(
    personas: Any, town: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas["analyst"]).get(
            reverse("staff_analytics:repeats"), {"area": town.elsewhere.slug}
        )
    run = AnalysisRun.objects.get()
    url = reverse("staff_analytics:run", kwargs={"pk": run.pk})
    assert client_for(personas["analyst"]).get(url).status_code == 200
    assert client_for(personas["officer"]).get(url).status_code == 403
    assert client_for(personas["partner_staff"]).get(url).status_code == 403
    assert client_for(personas["oversight"]).get(url).status_code == 403
