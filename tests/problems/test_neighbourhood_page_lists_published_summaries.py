"""A neighbourhood's public page lists the published summaries of the cases in it, and only
those: publishing, rewriting and withdrawing a summary change the (cached) page at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ourbeat.problems import services_workspace
from ourbeat.problems.models import Problem

pytestmark = pytest.mark.django_db


def _page(client: Any, area: Any) -> str:
    response = client.get(reverse("places:neighbourhood", kwargs={"slug": area.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_publishing_and_withdrawing_show_on_the_cached_neighbourhood_page(
    town: Any, personas: Any, client_for: Any
) -> None:
    officer = personas["officer"]
    public = client_for(None)
    problem = Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title="Restricted working title",
        cells=["89195da49b7ffff"],
    )
    other = Problem.objects.create(
        organisation=town.force, area=town.elsewhere, title="Elsewhere", cells=[]
    )
    services_workspace.summary_write(
        actor=officer,
        problem=problem,
        public_title="Quieter evenings on Mill Lane",
        public_summary="Residents, the council and the team are working on it.",
    )
    # Cache the page before anything is published.
    assert "Quieter evenings on Mill Lane" not in _page(public, town.home)

    services_workspace.summary_publish(actor=officer, problem=problem, publish=True)
    page = _page(public, town.home)
    assert "Quieter evenings on Mill Lane" in page
    assert reverse("problems:detail", kwargs={"pk": problem.pk}) in page
    assert "Restricted working title" not in page

    services_workspace.summary_write(
        actor=officer,
        problem=problem,
        public_title="Calmer evenings on Mill Lane",
        public_summary="Residents, the council and the team are working on it.",
    )
    page = _page(public, town.home)
    assert "Calmer evenings on Mill Lane" in page
    assert "Quieter evenings on Mill Lane" not in page

    services_workspace.summary_write(
        actor=personas["site_admin"],
        problem=other,
        public_title="Elsewhere summary",
        public_summary="Text.",
    )
    services_workspace.summary_publish(actor=personas["site_admin"], problem=other, publish=True)
    assert "Elsewhere summary" not in _page(public, town.home), "another area's case"

    services_workspace.summary_publish(actor=officer, problem=problem, publish=False)
    assert "Calmer evenings on Mill Lane" not in _page(public, town.home)
