"""The Response stage of a case through its pages: a manager records responses by technique
(grouped as the 25 techniques are), goals and tasks for the lead force or member agencies;
nothing before the analysis; bad input changes nothing; partners read and update only their
agency's tasks; people outside the case are refused."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import h3
import pytest
from django.utils import timezone

from ourbeat.core.models import AuditEvent
from ourbeat.places.models import Organisation
from ourbeat.problems.models import (
    CaseMember,
    Goal,
    Problem,
    Response,
    Stage,
    Task,
    TaskStatus,
)

pytestmark = pytest.mark.django_db


def open_case(town: Any, *, analysed: bool = True) -> Problem:
    """A case of the force in the officer's neighbourhood, the council a member."""
    centre = h3.latlng_to_cell(town.home.centre_lat, town.home.centre_lng, 9)
    problem = Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title="Burglary on the Eastfield estate",
        stage=Stage.RESPONSE if analysed else Stage.ANALYSIS,
        categories=["burglary"],
        cells=[centre],
        analysed_at=timezone.now() if analysed else None,
    )
    CaseMember.objects.create(problem=problem, organisation=town.council, role="Manages the estate")
    return problem


def url(problem: Problem, name: str = "") -> str:
    return f"/en/staff/problems/{problem.pk}/{name}"


def test_a_manager_adds_a_response_a_goal_and_a_task_which_the_page_shows_by_group(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = open_case(town)
    officer = client_for(personas["officer"])
    page = officer.get(url(problem, "response/"))
    assert page.status_code == 200
    html = page.content.decode()
    # The techniques are offered in their five groups, "other" on its own.
    assert html.count("<optgroup") == 5
    assert '<optgroup label="Increase the effort">' in html
    assert '<option value="other">Other response</option>' in html

    posted = officer.post(
        url(problem, "response/add/"),
        {
            "response-technique": "target_hardening",
            "response-description": "Fit door and window locks on the estate",
            "response-organisation": town.council.pk,
        },
    )
    assert posted.status_code == 302
    assert posted["Location"] == url(problem, "response/")
    response = Response.objects.get(problem=problem)
    assert (response.technique, response.organisation) == ("target_hardening", town.council)

    posted = officer.post(
        url(problem, "goals/add/"),
        {"goal-text": "Halve burglaries on the estate", "goal-target_reduction_percent": "50"},
    )
    assert posted.status_code == 302
    goal = Goal.objects.get(problem=problem)
    assert goal.target_reduction_percent == 50

    due = date.today() + timedelta(days=30)
    posted = officer.post(
        url(problem, "tasks/add/"),
        {
            "task-title": "Survey the ground-floor flats",
            "task-organisation": town.council.pk,
            "task-due_on": due.isoformat(),
            "task-response": response.pk,
        },
    )
    assert posted.status_code == 302
    task = Task.objects.get(problem=problem)
    assert (task.organisation, task.due_on, task.response, task.status) == (
        town.council,
        due,
        response,
        TaskStatus.PLANNED,
    )
    for action, obj in [
        ("problems.response.add", response),
        ("problems.goal.add", goal),
        ("problems.task.add", task),
    ]:
        assert AuditEvent.objects.filter(
            action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).exists()

    html = officer.get(url(problem, "response/")).content.decode()
    effort = html.index("<h4>Increase the effort</h4>")
    assert html.index("Fit door and window locks on the estate") > effort
    assert "Halve burglaries on the estate" in html
    assert "a reduction of 50%" in html
    assert "Survey the ground-floor flats" in html
    assert town.council.name in html


def test_an_overdue_task_is_flagged(town: Any, personas: dict[str, Any], client_for: Any) -> None:
    problem = open_case(town)
    Task.objects.create(
        problem=problem,
        title="Late leaflets",
        organisation=town.council,
        due_on=date.today() - timedelta(days=2),
    )
    Task.objects.create(
        problem=problem,
        title="Done late",
        organisation=town.force,
        due_on=date.today() - timedelta(days=2),
        status=TaskStatus.DONE,
    )
    html = client_for(personas["officer"]).get(url(problem, "response/")).content.decode()
    assert html.count("Overdue</span>") == 1
    late = html.index("Late leaflets")
    assert "Overdue" in html[late : html.index("</tr>", late)]


def test_no_response_before_the_analysis_and_the_page_links_to_it(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = open_case(town, analysed=False)
    officer = client_for(personas["officer"])
    html = officer.get(url(problem, "response/")).content.decode()
    assert f'href="/en/staff/problems/{problem.pk}/analysis/"' in html
    assert 'name="response-technique"' not in html
    posted = officer.post(
        url(problem, "response/add/"),
        {"response-technique": "target_hardening", "response-description": "Locks"},
    )
    assert posted.status_code == 400
    assert "Record the analysis before choosing responses." in posted.content.decode()
    assert not Response.objects.filter(problem=problem).exists()


GOOD_RESPONSE = {"response-technique": "place_managers", "response-description": "Caretaker"}


@pytest.mark.parametrize(
    ("change", "error_field"),
    [
        ({"response-technique": "telepathy"}, "response-technique"),
        ({"response-technique": ""}, "response-technique"),
        ({"response-description": ""}, "response-description"),
        ({"response-description": "   "}, "response-description"),
        ({"response-description": "x" * 4001}, "response-description"),
        ({"response-description": "bad\x00byte"}, "response-description"),
        ({"response-organisation": "999999999"}, "response-organisation"),
        ({"response-organisation": "abc"}, "response-organisation"),
    ],
)
def test_bad_responses_change_nothing(
    town: Any,
    personas: dict[str, Any],
    client_for: Any,
    change: dict[str, str],
    error_field: str,
) -> None:
    problem = open_case(town)
    posted = client_for(personas["officer"]).post(
        url(problem, "response/add/"), {**GOOD_RESPONSE, **change}
    )
    assert posted.status_code == 400
    assert f'id="field-{error_field}"' in posted.content.decode()
    assert 'has-error" id="field-' + error_field in posted.content.decode()
    assert not Response.objects.filter(problem=problem).exists()


def test_a_response_led_by_an_agency_outside_the_case_is_refused(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = open_case(town)
    posted = client_for(personas["officer"]).post(
        url(problem, "response/add/"), {**GOOD_RESPONSE, "response-organisation": town.board.pk}
    )
    assert posted.status_code == 400
    assert not Response.objects.filter(problem=problem).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"goal-text": ""},
        {"goal-text": "x" * 501},
        {"goal-target_reduction_percent": "0"},
        {"goal-target_reduction_percent": "101"},
        {"goal-target_reduction_percent": "half"},
    ],
)
def test_bad_goals_change_nothing(
    town: Any, personas: dict[str, Any], client_for: Any, change: dict[str, str]
) -> None:
    problem = open_case(town)
    posted = client_for(personas["officer"]).post(
        url(problem, "goals/add/"),
        {"goal-text": "Fewer burglaries", "goal-target_reduction_percent": "20", **change},
    )
    assert posted.status_code == 400
    assert "field-error" in posted.content.decode()
    assert not Goal.objects.filter(problem=problem).exists()


def test_bad_tasks_change_nothing(town: Any, personas: dict[str, Any], client_for: Any) -> None:
    problem = open_case(town)
    other_case = open_case(town)
    foreign_response = Response.objects.create(
        problem=other_case, technique="remove_targets", description="Elsewhere"
    )
    officer = client_for(personas["officer"])
    good = {
        "task-title": "Survey",
        "task-organisation": town.council.pk,
        "task-due_on": (date.today() + timedelta(days=7)).isoformat(),
    }
    homes = Organisation.objects.get(slug="millbrook-homes")
    for change in [
        {"task-organisation": town.board.pk},  # not a member of the case
        {"task-organisation": homes.pk},  # not a member either
        {"task-title": ""},
        {"task-title": "x" * 301},
        {"task-due_on": "next week"},
        {"task-due_on": "1899-01-01"},
        {"task-due_on": "2999-01-01"},
        {"task-response": foreign_response.pk},
    ]:
        posted = officer.post(url(problem, "tasks/add/"), {**good, **change})
        assert posted.status_code == 400, change
        assert "field-error" in posted.content.decode(), change
    assert not Task.objects.filter(problem=problem).exists()


def test_hostile_html_is_stored_as_text_and_escaped(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = open_case(town)
    script = "<script>alert('x')</script>"
    officer = client_for(personas["officer"])
    officer.post(
        url(problem, "response/add/"),
        {"response-technique": "other", "response-description": f"Lights {script}"},
    )
    officer.post(url(problem, "goals/add/"), {"goal-text": f"Goal {script}"})
    assert Response.objects.get(problem=problem).description == f"Lights {script}"
    html = officer.get(url(problem, "response/")).content.decode()
    assert script not in html
    assert html.count("&lt;script&gt;") >= 2


def test_partners_read_the_page_without_the_forms_and_cannot_post(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = open_case(town)
    Task.objects.create(
        problem=problem, title="Council's task", organisation=town.council, due_on=date.today()
    )
    police_task = Task.objects.create(
        problem=problem, title="Police task", organisation=town.force, due_on=date.today()
    )
    partner = client_for(personas["partner_staff"])
    page = partner.get(url(problem, "response/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="response-technique"' not in html
    assert 'name="task-title"' not in html
    council_task = Task.objects.get(problem=problem, title="Council's task")
    assert f'href="/en/staff/problems/tasks/{council_task.pk}/"' in html
    assert f'href="/en/staff/problems/tasks/{police_task.pk}/"' not in html
    for path, data in [
        ("response/add/", GOOD_RESPONSE),
        ("goals/add/", {"goal-text": "Mine"}),
        (
            "tasks/add/",
            {"task-title": "x", "task-organisation": town.council.pk, "task-due_on": "2030-01-01"},
        ),
    ]:
        assert partner.post(url(problem, path), data).status_code == 403
    assert not Response.objects.filter(problem=problem).exists()
    assert not Goal.objects.filter(problem=problem).exists()
    assert problem.tasks.count() == 2


@pytest.mark.parametrize("persona", ["oversight", "resident"])
def test_people_outside_the_case_are_refused(
    town: Any, personas: dict[str, Any], client_for: Any, persona: str
) -> None:
    problem = open_case(town)
    client = client_for(personas[persona])
    assert client.get(url(problem, "response/")).status_code == 403
    assert client.post(url(problem, "response/add/"), GOOD_RESPONSE).status_code == 403
    assert not Response.objects.filter(problem=problem).exists()
