"""Moving a case through the SARA stages: only along the allowed transitions; a response
needs a recorded analysis and an assessment a response (with a clear message); the page
offers only the allowed targets; editing, members and linked concerns; every change is
audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ourbeat.concerns.models import Concern
from ourbeat.core.models import AuditEvent
from ourbeat.problems import services
from ourbeat.problems.models import CaseMember, Problem, Response, Stage, Task, Technique

pytestmark = pytest.mark.django_db


def _case(town: Any, officer: Any) -> Problem:
    return services.problem_open(
        actor=officer, organisation=town.force, area=town.home, title="Shed burglaries"
    )


def _move(client: Any, problem: Problem, stage: str) -> Any:
    url = reverse("staff_problems:stage", kwargs={"pk": problem.pk})
    return client.post(url, {"stage": stage}, follow=True)


def _moves(problem: Problem) -> int:
    return AuditEvent.objects.filter(
        action="problems.problem.move", object_id=str(problem.pk), object_type="problems.problem"
    ).count()


def _events(action: str, problem: Problem) -> int:
    return AuditEvent.objects.filter(
        action=action, object_id=str(problem.pk), object_type="problems.problem"
    ).count()


def test_the_page_offers_only_the_allowed_stages(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["officer"])
    html = client_for(personas["officer"]).get(
        reverse("staff_problems:detail", kwargs={"pk": problem.pk})
    )
    select = re.search(r'<select name="stage".*?</select>', html.content.decode(), re.S)
    assert select is not None
    # From scanning: on to analysis, or close.
    assert re.findall(r'value="([a-z]+)"', select.group(0)) == ["analysis", "closed"]


def test_a_response_needs_an_analysis_and_an_assessment_a_response(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    assert _move(client, problem, "analysis").status_code == 200
    problem.refresh_from_db()
    assert problem.stage == Stage.ANALYSIS
    assert _moves(problem) == 1

    refused = _move(client, problem, "response")
    assert "A response cannot be recorded before an analysis exists" in refused.content.decode()
    problem.refresh_from_db()
    assert problem.stage == Stage.ANALYSIS
    assert _moves(problem) == 1

    analysis = reverse("staff_problems:analysis", kwargs={"pk": problem.pk})
    recorded = client.post(
        analysis, {"summary": "Sheds on the allotments", "current_responses": ""}
    )
    assert recorded.status_code == 302
    assert _events("problems.analysis.record", problem) == 1
    _move(client, problem, "response")
    problem.refresh_from_db()
    assert problem.stage == Stage.RESPONSE

    no_response = _move(client, problem, "assessment")
    assert "An assessment needs at least one response" in no_response.content.decode()
    problem.refresh_from_db()
    assert problem.stage == Stage.RESPONSE
    Response.objects.create(
        problem=problem, technique=Technique.TARGET_HARDENING, description="Locks"
    )
    _move(client, problem, "assessment")
    problem.refresh_from_db()
    assert problem.stage == Stage.ASSESSMENT
    assert _moves(problem) == 3


def test_a_move_the_stages_do_not_allow_is_refused(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    for stage in ("assessment", "response", "scanning", "nonsense", ""):
        _move(client, problem, stage)
        problem.refresh_from_db()
        assert problem.stage == Stage.SCANNING
    assert _moves(problem) == 0
    # A partner in the case may read it but not move it.
    services.member_add(
        actor=personas["officer"], problem=problem, organisation=town.council, role="Housing"
    )
    partner = client_for(personas["partner_staff"])
    assert (
        partner.get(reverse("staff_problems:detail", kwargs={"pk": problem.pk})).status_code == 200
    )
    url = reverse("staff_problems:stage", kwargs={"pk": problem.pk})
    assert partner.post(url, {"stage": "analysis"}).status_code == 403
    problem.refresh_from_db()
    assert problem.stage == Stage.SCANNING


def test_editing_a_case_is_audited_and_checked(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:edit", kwargs={"pk": problem.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "", "description": "x"}).status_code == 400
    assert client.post(url, {"title": "T", "description": "x" * 10_000}).status_code == 400
    problem.refresh_from_db()
    assert problem.title == "Shed burglaries"
    response = client.post(url, {"title": "Allotment sheds", "categories": ["burglary"]})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.title, problem.categories) == ("Allotment sheds", ["burglary"])
    assert _events("problems.problem.edit", problem) == 1


def test_members_are_added_once_and_removed_only_without_open_tasks(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:members", kwargs={"pk": problem.pk})
    page = client.get(url).content.decode()
    # The lead organisation is never offered.
    assert f'<option value="{town.force.pk}"' not in page
    assert client.post(url, {"organisation": town.council.pk, "role": ""}).status_code == 400
    assert client.post(url, {"organisation": town.force.pk, "role": "Lead"}).status_code == 400
    assert client.post(url, {"organisation": town.council.pk, "role": "Housing"}).status_code == 302
    assert client.post(url, {"organisation": town.council.pk, "role": "Again"}).status_code == 400
    member = CaseMember.objects.get(problem=problem)
    assert member.role == "Housing"
    detail = client.get(reverse("staff_problems:detail", kwargs={"pk": problem.pk}))
    assert f"{town.council.name}: Housing" in detail.content.decode()

    task = Task.objects.create(
        problem=problem, title="Fit locks", organisation=town.council, due_on="2030-01-01"
    )
    remove = reverse(
        "staff_problems:member_remove", kwargs={"pk": problem.pk, "member_id": member.pk}
    )
    refused = client.post(remove, follow=True)
    assert "still has open tasks" in refused.content.decode()
    assert CaseMember.objects.filter(pk=member.pk).exists()
    task.status = "done"
    task.save()
    client.post(remove)
    assert not CaseMember.objects.filter(pk=member.pk).exists()
    actions = list(
        AuditEvent.objects.filter(
            action__startswith="problems.member.",
            object_type="problems.casemember",
            object_id=str(member.pk),
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["problems.member.add", "problems.member.remove"]


def test_concerns_are_linked_by_reference(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:concerns", kwargs={"pk": problem.pk})
    concerns = list(Concern.objects.filter(area=town.home).order_by("reference")[:2])
    unknown = client.post(url, {"references": "NOPE-1"})
    assert unknown.status_code == 400
    assert "NOPE-1" in unknown.content.decode()
    assert client.post(url, {"references": ""}).status_code == 400
    assert problem.concerns.count() == 0
    response = client.post(url, {"references": ", ".join(c.reference for c in concerns)})
    assert response.status_code == 302
    assert set(problem.concerns.all()) == set(concerns)
    assert _events("problems.concerns.link", problem) == 1
    detail = client.get(reverse("staff_problems:detail", kwargs={"pk": problem.pk}))
    html = detail.content.decode()
    for concern in concerns:
        assert concern.reference in html
