"""Assessing a case through its page: the incidents in the problem place (A), its buffer (B)
and the comparison area (C) before and after, counted as a test computes them on its own,
the weighted displacement quotient (Bowers and Johnson 2003) derived from them, the process
figures, and the decision that moves the case on. Bad input changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

import h3
import pytest
from django.utils import timezone

from ourbeat.analytics.keys import incident_row_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource
from ourbeat.core.models import AuditEvent
from ourbeat.problems.models import (
    Assessment,
    CaseMember,
    Problem,
    Response,
    Stage,
    Task,
    TaskStatus,
)

pytestmark = pytest.mark.django_db

CATEGORY = "zz-test-burglary"
BEFORE = (date(2019, 1, 1), date(2019, 3, 31))
AFTER = (date(2019, 7, 1), date(2019, 9, 30))
_row = count()


def add_incidents(
    town: Any, *, n: int, cell: str, area: Any, day: date, category: str = CATEGORY
) -> None:
    lat, lng = h3.cell_to_latlng(cell)
    Incident.objects.bulk_create(
        Incident(
            organisation=town.force,
            source=IncidentSource.CSV,
            row_key=incident_row_keys([day.replace(day=1)], [f"assess-{next(_row)}"])[0],
            category=category,
            month=day.replace(day=1),
            occurred_on=day,
            date_precision=DatePrecision.DAY,
            latitude=lat,
            longitude=lng,
            area=area,
        )
        for _ in range(n)
    )


def assessment_case(town: Any, *, cells: list[str], area: Any, categories: list[str]) -> Problem:
    problem = Problem.objects.create(
        organisation=town.force,
        area=area,
        title="Burglary on the Eastfield estate",
        stage=Stage.ASSESSMENT,
        categories=categories,
        cells=cells,
        analysed_at=timezone.now(),
    )
    CaseMember.objects.create(problem=problem, organisation=town.council, role="Landlord")
    return problem


@pytest.fixture
def planted(town: Any) -> dict[str, Any]:
    """Incidents planted at known cells. The problem place is the one cell at the officer's
    neighbourhood's centre; the comparison area is its district.

    Counted (before → after):
      A, the centre cell:                           10 → 6
      B, a cell 2 rings out (inside the buffer):     8 → 7
      C, another neighbourhood of the district:     95 → 90
         plus a cell 3 rings out in the officer's
         neighbourhood (outside the buffer):         5 → 5, so C is 100 → 95.
    Not counted: another category in A, days between the periods, the other district.
    A and B lie in the district too: they must be left out of C.
    """
    centre = h3.latlng_to_cell(town.home.centre_lat, town.home.centre_lng, 9)
    ring_2 = sorted(h3.grid_ring(centre, 2))[0]
    ring_3 = sorted(h3.grid_ring(centre, 3))[0]
    district = town.home.parent
    neighbour = next(
        n for n in town.neighbourhoods if n.parent_id == district.pk and n.pk != town.home.pk
    )
    neighbour_cell = h3.latlng_to_cell(neighbour.centre_lat, neighbour.centre_lng, 9)
    assert h3.grid_distance(centre, neighbour_cell) > 3
    other_district_cell = h3.latlng_to_cell(town.elsewhere.centre_lat, town.elsewhere.centre_lng, 9)
    before, after = date(2019, 2, 10), date(2019, 8, 20)
    for n_before, n_after, cell, area in [
        (10, 6, centre, town.home),
        (8, 7, ring_2, town.home),
        (95, 90, neighbour_cell, neighbour),
        (5, 5, ring_3, town.home),
        (40, 40, other_district_cell, town.elsewhere),
    ]:
        add_incidents(town, n=n_before, cell=cell, area=area, day=before)
        add_incidents(town, n=n_after, cell=cell, area=area, day=after)
    add_incidents(town, n=3, cell=centre, area=town.home, day=before, category="zz-other")
    add_incidents(town, n=4, cell=centre, area=town.home, day=date(2019, 5, 15))
    problem = assessment_case(town, cells=[centre], area=town.home, categories=[CATEGORY])
    return {"problem": problem, "district": district}


def form_data(problem: Problem, comparison: Any, **change: Any) -> dict[str, Any]:
    data = {
        "before_start": BEFORE[0].isoformat(),
        "before_end": BEFORE[1].isoformat(),
        "after_start": AFTER[0].isoformat(),
        "after_end": AFTER[1].isoformat(),
        "comparison_area": comparison.pk,
        "buffer_rings": "2",
        "categories": list(problem.categories),
        "process_note": "Locks fitted in eight of ten blocks",
        "decision": "close",
        "decision_note": "Burglary halved",
    }
    data.update(change)
    return data


def first_of_month_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def page(problem: Problem) -> str:
    return f"/en/staff/problems/{problem.pk}/assessment/"


def test_the_assessment_counts_a_b_and_c_and_derives_the_wdq(
    planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    Task.objects.create(
        problem=problem,
        title="Locks",
        organisation=problem.organisation,
        due_on=date.today() - timedelta(days=5),
        status=TaskStatus.DONE,
    )
    Task.objects.create(
        problem=problem,
        title="Lights",
        organisation=problem.organisation,
        due_on=date.today() - timedelta(days=5),
    )
    Task.objects.create(
        problem=problem,
        title="Patrols",
        organisation=problem.organisation,
        due_on=date.today() + timedelta(days=5),
    )
    Task.objects.create(
        problem=problem,
        title="Youth club",
        organisation=problem.organisation,
        due_on=date.today(),
        status=TaskStatus.NOT_DONE,
    )
    officer = client_for(personas["officer"])
    posted = officer.post(page(problem), form_data(problem, planted["district"]))
    assert posted.status_code == 302, posted.content.decode()[-3000:]
    assessment = Assessment.objects.get(problem=problem)
    figures = assessment.figures
    assert figures["counts"] == {
        "area": {"before": 10, "after": 6},
        "buffer": {"before": 8, "after": 7},
        "control": {"before": 100, "after": 95},
    }
    # Success 6/95 − 10/100 = (60 − 95)/950 = −35/950; buffer 7/95 − 8/100 = −6/950;
    # WDQ = 6/35 = 0.1714: diffusion of benefits.
    assert figures["success_measure"]["value"] == pytest.approx(-35 / 950)
    assert figures["buffer_measure"]["value"] == pytest.approx(-6 / 950)
    assert figures["wdq"]["value"] == pytest.approx(6 / 35)
    assert figures["wdq_reading"] == "diffusion"
    # Net effect: A 10·0.95 − 6 = 3.5, B 8·0.95 − 7 = 0.6, total 4.1.
    assert figures["total_net_effect"]["value"] == pytest.approx(4.1)
    assert figures["process"] == {"total": 4, "done": 1, "not_done": 1, "overdue": 1, "open": 1}
    problem.refresh_from_db()
    assert problem.stage == Stage.CLOSED
    assert problem.version == 2
    assert AuditEvent.objects.filter(
        action="problems.assessment.record", object_id=str(assessment.pk)
    ).exists()

    html = officer.get(page(problem)).content.decode()
    assert "0.17" in html
    assert "Diffusion of benefits: crime also fell in the buffer" in html
    assert "-40.0%" in html
    assert "-12.5%" in html
    assert "-5.0%" in html
    assert "Locks fitted in eight of ten blocks" in html
    # (6/10)/(95/100) = 0.6316; SE = sqrt(1/10 + 1/6 + 1/100 + 1/95) = 0.5359;
    # exp(ln 0.6316 ± 1.96·0.5359) = 0.22 to 1.81: the fall is not told apart from chance.
    assert "0.63 (95% interval 0.22 to 1.81) · the interval includes 1" in html
    # Closed: no new assessment form.
    assert 'name="decision"' not in html


@pytest.mark.parametrize(
    ("decision", "stage"),
    [("adjust", Stage.RESPONSE), ("reanalyse", Stage.ANALYSIS), ("rescan", Stage.SCANNING)],
)
def test_the_decision_moves_the_case_on(
    planted: dict[str, Any],
    personas: dict[str, Any],
    client_for: Any,
    decision: str,
    stage: str,
) -> None:
    problem = planted["problem"]
    posted = client_for(personas["officer"]).post(
        page(problem), form_data(problem, planted["district"], decision=decision)
    )
    assert posted.status_code == 302
    problem.refresh_from_db()
    assert problem.stage == stage


def test_a_case_not_at_the_assessment_stage_is_not_assessed(
    planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    Problem.objects.filter(pk=problem.pk).update(stage=Stage.RESPONSE)
    officer = client_for(personas["officer"])
    assert 'name="decision"' not in officer.get(page(problem)).content.decode()
    posted = officer.post(page(problem), form_data(problem, planted["district"]))
    assert posted.status_code == 400
    assert "assessment stage" in posted.content.decode()
    assert not Assessment.objects.filter(problem=problem).exists()


def test_without_a_fall_relative_to_the_comparison_the_wdq_is_not_given(
    town: Any, planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    # Eight more in A after: 10 → 14 while C falls: no success to weigh.
    add_incidents(town, n=8, cell=problem.cells[0], area=town.home, day=date(2019, 9, 1))
    client_for(personas["officer"]).post(page(problem), form_data(problem, planted["district"]))
    figures = Assessment.objects.get(problem=problem).figures
    assert figures["counts"]["area"] == {"before": 10, "after": 14}
    assert figures["wdq"] == {"value": None, "reason": "no_success"}
    html = client_for(personas["officer"]).get(page(problem)).content.decode()
    assert "there is no success to weigh" in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"after_start": "2019-03-15"}, "after_start"),  # overlaps the before period
        ({"before_start": "2019-10-01", "before_end": "2019-12-31"}, "after_start"),
        ({"before_end": "2018-12-01"}, "before_end"),  # ends before it starts
        ({"after_end": "2999-01-01"}, "after_end"),
        ({"before_start": "the first of January"}, "before_start"),
        ({"comparison_area": "999999999"}, "comparison_area"),
        ({"buffer_rings": "0"}, "buffer_rings"),
        ({"buffer_rings": "11"}, "buffer_rings"),
        ({"buffer_rings": "two"}, "buffer_rings"),
        ({"categories": ["<script>alert(1)</script>"]}, "categories"),
        ({"decision": "shrug"}, "decision"),
        ({"decision": ""}, "decision"),
        ({"process_note": "x" * 4001}, "process_note"),
        ({"decision_note": "nul\x00byte"}, "decision_note"),
    ],
)
def test_bad_input_changes_nothing(
    planted: dict[str, Any],
    personas: dict[str, Any],
    client_for: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    problem = planted["problem"]
    posted = client_for(personas["officer"]).post(
        page(problem), form_data(problem, planted["district"], **change)
    )
    assert posted.status_code == 400
    assert f'has-error" id="field-{field}"' in posted.content.decode()
    assert not Assessment.objects.filter(problem=problem).exists()
    problem.refresh_from_db()
    assert (problem.stage, problem.version) == (Stage.ASSESSMENT, 1)


def test_the_problems_own_area_is_no_comparison(
    town: Any, planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    posted = client_for(personas["officer"]).post(page(problem), form_data(problem, town.home))
    assert posted.status_code == 400
    assert "another area than the problem" in posted.content.decode()
    assert not Assessment.objects.filter(problem=problem).exists()


def test_hostile_html_in_the_notes_is_escaped(
    planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    script = "<script>alert('x')</script>"
    officer = client_for(personas["officer"])
    officer.post(page(problem), form_data(problem, planted["district"], decision_note=script))
    assert Assessment.objects.get(problem=problem).decision_note == script
    html = officer.get(page(problem)).content.decode()
    assert script not in html
    assert "&lt;script&gt;" in html


def test_partners_read_assessments_but_do_not_record_them(
    planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    partner = client_for(personas["partner_staff"])
    got = partner.get(page(problem))
    assert got.status_code == 200
    assert 'name="decision"' not in got.content.decode()
    assert partner.post(page(problem), form_data(problem, planted["district"])).status_code == 403
    assert client_for(personas["oversight"]).get(page(problem)).status_code == 403
    assert not Assessment.objects.filter(problem=problem).exists()


def test_the_page_suggests_periods_the_district_and_two_rings(
    planted: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    problem = planted["problem"]
    officer = client_for(personas["officer"])
    html = officer.get(page(problem)).content.decode()
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    after_start = first_of_month_back(last_month_end, 2)
    assert f'name="after_end" value="{last_month_end.isoformat()}"' in html
    assert f'name="after_start" value="{after_start.isoformat()}"' in html
    # No response yet: before is the three months before "after".
    assert f'name="before_end" value="{(after_start - timedelta(days=1)).isoformat()}"' in html
    assert f'name="before_start" value="{first_of_month_back(after_start, 3).isoformat()}"' in html
    # A response recorded eight months ago: before is the three full months before its month.
    recorded = first_of_month_back(today, 8) + timedelta(days=14)
    response = Response.objects.create(problem=problem, technique="other", description="Lights")
    Response.objects.filter(pk=response.pk).update(
        created_at=timezone.make_aware(datetime.combine(recorded, time(12)))
    )
    html = officer.get(page(problem)).content.decode()
    month_of_response = recorded.replace(day=1)
    assert (
        f'name="before_end" value="{(month_of_response - timedelta(days=1)).isoformat()}"' in html
    )
    assert (
        f'name="before_start" value="{first_of_month_back(month_of_response, 3).isoformat()}"'
        in html
    )
    assert f'<option value="{planted["district"].pk}" selected>' in html
    assert 'name="buffer_rings" value="2"' in html


def test_counts_on_the_demo_incidents_match_an_independent_count(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    """On the demo town's burglaries: the problem place is the busiest cell of the last year
    with its neighbours; A, B and C are counted here with the ORM and h3 alone."""
    today = timezone.localdate()
    after_end = today.replace(day=1) - timedelta(days=1)
    after_start = (after_end.replace(day=1) - timedelta(days=62)).replace(day=1)
    before_end = after_start - timedelta(days=1)
    before_start = (before_end.replace(day=1) - timedelta(days=62)).replace(day=1)
    rows = list(
        Incident.objects.filter(
            organisation=town.force,
            category="burglary",
            occurred_on__gte=before_start,
            occurred_on__lte=after_end,
        ).values_list("occurred_on", "latitude", "longitude", "area_id", "area__path")
    )
    located = [row for row in rows if row[1] is not None]
    busiest, _ = Counter(h3.latlng_to_cell(r[1], r[2], 9) for r in located).most_common(1)[0]
    place = set(h3.grid_disk(busiest, 1))
    home_area_id = Counter(
        r[3] for r in located if h3.latlng_to_cell(r[1], r[2], 9) == busiest
    ).most_common(1)[0][0]
    problem_area = next(n for n in town.neighbourhoods if n.pk == home_area_id)
    district = next(d for d in town.districts if d.pk == problem_area.parent_id)
    buffer = set().union(*(h3.grid_disk(cell, 2) for cell in place)) - place

    expected = {name: {"before": 0, "after": 0} for name in ("area", "buffer", "control")}
    for occurred_on, lat, lng, _area, path in rows:
        period = "before" if occurred_on <= before_end else "after"
        cell = h3.latlng_to_cell(lat, lng, 9) if lat is not None else None
        if cell in place:
            expected["area"][period] += 1
        elif cell in buffer:
            expected["buffer"][period] += 1
        if path and path.startswith(district.path) and cell not in place and cell not in buffer:
            expected["control"][period] += 1
    assert expected["area"]["before"] + expected["area"]["after"] > 0

    problem = assessment_case(town, cells=sorted(place), area=problem_area, categories=["burglary"])
    posted = client_for(personas["analyst"]).post(
        page(problem),
        form_data(
            problem,
            district,
            before_start=before_start.isoformat(),
            before_end=before_end.isoformat(),
            after_start=after_start.isoformat(),
            after_end=after_end.isoformat(),
            decision="adjust",
        ),
    )
    assert posted.status_code == 302, posted.content.decode()[-3000:]
    assert Assessment.objects.get(problem=problem).figures["counts"] == expected
