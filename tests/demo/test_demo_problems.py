"""The demo town holds three worked problem-solving cases at different stages: a burglary
case from a hot spot at the Response stage with the council's tasks (one done, one overdue),
an anti-social behaviour case from a cluster of concerns at Analysis, and a closed case with
an assessment and a published public summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import h3
import pytest
from django.urls import reverse
from django.utils import timezone

from ourbeat.analytics.models import Incident
from ourbeat.problems.models import (
    CheersState,
    Decision,
    OriginKind,
    Problem,
    Stage,
    TaskStatus,
    TriangleSide,
)

pytestmark = pytest.mark.django_db


def _case(origin: str) -> Problem:
    return Problem.objects.get(origin_kind=origin)


def test_the_demo_has_three_cases_at_different_stages(town: Any) -> None:
    stages = {p.origin_kind: p.stage for p in Problem.objects.filter(organisation=town.force)}
    assert stages == {
        OriginKind.HOT_SPOT: Stage.RESPONSE,
        OriginKind.CONCERNS: Stage.ANALYSIS,
        OriginKind.MANUAL: Stage.CLOSED,
    }


def test_the_burglary_case_is_opened_on_a_burglary_hot_spot(town: Any) -> None:
    problem = _case(OriginKind.HOT_SPOT)
    assert problem.categories == ["burglary"]
    assert problem.origin_detail["analysis"] == "hotspots"
    assert problem.origin_detail["cell"] in problem.cells
    # Independently of the analysis: the case's cells hold more burglaries per cell than
    # the cells of the force that hold any burglary at all.
    per_cell = Counter(
        h3.latlng_to_cell(lat, lng, problem.resolution)
        for lat, lng in Incident.objects.filter(
            organisation=town.force, category="burglary", latitude__isnull=False
        ).values_list("latitude", "longitude")
    )
    case_mean = sum(per_cell[c] for c in problem.cells) / len(problem.cells)
    force_mean = sum(per_cell.values()) / len(per_cell)
    assert case_mean > 2 * force_mean


def test_the_burglary_case_has_passed_cheers_an_analysis_and_two_responses(town: Any) -> None:
    problem = _case(OriginKind.HOT_SPOT)
    assert problem.cheers_state == CheersState.PASSES
    assert problem.has_analysis
    assert {e.side for e in problem.triangle.all()} == set(TriangleSide.values)
    assert problem.hypotheses.count() == 2
    assert sorted(r.technique for r in problem.responses.all()) == [
        "place_managers",
        "target_hardening",
    ]
    assert [m.organisation for m in problem.members.all()] == [town.council]


def test_the_council_has_one_task_done_and_one_overdue(town: Any) -> None:
    problem = _case(OriginKind.HOT_SPOT)
    today = timezone.localdate()
    council_tasks = list(problem.tasks.filter(organisation=town.council))
    assert len(council_tasks) == 2
    done = [t for t in council_tasks if t.status == TaskStatus.DONE]
    overdue = [t for t in council_tasks if t.status != TaskStatus.DONE and t.due_on < today]
    assert len(done) == 1
    assert done[0].completed_on is not None
    assert len(overdue) == 1


def test_the_councils_staff_see_the_case_and_update_their_own_tasks(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    problem = _case(OriginKind.HOT_SPOT)
    client = client_for(personas["partner_staff"])
    listing = client.get(reverse("staff_problems:list")).content.decode()
    assert problem.title in listing
    # The council is not in the other cases.
    for other in Problem.objects.exclude(pk=problem.pk):
        assert other.title not in listing
    page = client.get(reverse("staff_problems:response", kwargs={"pk": problem.pk}))
    assert page.status_code == 200
    for task in problem.tasks.filter(organisation=town.council):
        assert task.title.replace("'", "&#x27;") in page.content.decode()
        own = client.get(reverse("staff_problems:task", kwargs={"task_id": task.pk}))
        assert own.status_code == 200
    force_task = problem.tasks.get(organisation=town.force)
    refused = client.get(reverse("staff_problems:task", kwargs={"task_id": force_task.pk}))
    assert refused.status_code == 403


def test_the_asb_case_links_a_cluster_of_similar_concerns_in_one_neighbourhood(
    town: Any,
) -> None:
    problem = _case(OriginKind.CONCERNS)
    concerns = list(problem.concerns.select_related("category"))
    assert 2 <= len(concerns) <= 8
    assert {c.area_id for c in concerns} == {problem.area_id}
    assert len({c.category_id for c in concerns}) == 1
    assert concerns[0].category.code.startswith("asb-")
    assert sorted(problem.origin_detail["concerns"]) == sorted(c.reference for c in concerns)
    assert set(problem.cells) == {h3.latlng_to_cell(c.latitude, c.longitude, 9) for c in concerns}
    assert problem.cheers_state == CheersState.PASSES
    assert problem.members.count() == 1
    assert not problem.responses.exists()


def test_the_closed_case_was_assessed_and_its_counts_are_right(town: Any) -> None:
    problem = _case(OriginKind.MANUAL)
    assessment = problem.assessments.get()
    assert assessment.decision == Decision.CLOSE
    wanted = set(problem.cells)

    def in_place(start: Any, end: Any) -> int:
        return sum(
            1
            for lat, lng in Incident.objects.filter(
                organisation=problem.organisation,
                category__in=assessment.categories,
                occurred_on__gte=start,
                occurred_on__lte=end,
            ).values_list("latitude", "longitude")
            if lat is not None and h3.latlng_to_cell(lat, lng, problem.resolution) in wanted
        )

    counts = assessment.figures["counts"]["area"]
    before = in_place(assessment.before_start, assessment.before_end)
    after = in_place(assessment.after_start, assessment.after_end)
    assert (counts["before"], counts["after"]) == (before, after)
    # The planted hot spot diminishes: fewer incidents after than before.
    assert after < before
    assert assessment.figures["wdq"]["value"] is not None


def test_the_closed_cases_summary_is_on_the_public_list_and_no_other(
    client_for: Any,
) -> None:
    closed = _case(OriginKind.MANUAL)
    assert closed.public_published_at is not None
    page = client_for(None).get("/en/problems/")
    assert page.status_code == 200
    html = page.content.decode()
    assert closed.public_title in html
    for other in Problem.objects.exclude(pk=closed.pk):
        assert other.public_published_at is None
        assert other.title not in html
