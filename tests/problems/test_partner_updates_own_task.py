"""Partner staff update their own agency's tasks in a case (status, progress note), and only
those: staff of another member agency are refused, as is an agency that has left the case;
a stale edit is refused; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import h3
import pytest
from django.utils import timezone

from ourbeat.accounts.models import Membership, Role
from ourbeat.core.models import AuditEvent
from ourbeat.places.models import Organisation
from ourbeat.problems.models import CaseMember, Problem, Stage, Task, TaskStatus
from tests.fixtures.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(town: Any) -> dict[str, Any]:
    """A force case in the officer's neighbourhood with two member agencies, the council and
    the housing association, and a task for the council."""
    homes = Organisation.objects.get(slug="millbrook-homes")
    problem = Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title="Burglary on the Eastfield estate",
        stage=Stage.RESPONSE,
        categories=["burglary"],
        cells=[h3.latlng_to_cell(town.home.centre_lat, town.home.centre_lng, 9)],
        analysed_at=timezone.now(),
    )
    CaseMember.objects.create(problem=problem, organisation=town.council, role="Street lighting")
    CaseMember.objects.create(problem=problem, organisation=homes, role="Landlord")
    task = Task.objects.create(
        problem=problem,
        title="Repair the lights on the footpath",
        organisation=town.council,
        due_on=date.today() + timedelta(days=10),
    )
    housing_staff = make_user("housing@example.org")
    Membership.objects.create(user=housing_staff, organisation=homes, role=Role.PARTNER_STAFF)
    return {"problem": problem, "task": task, "homes": homes, "housing_staff": housing_staff}


def task_url(task: Task) -> str:
    return f"/en/staff/problems/tasks/{task.pk}/"


def test_partner_staff_of_the_tasks_agency_mark_it_done(
    case: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    task = case["task"]
    partner = client_for(personas["partner_staff"])
    page = partner.get(task_url(task))
    assert page.status_code == 200
    assert "Repair the lights on the footpath" in page.content.decode()
    posted = partner.post(
        task_url(task), {"version": "1", "status": "done", "note": "New lamps fitted"}
    )
    assert posted.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.note, task.version) == (TaskStatus.DONE, "New lamps fitted", 2)
    assert task.completed_on == timezone.localdate()
    event = AuditEvent.objects.get(action="problems.task.update", object_id=str(task.pk))
    assert event.actor_id == personas["partner_staff"].pk
    # Back to in progress: no longer completed.
    partner.post(task_url(task), {"version": "2", "status": "in_progress", "note": "Snagging"})
    task.refresh_from_db()
    assert (task.status, task.completed_on, task.version) == (TaskStatus.IN_PROGRESS, None, 3)


def test_staff_of_another_member_agency_are_refused(case: dict[str, Any], client_for: Any) -> None:
    task = case["task"]
    housing = client_for(case["housing_staff"])
    # They are in the case: they read its response page, but not the council's task page.
    assert housing.get(f"/en/staff/problems/{case['problem'].pk}/response/").status_code == 200
    assert housing.get(task_url(task)).status_code == 403
    posted = housing.post(task_url(task), {"version": "1", "status": "done", "note": "Mine"})
    assert posted.status_code == 403
    task.refresh_from_db()
    assert (task.status, task.note, task.version) == (TaskStatus.PLANNED, "", 1)


def test_an_agency_that_left_the_case_no_longer_updates_its_task(
    case: dict[str, Any], personas: dict[str, Any], town: Any, client_for: Any
) -> None:
    CaseMember.objects.filter(problem=case["problem"], organisation=town.council).delete()
    partner = client_for(personas["partner_staff"])
    assert partner.get(task_url(case["task"])).status_code == 403
    assert partner.post(task_url(case["task"]), {"version": "1", "status": "done"}).status_code == (
        403
    )
    case["task"].refresh_from_db()
    assert case["task"].status == TaskStatus.PLANNED


@pytest.mark.parametrize("persona", ["oversight", "resident"])
def test_people_outside_the_case_are_refused(
    case: dict[str, Any], personas: dict[str, Any], client_for: Any, persona: str
) -> None:
    client = client_for(personas[persona])
    assert client.post(task_url(case["task"]), {"version": "1", "status": "done"}).status_code == (
        403
    )
    case["task"].refresh_from_db()
    assert case["task"].status == TaskStatus.PLANNED


def test_the_lead_officer_updates_any_task(
    case: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    posted = client_for(personas["officer"]).post(
        task_url(case["task"]), {"version": "1", "status": "not_done", "note": "Budget cut"}
    )
    assert posted.status_code == 302
    case["task"].refresh_from_db()
    assert (case["task"].status, case["task"].completed_on) == (TaskStatus.NOT_DONE, None)


def test_a_stale_edit_is_refused(
    case: dict[str, Any], personas: dict[str, Any], client_for: Any
) -> None:
    partner = client_for(personas["partner_staff"])
    assert (
        partner.post(task_url(case["task"]), {"version": "1", "status": "in_progress"}).status_code
        == 302
    )
    # A second editor who loaded the page at version 1 is refused, and changes nothing.
    stale = client_for(personas["officer"]).post(
        task_url(case["task"]), {"version": "1", "status": "done", "note": "Overwrite"}
    )
    assert stale.status_code == 400
    assert "Someone else changed this task" in stale.content.decode()
    case["task"].refresh_from_db()
    assert (case["task"].status, case["task"].note, case["task"].version) == (
        TaskStatus.IN_PROGRESS,
        "",
        2,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"version": "1", "status": "finished"},
        {"version": "1", "status": ""},
        {"version": "1", "status": "done", "note": "x" * 4001},
        {"version": "1", "status": "done", "note": "nul\x00byte"},
        {"version": "one", "status": "done"},
        {"status": "done"},
    ],
)
def test_bad_updates_change_nothing(
    case: dict[str, Any], personas: dict[str, Any], client_for: Any, data: dict[str, str]
) -> None:
    posted = client_for(personas["partner_staff"]).post(task_url(case["task"]), data)
    assert posted.status_code == 400
    case["task"].refresh_from_db()
    assert (case["task"].status, case["task"].note, case["task"].version) == (
        TaskStatus.PLANNED,
        "",
        1,
    )
    assert not AuditEvent.objects.filter(
        action="problems.task.update", object_id=str(case["task"].pk)
    ).exists()
