"""The printable case report: one HTML page in the awards' structure (summary, scanning,
analysis, response, assessment) with its charts, the same page as a PDF, for staff of the case
only, naming no reporter."""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date
from typing import Any

import h3
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPORTER_NAME = "Reginald Reportington"
REPORTER_EMAIL = "reginald@example.net"


def _busiest_burglary_cell(town: Any) -> tuple[str, list[date]]:
    """The resolution-9 cell with the most of the force's burglaries, and their dates, found
    with h3's own per-point function (the report uses the vectorised grid)."""
    from ourbeat.analytics.models import Incident

    rows = Incident.objects.filter(
        organisation=town.force, category="burglary", latitude__isnull=False
    ).values_list("latitude", "longitude", "occurred_on")
    by_cell: dict[str, list[date]] = {}
    for lat, lng, occurred_on in rows:
        by_cell.setdefault(h3.latlng_to_cell(lat, lng, 9), []).append(occurred_on)
    cell = max(by_cell, key=lambda key: len(by_cell[key]))
    return cell, by_cell[cell]


@pytest.fixture
def hot_cell(town: Any) -> tuple[str, list[date]]:
    return _busiest_burglary_cell(town)


@pytest.fixture
def case(town: Any, hot_cell: Any) -> Any:
    from ourbeat.concerns.models import Concern, Reporter
    from ourbeat.problems.models import (
        Assessment,
        CaseMember,
        Goal,
        Hypothesis,
        Problem,
        Response,
        Task,
        TriangleEntry,
    )

    cell, _dates = hot_cell
    problem = Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title="Burglaries in the Mill Lane flats",
        description="Back doors forced at night.",
        categories=["burglary"],
        cells=[cell],
        resolution=9,
        cheers={
            element: {"met": True, "note": f"Note on {element}"}
            for element in (
                "community",
                "harm",
                "expectation",
                "events",
                "recurring",
                "similarity",
            )
        },
        analysis_summary="Most entries are through unlit back alleys.",
    )
    CaseMember.objects.create(
        problem=problem, organisation=town.council, role="Manages the street lighting"
    )
    TriangleEntry.objects.create(
        problem=problem,
        side="place",
        description="Rear alleys of the flats",
        controller="Housing association",
        effectiveness="weak",
    )
    Hypothesis.objects.create(
        problem=problem, statement="Dark alleys give cover", test_data="Times of the burglaries"
    )
    hardening = Response.objects.create(
        problem=problem, technique="target_hardening", description="Fit stronger back doors"
    )
    Response.objects.create(
        problem=problem,
        technique="natural_surveillance",
        description="Repair the alley lights",
        organisation=town.council,
    )
    Goal.objects.create(problem=problem, text="Halve the burglaries", target_reduction_percent=50)
    Task.objects.create(
        problem=problem,
        response=hardening,
        title="Survey the back doors",
        organisation=town.council,
        due_on=date(2030, 3, 1),
    )
    Assessment.objects.create(
        problem=problem,
        before_start=date(2024, 1, 1),
        before_end=date(2024, 6, 30),
        after_start=date(2024, 7, 1),
        after_end=date(2024, 12, 31),
        comparison_area=town.elsewhere,
        decision="close",
        figures={
            "counts": {
                "area": {"before": 41, "after": 17},
                "buffer": {"before": 63, "after": 52},
                "control": {"before": 250, "after": 244},
            },
            "wdq": {"value": 0.4321, "low": None, "high": None, "reason": None},
            "mystery_figure": 7,
        },
    )
    concern = Concern.objects.filter(area__organisation=town.force).first()
    assert concern is not None
    Reporter.objects.update_or_create(
        concern=concern,
        defaults={
            "name": REPORTER_NAME,
            "email": REPORTER_EMAIL,
            "token_hash": "f" * 64,
        },
    )
    problem.concerns.add(concern)
    return problem


@pytest.fixture
def outsider(town: Any) -> Any:
    from ourbeat.accounts.models import Membership, Role
    from ourbeat.places.models import Organisation, OrganisationKind
    from tests.fixtures.personas import make_user

    agency = Organisation.objects.create(
        kind=OrganisationKind.PARTNER_AGENCY, name="Outside Youth Service", slug="outside-youth"
    )
    user = make_user("outsider@example.org")
    Membership.objects.create(user=user, organisation=agency, role=Role.PARTNER_STAFF)
    return user


def test_the_report_follows_the_award_structure_with_the_case_content(
    case: Any, personas: Any, client_for: Any, town: Any
) -> None:
    response = client_for(personas["officer"]).get(
        reverse("staff_problems:report", kwargs={"pk": case.pk})
    )

    assert response.status_code == 200
    page = response.content.decode()
    headings = [
        page.index(f'id="{section}-heading">')
        for section in ("summary", "scanning", "analysis", "response", "assessment")
    ]
    assert headings == sorted(headings)
    for text in (
        "Passes the CHEERS test",
        "Note on recurring",
        "Rear alleys of the flats",
        "Manager: Housing association",
        "Dark alleys give cover",
        "Most entries are through unlit back alleys.",
        "Survey the back doors",
        "Halve the burglaries",
        "Manages the street lighting",
        town.council.name,
        "Mystery figure",
    ):
        assert text in page, text
    # Responses under their technique group, in the published table's order.
    assert (
        page.index("Increase the effort")
        < page.index("Fit stronger back doors")
        < page.index("Increase the risks")
        < page.index("Repair the alley lights")
    )
    assert "<td>41</td><td>17</td>" in page
    assert "<td>63</td><td>52</td>" in page
    assert "Weighted displacement quotient (WDQ)" in page
    assert "0.432" in page
    assert reverse("staff_problems:report_pdf", kwargs={"pk": case.pk}) in page
    assert "ourbeat/report.css" in page


def test_the_report_counts_and_charts_the_incidents_in_the_problem_place(
    case: Any, personas: Any, client_for: Any, hot_cell: Any
) -> None:
    _cell, dates = hot_cell
    by_month = Counter(day.replace(day=1) for day in dates)
    busiest_month, busiest_count = max(by_month.items(), key=lambda item: item[1])

    page = (
        client_for(personas["officer"])
        .get(reverse("staff_problems:report", kwargs={"pk": case.pk}))
        .content.decode()
    )

    assert len(dates) > 1
    assert f"{len(dates)} incidents in the problem place." in page
    assert f'<th scope="row">{busiest_month:%b %Y}</th><td>{busiest_count}</td>' in page, (
        busiest_month
    )
    assert page.count("<svg") == 2


def test_the_report_names_no_reporter_of_a_linked_concern(
    case: Any, personas: Any, client_for: Any
) -> None:
    concern = case.concerns.get()

    page = (
        client_for(personas["officer"])
        .get(reverse("staff_problems:report", kwargs={"pk": case.pk}))
        .content.decode()
    )

    assert concern.reference in page
    assert REPORTER_NAME not in page
    assert REPORTER_EMAIL not in page


def test_a_member_partner_reads_the_report(case: Any, personas: Any, client_for: Any) -> None:
    response = client_for(personas["partner_staff"]).get(
        reverse("staff_problems:report", kwargs={"pk": case.pk})
    )

    assert response.status_code == 200


def test_a_non_member_partner_gets_403_on_the_report_and_the_pdf(
    case: Any, outsider: Any, client_for: Any
) -> None:
    client = client_for(outsider)

    assert client.get(reverse("staff_problems:report", kwargs={"pk": case.pk})).status_code == 403
    assert (
        client.get(reverse("staff_problems:report_pdf", kwargs={"pk": case.pk})).status_code == 403
    )


def test_the_pdf_is_a_pdf_attachment_named_by_the_reference_and_audited(
    case: Any, personas: Any, client_for: Any, caplog: Any
) -> None:
    from ourbeat.core.models import AuditEvent

    caplog.set_level(logging.WARNING, logger="weasyprint")
    response = client_for(personas["officer"]).get(
        reverse("staff_problems:report_pdf", kwargs={"pk": case.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="P{case.pk:05d}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    # Several A4 pages of text and two charts: well over a few kilobytes.
    assert len(response.content) > 10_000
    assert AuditEvent.objects.filter(
        action="problems.report.export", object_id=str(case.pk)
    ).exists()
    # Every stylesheet and the charts' inline images loaded through the static-only fetcher.
    assert not [r.getMessage() for r in caplog.records if "Failed to load" in r.getMessage()]


def test_the_pdf_fetcher_serves_only_the_projects_static_files() -> None:
    from ourbeat.problems.views.report import static_only_fetcher

    fetcher = static_only_fetcher("http://testserver/")

    css = fetcher.fetch("http://testserver/static/ourbeat/report.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for refused in (
        "http://example.org/static/ourbeat/report.css",
        "https://example.org/tracker.png",
        "file:///etc/passwd",
        "http://testserver/static/../../ourbeat/settings.py",
        "http://testserver/static/ourbeat/missing.css",
        "http://testserver/staff/",
    ):
        with pytest.raises(ValueError, match=r"refused|not a static file|disallowed"):
            fetcher.fetch(refused)


def test_the_print_stylesheet_sets_a4_page_numbers_and_hides_navigation() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("ourbeat/report.css")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as handle:
        css = handle.read()

    assert "size: A4" in css
    assert "@bottom-right { content: counter(page)" in css
    print_rules = css[css.index("@media print") :]
    assert ".site-header" in print_rules
    assert ".case-nav" in print_rules


def test_the_report_page_uses_every_id_once(case: Any, personas: Any, client_for: Any) -> None:
    page = (
        client_for(personas["officer"])
        .get(reverse("staff_problems:report", kwargs={"pk": case.pk}))
        .content.decode()
    )

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) > 10
    assert [name for name, count in Counter(ids).items() if count > 1] == []


def test_the_report_prints_the_figures_the_assessment_computes(
    case: Any, personas: Any, client_for: Any
) -> None:
    from ourbeat.problems.assessment import Counts, impact_figures

    # Hand-worked: success measure 20/200 − 40/200 = −0.1; buffer measure
    # 50/200 − 60/200 = −0.05; WDQ = −0.05 / −0.1 = 0.5 (a diffusion of benefits).
    assessment = case.assessments.get()
    assessment.figures = impact_figures(Counts(40, 20), Counts(60, 50), Counts(200, 200))
    assessment.save()

    page = (
        client_for(personas["officer"])
        .get(reverse("staff_problems:report", kwargs={"pk": case.pk}))
        .content.decode()
    )

    assert "<td>40</td><td>20</td>" in page
    assert "<td>60</td><td>50</td>" in page
    assert "<td>200</td><td>200</td>" in page
    assert re.search(r"Weighted displacement quotient \(WDQ\)</th><td>0\.5</td>", page)
    assert re.search(r"Success measure</th><td>-0\.1</td>", page)
    assert re.search(r"Buffer displacement measure</th><td>-0\.05</td>", page)
    # 0 < WDQ < 1: benefits spread to the buffer, smaller than the direct benefit.
    assert re.search(r"What the WDQ means</th><td>Diffusion of benefits</td>", page)
