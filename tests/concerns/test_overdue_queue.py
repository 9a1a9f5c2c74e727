"""The overdue tab of the triage queue: open concerns past either published commitment, no
first response by its due date or no resolution by the resolution plan's, counted in
working days from the day of the report. The tab is one query however many concerns there
are, and its markers say which commitment was missed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ourbeat.concerns import services
from ourbeat.concerns.models import OPEN_STATUSES, Category, Concern, Status, Update

pytestmark = pytest.mark.django_db

QUEUE = "/en/staff/concerns/"
REFERENCE = re.compile(r'<a href="/en/staff/concerns/([A-Z0-9-]+)/">')


@contextmanager
def clock(day: date) -> Iterator[None]:
    """Run the services as if it were noon (local time) on ``day``."""
    moment = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def working_days_before(day: date, days: int) -> date:
    return date.fromisoformat(str(np.busday_offset(day, -days, roll="forward")))


def report(town: Any, resident: Any, on: date, text: str) -> Concern:
    with clock(on):
        return services.concern_submit(
            category=Category.objects.get(code="asb-noise"),
            latitude=town.home.centre_lat,
            longitude=town.home.centre_lng,
            description=text,
            user=resident,
        ).concern


def references(client: Any, view: str) -> set[str]:
    """Every reference the tab lists, page after page."""
    found: set[str] = set()
    for number in range(1, 200):
        response = client.get(QUEUE, {"view": view, "page": number})
        assert response.status_code == 200
        html = response.content.decode()
        found |= set(REFERENCE.findall(html))
        if "Next page" not in html:
            return found
    raise AssertionError("the tab never ends")


def late_by_the_thread(concern: Concern, today: date) -> bool:
    """Whether the concern is past a commitment, worked out from its report date, its
    category and its thread rather than from the stored due dates."""
    if concern.status not in OPEN_STATUSES:
        return False
    reported = timezone.localdate(concern.created_at)
    first_due = np.busday_offset(reported, concern.category.first_response_days, roll="forward")
    plan_due = np.busday_offset(reported, concern.category.resolution_plan_days, roll="forward")
    responded = (
        Update.objects.filter(concern=concern, public=True, kind__in=["status", "response"])
        .exclude(status=Status.DUPLICATE)
        .exists()
    )
    today64 = np.datetime64(today)
    return bool((not responded and first_due < today64) or plan_due < today64)


@pytest.fixture
def scenarios(town: Any, personas: dict[str, Any]) -> dict[str, Concern]:
    """Concerns in the officer's neighbourhood in each state that matters."""
    resident, officer = personas["resident"], personas["officer"]
    today = timezone.localdate()
    long_ago = today - timedelta(days=60)
    recently = working_days_before(today, 3)  # first response (2 days) due, plan (10) not
    made = {
        "silent for two months": report(town, resident, long_ago, "Music every night"),
        "acknowledged, no plan in two months": report(town, resident, long_ago, "Shouting"),
        "resolved long ago": report(town, resident, long_ago, "Barking dog"),
        "acknowledged in time": report(town, resident, recently, "Fireworks"),
        "answered in time": report(town, resident, recently, "Car alarms"),
        "not answered in time": report(town, resident, recently, "Revving engines"),
        "due today": report(town, resident, working_days_before(today, 2), "Parties"),
    }
    with clock(long_ago + timedelta(days=1)):
        services.concern_set_status(
            concern=made["acknowledged, no plan in two months"],
            actor=officer,
            status=Status.ACKNOWLEDGED,
        )
        services.concern_set_status(
            concern=made["resolved long ago"], actor=officer, status=Status.RESOLVED
        )
    with clock(recently):
        services.concern_set_status(
            concern=made["acknowledged in time"], actor=officer, status=Status.ACKNOWLEDGED
        )
        services.concern_respond(
            concern=made["answered in time"], actor=officer, text="We will look at it."
        )
    return made


LATE = {"silent for two months", "acknowledged, no plan in two months", "not answered in time"}


def test_the_overdue_tab_lists_exactly_the_concerns_past_either_commitment(
    client_for: Any, personas: dict[str, Any], scenarios: dict[str, Concern]
) -> None:
    client = client_for(personas["officer"])
    overdue = references(client, "overdue")
    for name, concern in scenarios.items():
        assert (concern.reference in overdue) == (name in LATE), name
    # The whole force's concerns too (the demo town's year of them): every open concern is
    # on the overdue tab exactly when its report date, category and thread say it is late.
    client = client_for(personas["org_admin"])
    today = timezone.localdate()
    open_ones = Concern.objects.filter(reference__in=references(client, "open")).select_related(
        "category"
    )
    expected = {c.reference for c in open_ones if late_by_the_thread(c, today)}
    assert len(open_ones) - len(scenarios) > len(expected) - len(LATE) > 0
    assert references(client, "overdue") == expected


def test_the_markers_say_which_commitment_was_missed(
    client_for: Any, personas: dict[str, Any], scenarios: dict[str, Concern]
) -> None:
    client = client_for(personas["officer"])

    def summary(name: str) -> str:
        html = client.get(f"{QUEUE}{scenarios[name].reference}/").content.decode()
        return html[html.index('id="summary-heading"') : html.index('id="report-heading"')]

    silent = summary("silent for two months")
    assert silent.count("Overdue") == 2
    assert "Not yet" in silent
    acknowledged = summary("acknowledged, no plan in two months")
    assert acknowledged.count("Overdue") == 1
    assert acknowledged.index("Overdue") > acknowledged.index("Resolution plan due")
    assert "Overdue" not in summary("acknowledged in time")
    assert "Overdue" not in summary("due today")

    row = client.get(QUEUE, {"view": "overdue", "q": scenarios["silent for two months"].reference})
    cells = row.content.decode()
    assert cells.count('<span class="badge short">Overdue</span>') == 2


def test_a_new_category_brings_its_own_commitment(
    client_for: Any, personas: dict[str, Any], scenarios: dict[str, Concern]
) -> None:
    """Moved to a category with a longer commitment, the concern answered in time but past
    the old resolution plan is no longer late; it is measured from the report all the same."""
    concern = scenarios["acknowledged, no plan in two months"]
    noise = Category.objects.get(code="asb-noise")
    client = client_for(personas["officer"])
    assert concern.reference in references(client, "overdue")
    slow = Category.objects.create(
        organisation=noise.organisation,
        code="asb-slow",
        name="Long-running nuisance",
        group=noise.group,
        first_response_days=2,
        resolution_plan_days=100,
    )
    services.concern_change_category(
        concern=concern, actor=personas["officer"], category=slow, note="A longer job."
    )
    concern.refresh_from_db()
    reported = timezone.localdate(concern.created_at)
    assert concern.resolution_plan_due == date.fromisoformat(
        str(np.busday_offset(reported, 100, roll="forward"))
    )
    assert concern.reference not in references(client, "overdue")


def test_the_overdue_tab_costs_the_same_queries_however_many_are_late(
    town: Any, client_for: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["officer"])
    long_ago = timezone.localdate() - timedelta(days=45)
    client.get(QUEUE, {"view": "overdue"})

    def queries_with_rows() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, {"view": "overdue", "q": "-"})
        assert response.status_code == 200
        return len(captured), len(REFERENCE.findall(response.content.decode()))

    for n in range(2):
        report(town, personas["resident"], long_ago, f"Noise {n}")
    few, rows_few = queries_with_rows()
    for n in range(30):
        report(town, personas["resident"], long_ago, f"More noise {n}")
    many, rows_many = queries_with_rows()
    assert rows_many > rows_few
    assert many == few
