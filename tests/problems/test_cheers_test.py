"""The CHEERS test of a case: recorded element by element; a case that meets every element
passes, one that fails any is shown as failing on every page (and may still move on);
similarity needs at least one kind; bad answers change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ourbeat.core.models import AuditEvent
from ourbeat.problems import services
from ourbeat.problems.models import Problem, Stage

pytestmark = pytest.mark.django_db

ELEMENTS = ["community", "harm", "expectation", "events", "recurring", "similarity"]


def _case(town: Any, officer: Any) -> Problem:
    return services.problem_open(
        actor=officer, organisation=town.force, area=town.home, title="Shed burglaries"
    )


def _answers(**overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for element in ELEMENTS:
        data[f"{element}_met"] = overrides.get(element, "yes")
        data[f"{element}_note"] = f"Why {element}"
    data["similarity_kinds"] = ["place", "time"]
    return data


def _recorded(problem: Problem) -> int:
    return AuditEvent.objects.filter(
        action="problems.cheers.record", object_id=str(problem.pk), object_type="problems.problem"
    ).count()


def test_a_case_meeting_every_element_passes(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:cheers", kwargs={"pk": problem.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, _answers())
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.cheers_state == "passes"
    assert problem.cheers["similarity"]["kinds"] == ["place", "time"]
    assert problem.cheers["harm"] == {"met": True, "note": "Why harm"}
    html = client.get(reverse("staff_problems:detail", kwargs={"pk": problem.pk})).content.decode()
    assert "Passes the CHEERS test" in html
    assert 'id="cheers-fails"' not in html
    assert _recorded(problem) == 1


def test_a_case_failing_an_element_says_so_on_every_page_and_may_still_move_on(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:cheers", kwargs={"pk": problem.pk})
    assert client.post(url, _answers(harm="no", recurring="no")).status_code == 302
    for name in ("detail", "analysis"):
        html = client.get(reverse(f"staff_problems:{name}", kwargs={"pk": problem.pk}))
        text = html.content.decode()
        assert 'id="cheers-fails"' in text
        assert "Fails the CHEERS test: Harm, Recurring" in text
    moved = client.post(
        reverse("staff_problems:stage", kwargs={"pk": problem.pk}), {"stage": "analysis"}
    )
    assert moved.status_code == 302
    problem.refresh_from_db()
    assert problem.stage == Stage.ANALYSIS
    assert problem.cheers_state == "fails"


def test_similarity_met_needs_a_kind_and_bad_answers_change_nothing(
    town: Any, personas: Any, client_for: Any
) -> None:
    problem = _case(town, personas["officer"])
    client = client_for(personas["officer"])
    url = reverse("staff_problems:cheers", kwargs={"pk": problem.pk})
    no_kind = _answers()
    no_kind["similarity_kinds"] = []
    missing = _answers()
    del missing["events_met"]
    wrong = _answers(community="perhaps")
    unknown_kind = _answers()
    unknown_kind["similarity_kinds"] = ["smell"]
    huge_note = _answers()
    huge_note["harm_note"] = "x" * 3000
    for data in (no_kind, missing, wrong, unknown_kind, huge_note):
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'class="field-error"' in response.content.decode()
    problem.refresh_from_db()
    assert problem.cheers == {}
    assert _recorded(problem) == 0


def test_only_the_lead_staff_record_the_test(town: Any, personas: Any, client_for: Any) -> None:
    problem = _case(town, personas["officer"])
    services.member_add(
        actor=personas["officer"], problem=problem, organisation=town.council, role="Housing"
    )
    url = reverse("staff_problems:cheers", kwargs={"pk": problem.pk})
    assert client_for(personas["partner_staff"]).post(url, _answers()).status_code == 403
    problem.refresh_from_db()
    assert problem.cheers == {}
