"""Opening a problem-solving case: by hand, from a hot spot of a real hot spot run, from a
cluster of concerns and from a neighbourhood priority. Bad input (an empty title, a
10,000-character description, an area the officer does not lead, another organisation's
run) changes nothing; HTML in a title is shown as text."""

from __future__ import annotations

import re
from typing import Any

import h3
import pytest
import shapely
from django.urls import resolve, reverse

from ourbeat.analytics.models import AnalysisRun, RunStatus
from ourbeat.concerns.models import Concern
from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Priority
from ourbeat.places.models import Area, AreaLevel, Organisation, OrganisationKind
from ourbeat.places.selectors import locate_neighbourhood
from ourbeat.problems.models import OriginKind, Problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_cases(db: Any) -> None:
    DEMO_CASES[:] = list(Problem.objects.values_list("pk", flat=True))


DEMO_CASES: list[int] = []

NEW = reverse("staff_problems:new")


def _opened() -> int:
    """Cases opened in this test (the demo town's own worked cases are left out)."""
    return AuditEvent.objects.filter(
        action="problems.problem.open", object_id__in=[str(p.pk) for p in _new_cases()]
    ).count()


def _new_cases() -> Any:
    return Problem.objects.exclude(pk__in=DEMO_CASES)


HOT_SPOTS = {"category": "burglary", "resolution": "9", "permutations": "9999", "seed": "7"}


def _hot_spot_run(client: Any, captured: Any) -> AnalysisRun:
    """The real hot spot analysis of the demo town's burglaries (as the scanning page runs
    it; the queued run is computed when the captured on-commit callbacks run)."""
    with captured(execute=True):
        queued = client.get(reverse("staff_analytics:hotspots"), HOT_SPOTS)
    # The page sends the analyst to the run it queued (or found already computed).
    if queued.status_code == 302:
        run = AnalysisRun.objects.get(pk=resolve(queued["Location"]).kwargs["pk"])
    else:
        run = queued.context["run"]
    assert run.status == RunStatus.DONE, run.error
    return run


def _component(hot: set[str], start: str) -> set[str]:
    """The hot cells connected to ``start``, grown one ring at a time until nothing is
    added (a fixed point, not the search the page uses)."""
    found = {start}
    while True:
        grown = found | {c for cell in found for c in h3.grid_disk(cell, 1) if c in hot}
        if grown == found:
            return found
        found = grown


def test_an_officer_opens_a_case_by_hand_in_the_area_they_lead(
    town: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas["officer"])
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Open a problem" in page.content.decode()
    response = client.post(
        NEW,
        {
            "title": "Burglaries around the station",
            "description": "Sheds broken into at night.",
            "area": town.home.pk,
            "categories": ["burglary"],
        },
    )
    problem = _new_cases().get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_problems:detail", kwargs={"pk": problem.pk})
    assert problem.area == town.home
    assert problem.organisation == town.force
    assert problem.categories == ["burglary"]
    assert problem.origin_kind == OriginKind.MANUAL
    assert problem.opened_by == personas["officer"]
    # With no cells given, the problem place is the area's cells at resolution 9 (those
    # whose centre lies inside the boundary, as H3's own polygon fill gives them).
    assert set(problem.cells) == set(h3.geo_to_cells(town.home.boundary, 9))
    assert _opened() == 1
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Burglaries around the station" in detail.content.decode()


def test_bad_input_opens_nothing(town: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas["officer"])
    base = {"title": "A case", "area": town.home.pk, "categories": ["burglary"]}
    refused = [
        {**base, "title": "   "},
        {**base, "description": "x" * 10_000},
        {**base, "area": town.elsewhere.pk},
        {**base, "categories": ["not-a-crime-type"]},
        {**base, "area": "not a number"},
    ]
    for data in refused:
        response = client.post(NEW, data)
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.content.decode()
    assert _new_cases().count() == 0
    assert _opened() == 0


def test_html_in_the_title_is_shown_as_text(town: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas["officer"])
    title = '<script>alert("x")</script>'
    response = client.post(NEW, {"title": title, "area": town.home.pk})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert title not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_partner_may_not_open_a_case(personas: Any, client_for: Any) -> None:
    client = client_for(personas["partner_staff"])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"title": "A case"}).status_code == 403
    assert _new_cases().count() == 0


def test_an_analyst_opens_a_case_from_a_hot_spot(
    town: Any, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    run = _hot_spot_run(client, django_capture_on_commit_callbacks)
    hot_rows = [row for row in (run.result or {})["cells"] if row["bin"] > 0]
    hot = {row["cell"] for row in hot_rows}
    # The hot cell of the largest cluster that lies in a neighbourhood.
    in_neighbourhoods = [
        row["cell"]
        for row in hot_rows
        if locate_neighbourhood(*h3.cell_to_latlng(row["cell"])) is not None
    ]
    clicked = max(
        in_neighbourhoods,
        key=lambda cell: (len(_component(hot, cell)), cell),
    )
    # The hot spot page links each hot spot in a neighbourhood to a new case.
    scan = client.get(reverse("staff_analytics:hotspots"), HOT_SPOTS).content.decode()
    assert f"/staff/problems/new/?run={run.pk}&amp;cell={clicked}" in scan
    page = client.get(NEW, {"run": run.pk, "cell": clicked})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Burglary hot spot in" in html
    expected_cells = _component(hot, clicked)
    # The page posts only the run and the cell; anything else posted is ignored.
    response = client.post(
        NEW,
        {
            "run": run.pk,
            "cell": clicked,
            "title": "Burglary hot spot",
            "categories": ["burglary"],
            "cells": ["8928308280fffff"],
            "area": town.elsewhere.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = _new_cases().get()
    assert set(problem.cells) == expected_cells
    assert problem.origin_kind == OriginKind.HOT_SPOT
    assert problem.origin_detail == {"run": run.pk, "cell": clicked}
    assert problem.categories == ["burglary"]
    lat, lng = h3.cell_to_latlng(clicked)
    assert problem.area.level == AreaLevel.NEIGHBOURHOOD
    assert problem.area.geometry.contains(shapely.Point(lng, lat))
    assert _opened() == 1


def test_a_hot_spot_of_another_organisations_run_is_refused(
    town: Any, personas: Any, client_for: Any
) -> None:
    other = Organisation.objects.create(
        kind=OrganisationKind.POLICE_SERVICE, name="Other Force", slug="other-force"
    )
    cell = h3.latlng_to_cell(town.home.centre_lat, town.home.centre_lng, 9)
    run = AnalysisRun.objects.create(
        organisation=other,
        kind="hotspots",
        input_key="x" * 64,
        parameters={"query": {"organisation_id": other.pk, "categories": ["burglary"]}},
        status=RunStatus.DONE,
        result={"cells": [{"cell": cell, "bin": 3, "count": 9}]},
    )
    client = client_for(personas["analyst"])
    assert client.get(NEW, {"run": run.pk, "cell": cell}).status_code == 403
    response = client.post(NEW, {"run": run.pk, "cell": cell, "title": "Not ours"})
    assert response.status_code == 403
    # A cell that is not hot in a run one may read is not found.
    assert client.get(NEW, {"run": run.pk + 1000, "cell": cell}).status_code == 404
    assert _new_cases().count() == 0
    assert _opened() == 0


def test_an_officer_opens_a_case_from_a_cluster_of_concerns(
    town: Any, personas: Any, client_for: Any
) -> None:
    concerns = list(Concern.objects.filter(area=town.home).order_by("reference")[:3])
    references = ",".join(c.reference for c in concerns)
    client = client_for(personas["officer"])
    page = client.get(NEW, {"concerns": references})
    assert page.status_code == 200
    assert f"Recurring concerns in {town.home.name}" in page.content.decode()
    response = client.post(NEW, {"concern_refs": references, "title": "Recurring concerns"})
    assert response.status_code == 302
    problem = _new_cases().get()
    assert set(problem.concerns.all()) == set(concerns)
    assert problem.area == town.home
    assert problem.origin_kind == OriginKind.CONCERNS
    assert set(problem.cells) == {h3.latlng_to_cell(c.latitude, c.longitude, 9) for c in concerns}
    detail = client.get(response["Location"]).content.decode()
    for concern in concerns:
        assert concern.reference in detail
    assert _opened() == 1


def test_an_officer_may_not_open_a_case_from_concerns_elsewhere(
    town: Any, personas: Any, client_for: Any
) -> None:
    concern = Concern.objects.filter(area=town.elsewhere).first()
    assert concern is not None
    client = client_for(personas["officer"])
    assert client.get(NEW, {"concerns": concern.reference}).status_code == 403
    response = client.post(NEW, {"concern_refs": concern.reference, "title": "Not mine"})
    assert response.status_code == 403
    assert client.get(NEW, {"concerns": "NO-SUCH-REF"}).status_code == 404
    assert _new_cases().count() == 0


def test_an_officer_opens_a_case_from_a_priority(town: Any, personas: Any, client_for: Any) -> None:
    priority = Priority.objects.filter(area=town.home).order_by("pk").first()
    assert priority is not None
    client = client_for(personas["officer"])
    staff_page = client.get(reverse("staff_engagement:priority", kwargs={"pk": priority.pk}))
    assert f"/staff/problems/new/?priority={priority.pk}" in staff_page.content.decode()
    page = client.get(NEW, {"priority": priority.pk})
    assert page.status_code == 200
    assert priority.title in page.content.decode()
    response = client.post(NEW, {"priority": priority.pk, "title": priority.title})
    assert response.status_code == 302
    problem = _new_cases().get()
    assert problem.priority == priority
    assert problem.area == priority.area
    assert problem.origin_kind == OriginKind.PRIORITY
    assert _opened() == 1
    elsewhere = Priority.objects.filter(area=town.elsewhere).first()
    assert elsewhere is not None
    assert client.get(NEW, {"priority": elsewhere.pk}).status_code == 403


def test_only_areas_of_the_organisation_may_be_the_case_area(town: Any) -> None:
    # The services refuse an area of another organisation even when called directly.
    from django.core.exceptions import ValidationError

    from ourbeat.problems.services import problem_open

    council_area = Area.objects.exclude(organisation=town.council).first()
    assert council_area is not None
    with pytest.raises(ValidationError):
        problem_open(actor=None, organisation=town.council, area=council_area, title="x")
    assert _new_cases().count() == 0


def test_the_staff_home_page_leads_to_problem_solving(personas: Any, client_for: Any) -> None:
    link = reverse("staff_problems:list")
    for name in ("officer", "partner_staff"):
        html = client_for(personas[name]).get(reverse("staff:home")).content.decode()
        assert f'href="{link}"' in html
    oversight = client_for(personas["oversight"]).get(reverse("staff:home"))
    assert f'href="{link}"' not in oversight.content.decode()


def test_a_group_of_similar_concerns_links_to_a_new_case(
    town: Any, personas: Any, client_for: Any
) -> None:
    from datetime import timedelta
    from html import unescape

    from django.utils import timezone

    from ourbeat.concerns.models import Category
    from ourbeat.concerns.services import concern_submit

    texts = [
        "Quillfeather Court stairwell light smashed again, the whole stairwell is pitch dark.",
        "quillfeather court stairwell light smashed again - whole stairwell pitch dark!",
        "Stairwell light at Quillfeather Court smashed again, the whole stairwell is pitch dark",
    ]
    planted = []
    for index, text in enumerate(texts):
        concern = concern_submit(
            category=Category.objects.get(code="asb-vandalism"),
            latitude=town.home.centre_lat + 15 * index / 111_320,
            longitude=town.home.centre_lng,
            description=text,
            user=personas["resident"],
            reporter_name="A Resident",
            reporter_email="resident@example.net",
        ).concern
        Concern.objects.filter(pk=concern.pk).update(
            created_at=timezone.now() - timedelta(days=10 - 3 * index)
        )
        planted.append(concern.reference)
    client = client_for(personas["analyst"])
    html = client.get(reverse("staff_analytics:recurring")).content.decode()
    links = re.findall(r'href="(/en/staff/problems/new/\?concerns=[^"]+)"', html)
    ours = [unescape(link) for link in links if all(ref in link for ref in planted)]
    assert len(ours) == 1
    page = client.get(ours[0])
    assert page.status_code == 200
    for reference in planted:
        assert reference in page.content.decode()
