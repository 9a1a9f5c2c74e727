"""The Analysis page of a case: the problem analysis triangle with its controllers, the
hypotheses, repeat places and repeat victims among the linked incidents (pseudonymous keys
for victims), the charts by hour of week and by month with their data tables, and the
summary; bad input changes nothing, every change is audited."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import h3
import pytest
from django.urls import reverse
from django.utils import timezone

from ourbeat.analytics.keys import incident_row_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource
from ourbeat.core.models import AuditEvent
from ourbeat.problems import services
from ourbeat.problems.models import Hypothesis, Problem, TriangleEntry

pytestmark = pytest.mark.django_db


def _case(town: Any, supervisor: Any) -> Problem:
    """A burglary case over the supervisor's district (by hand: the district's cells)."""
    return services.problem_open(
        actor=supervisor,
        organisation=town.force,
        area=town.home.parent,
        title="Burglary in the district",
        categories=["burglary"],
    )


def _linked(problem: Problem) -> list[Incident]:
    """The case's incidents, found from the rows themselves: the lead force's burglaries
    whose point lies in one of the case's cells."""
    cells = set(problem.cells)
    return [
        incident
        for incident in Incident.objects.filter(
            organisation=problem.organisation, category="burglary", latitude__isnull=False
        )
        if h3.latlng_to_cell(incident.latitude, incident.longitude, 9) in cells
    ]


def _events(action: str, **lookup: Any) -> int:
    return AuditEvent.objects.filter(action=action, **lookup).count()


def _table(html: str, table_id: str) -> str:
    found = re.search(rf'<table id="{table_id}">.*?</table>', html, re.S)
    assert found is not None, table_id
    return found.group(0)


def test_the_charts_and_their_tables_count_the_linked_incidents(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["supervisor"])
    # One more burglary in the place, known only to its month: counted by month, left out
    # of the hour-of-week chart.
    cell = problem.cells[0]
    lat, lng = h3.cell_to_latlng(cell)
    Incident.objects.create(
        organisation=town.force,
        source=IncidentSource.CSV,
        row_key=incident_row_keys([date(2024, 3, 1)], ["month-only-1"])[0],
        category="burglary",
        month=date(2024, 3, 1),
        occurred_on=date(2024, 3, 1),
        date_precision=DatePrecision.MONTH,
        latitude=lat,
        longitude=lng,
    )
    linked = _linked(problem)
    assert len(linked) > 20, "the demo town has burglaries in the district"
    page = client_for(personas["supervisor"]).get(
        reverse("staff_problems:analysis", kwargs={"pk": problem.pk})
    )
    assert page.status_code == 200
    html = page.content.decode()

    by_month = Counter(i.occurred_on.strftime("%Y-%m") for i in linked)
    shown_months = dict(
        re.findall(r'<th scope="row">(\d{4}-\d{2})</th><td>(\d+)</td>', _table(html, "month-table"))
    )
    assert {m: int(n) for m, n in shown_months.items() if n != "0"} == dict(by_month)

    timed = [i for i in linked if i.date_precision == DatePrecision.TIME]
    by_hour = Counter(
        (timezone.localtime(i.occurred_at).weekday(), timezone.localtime(i.occurred_at).hour)
        for i in timed
    )
    rows = re.findall(
        r"<tr><th scope=\"row\">[^<]+</th>((?:<td>\d+</td>){24})</tr>", _table(html, "hour-table")
    )
    matrix = [[int(n) for n in re.findall(r"<td>(\d+)</td>", row)] for row in rows]
    assert len(matrix) == 7
    assert {
        (day, hour): count for day in range(7) for hour in range(24) if (count := matrix[day][hour])
    } == dict(by_hour)
    left_out = len(linked) - len(timed)
    assert left_out >= 1
    assert f"{left_out} incident" in re.sub(r"\s+", " ", html.split('id="hour-left-out">')[1])[:20]

    # Two charts, each an inline SVG image with its accessible name.
    assert html.count('<svg role="img"') == 2
    assert 'aria-label="Linked incidents by month"' in html
    assert 'aria-label="Linked incidents by hour of the week"' in html


def test_repeat_places_and_victims_among_the_linked_incidents(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["supervisor"])
    linked = _linked(problem)
    places = Counter(i.location_key for i in linked if i.location_key)
    repeat_places = {key: n for key, n in places.items() if n >= 2}
    victims = Counter(i.victim_key for i in linked if i.victim_key)
    repeat_victims = {key: n for key, n in victims.items() if n >= 2}
    assert repeat_places, "the demo town's burglaries come back to some places"
    html = (
        client_for(personas["supervisor"])
        .get(reverse("staff_problems:analysis", kwargs={"pk": problem.pk}))
        .content.decode()
    )
    table = _table(html, "repeat-locations")
    caption = (
        f"Repeat locations: {len(repeat_places)} places with two incidents or more, "
        f"holding {sum(repeat_places.values())} incidents"
    )
    assert caption in table
    top_count = max(repeat_places.values())
    top_keys = [key for key, n in repeat_places.items() if n == top_count]
    # The place with the most incidents is listed by its police.uk place text (staff may
    # see it) with its count.
    where = Incident.objects.filter(location_key__in=top_keys).exclude(location_text="")
    assert any(text in table for text in where.values_list("location_text", flat=True))
    assert f"<td>{top_count}</td>" in table
    victims_table = _table(html, "repeat-victims")
    assert f"Repeat victims: {len(repeat_victims)} victims" in victims_table
    for key in repeat_victims:
        if repeat_victims[key] == max(repeat_victims.values()):
            assert key in victims_table


def test_the_triangle_records_each_side_with_its_controller(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["supervisor"])
    client = client_for(personas["supervisor"])
    add = reverse("staff_problems:triangle_add", kwargs={"pk": problem.pk})
    page = reverse("staff_problems:analysis", kwargs={"pk": problem.pk})
    for bad in (
        {"side": "nonsense", "description": "x", "effectiveness": "weak"},
        {"side": "target", "description": "", "effectiveness": "weak"},
        {"side": "target", "description": "x", "effectiveness": "perfect"},
        {"side": "target", "description": "x" * 5000, "effectiveness": "weak"},
    ):
        assert client.post(add, bad).status_code == 400
    assert TriangleEntry.objects.filter(problem=problem).count() == 0
    response = client.post(
        add,
        {
            "side": "target",
            "description": "Garden sheds <b>unlocked</b>",
            "controller": "Allotment association",
            "effectiveness": "weak",
        },
    )
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "Guardian" in html
    assert "Handler" in html
    assert "Manager" in html
    assert "Garden sheds &lt;b&gt;unlocked&lt;/b&gt;" in html
    assert "Allotment association" in html
    entry = TriangleEntry.objects.get(problem=problem)
    assert (entry.side, entry.effectiveness) == ("target", "weak")
    remove = reverse(
        "staff_problems:triangle_delete", kwargs={"pk": problem.pk, "entry_id": entry.pk}
    )
    assert client.post(remove).status_code == 302
    assert not TriangleEntry.objects.filter(pk=entry.pk).exists()
    assert _events("problems.triangle.add", object_id=str(entry.pk)) == 1
    assert _events("problems.triangle.remove", object_id=str(entry.pk)) == 1
    # Partner members read the triangle but do not change it.
    services.member_add(
        actor=personas["supervisor"], problem=problem, organisation=town.council, role="Housing"
    )
    partner = client_for(personas["partner_staff"])
    assert partner.get(page).status_code == 200
    assert partner.post(add, {"side": "place", "description": "x"}).status_code == 403


def test_hypotheses_are_added_and_tested(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["supervisor"])
    client = client_for(personas["supervisor"])
    add = reverse("staff_problems:hypothesis_add", kwargs={"pk": problem.pk})
    assert client.post(add, {"statement": ""}).status_code == 400
    response = client.post(
        add, {"statement": "Burglaries rise after dark", "test_data": "Hour of week chart"}
    )
    assert response.status_code == 302
    hypothesis = Hypothesis.objects.get(problem=problem)
    edit = reverse(
        "staff_problems:hypothesis_edit",
        kwargs={"pk": problem.pk, "hypothesis_id": hypothesis.pk},
    )
    prefix = f"h{hypothesis.pk}"
    client.post(edit, {f"{prefix}-result": "certain", f"{prefix}-finding": "x"})
    hypothesis.refresh_from_db()
    assert hypothesis.result == "untested"
    client.post(
        edit,
        {
            f"{prefix}-result": "supported",
            f"{prefix}-finding": "Two thirds after 18:00",
            f"{prefix}-test_data": "Hour of week chart",
        },
    )
    hypothesis.refresh_from_db()
    assert (hypothesis.result, hypothesis.finding) == ("supported", "Two thirds after 18:00")
    html = client.get(
        reverse("staff_problems:analysis", kwargs={"pk": problem.pk})
    ).content.decode()
    assert "Burglaries rise after dark" in html
    assert "Supported" in html
    assert _events("problems.hypothesis.add", object_id=str(hypothesis.pk)) == 1
    assert _events("problems.hypothesis.update", object_id=str(hypothesis.pk)) == 1


def test_the_analysis_summary_is_required(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["supervisor"])
    client = client_for(personas["supervisor"])
    url = reverse("staff_problems:analysis", kwargs={"pk": problem.pk})
    for bad in ({"summary": "  "}, {"summary": "x" * 10_000}):
        assert client.post(url, bad).status_code == 400
    problem.refresh_from_db()
    assert problem.analysed_at is None
    assert client.post(url, {"summary": "Sheds", "current_responses": "Patrols"}).status_code == 302
    problem.refresh_from_db()
    assert problem.analysed_at is not None
    assert (problem.analysis_summary, problem.current_responses) == ("Sheds", "Patrols")
