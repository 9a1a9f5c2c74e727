"""The Scanning page lists the latest linked incidents one by one (newest first, at most
RECENT_INCIDENTS), beside their counts by month: only the lead force's incidents of the
case's categories inside the problem place."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import h3
import pytest
from django.urls import reverse

from ourbeat.analytics.keys import incident_row_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource
from ourbeat.problems import services
from ourbeat.problems.views.cases import RECENT_INCIDENTS

pytestmark = pytest.mark.django_db


def _incident(town: Any, key: str, category: str, day: date, cell: str, place: str) -> None:
    lat, lng = h3.cell_to_latlng(cell)
    Incident.objects.create(
        organisation=town.force,
        source=IncidentSource.CSV,
        row_key=incident_row_keys([day.replace(day=1)], [key])[0],
        category=category,
        month=day.replace(day=1),
        occurred_on=day,
        date_precision=DatePrecision.DAY,
        latitude=lat,
        longitude=lng,
        location_text=place,
    )


def test_the_latest_linked_incidents_are_listed_newest_first(
    town: Any, personas: Any, client_for: Any
) -> None:
    officer = personas["officer"]
    problem = services.problem_open(
        actor=officer,
        organisation=town.force,
        area=town.home,
        title="Bicycle thefts at the station",
        categories=["bicycle-theft"],
    )
    inside = problem.cells[0]
    outside = h3.grid_ring(inside, 30)[0]
    assert outside not in problem.cells
    # Dates after anything in the demo, so these are the newest linked incidents.
    _incident(town, "t-old", "bicycle-theft", date(2031, 1, 5), inside, "On Station Road")
    _incident(town, "t-new", "bicycle-theft", date(2031, 2, 9), inside, "On Quay Street")
    _incident(town, "t-other", "shoplifting", date(2031, 3, 1), inside, "On Shop Row")
    _incident(town, "t-away", "bicycle-theft", date(2031, 3, 2), outside, "On Far Lane")

    html = client_for(officer).get(reverse("staff_problems:detail", args=[problem.pk]))
    assert html.status_code == 200
    table = re.search(r'<table id="incident-table">.*?</table>', html.content.decode(), re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>(.*?)</td>\s*<td>(.*?)</td><td>(.*?)</td>", table.group(0), re.S)
    assert [row[2] for row in rows[:2]] == ["On Quay Street", "On Station Road"]
    assert rows[0][0] == "9 Feb 2031"
    places = {row[2] for row in rows}
    assert "On Shop Row" not in places, "another category is not linked"
    assert "On Far Lane" not in places, "a place outside the problem place is not linked"
    assert len(rows) <= RECENT_INCIDENTS
