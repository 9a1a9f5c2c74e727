"""The police.uk adapter serves each neighbourhood's priorities in police.uk's own shape
(``issue``, ``issue-date``, ``action``, ``action-date``, dates as local midnight), built from
what ourbeat holds: every adopted priority, newest first, with its outcome or the results of
its actions; proposals no meeting adopted are not priorities yet."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest

from ourbeat.engagement.models import ActionStatus, Priority, PriorityStatus
from ourbeat.teams.schedule import local_zone
from tests.api.bad_input import HOSTILE, assert_json_error
from tests.api.conftest import police_uk_example, shape_differences

pytestmark = pytest.mark.django_db

BASE = "/api/police-uk"
EXAMPLE = police_uk_example("pdk-neighbourhood-priority.json")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00")


def priorities(client: Any, town: Any, area: Any) -> list[dict[str, Any]]:
    response = client.get(f"{BASE}/{town.force.slug}/{area.code}/priorities")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return list(response.json())


def midnight(value: datetime | None) -> str:
    assert value is not None
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT00:00:00")


def test_priorities_have_the_keys_and_types_of_the_real_example(client_for: Any, town: Any) -> None:
    found = priorities(client_for(None), town, town.home)
    assert found
    for priority in found:
        # police.uk sends no action (null) for a priority nothing has been done about yet.
        example = EXAMPLE if priority["action"] else {**EXAMPLE, "action": None}
        example = example if priority["action"] else {**example, "action-date": None}
        assert shape_differences(priority, example) == []
        assert DATE.fullmatch(priority["issue-date"])
        assert isinstance(priority["issue"], str)
        assert priority["issue"]
        if priority["action"] is None:
            assert priority["action-date"] is None
        else:
            assert DATE.fullmatch(priority["action-date"])
            assert priority["action-date"] >= priority["issue-date"]
    assert any(p["action"] for p in found)


def test_every_adopted_priority_is_listed_newest_first_and_proposals_are_not(
    client_for: Any, town: Any
) -> None:
    client = client_for(None)
    for area in town.neighbourhoods:
        found = priorities(client, town, area)
        adopted = Priority.objects.filter(area=area, adopted_at__isnull=False).order_by(
            "-adopted_at", "-pk"
        )
        assert [(p["issue"], p["issue-date"]) for p in found] == [
            (f"{p.title}. {p.description}" if p.description else p.title, midnight(p.adopted_at))
            for p in adopted
            if p.adopted_at is not None
        ]
        assert len(found) < Priority.objects.filter(area=area).count()


def test_the_action_is_the_outcome_once_reported(client_for: Any, town: Any) -> None:
    resolved = Priority.objects.filter(area=town.home, status=PriorityStatus.RESOLVED).first()
    assert resolved is not None
    assert resolved.outcome_at is not None
    found = priorities(client_for(None), town, town.home)
    shown = next(
        p
        for p in found
        if p["issue"].startswith(resolved.title) and p["action"] == resolved.outcome
    )
    assert shown["action-date"] == midnight(resolved.outcome_at)


def test_a_live_priority_reports_the_results_of_its_actions_so_far(
    client_for: Any, town: Any
) -> None:
    live = next(
        p
        for p in Priority.objects.filter(status=PriorityStatus.ACTIVE).select_related("area")
        if p.actions.filter(status=ActionStatus.DONE).exists()
    )
    done = list(live.actions.filter(status=ActionStatus.DONE).order_by("-completed_at", "-pk"))
    found = priorities(client_for(None), town, live.area)
    shown = next(
        p
        for p in found
        if p["issue-date"] == midnight(live.adopted_at) and p["issue"].startswith(live.title)
    )
    assert shown["action"] == " ".join(a.result for a in done)
    assert done[0].completed_at is not None
    assert shown["action-date"] == midnight(done[0].completed_at)


def test_a_priority_with_nothing_done_yet_has_no_action(client_for: Any, town: Any) -> None:
    priority = Priority.objects.filter(status=PriorityStatus.ACTIVE).select_related("area").first()
    assert priority is not None
    priority.actions.update(status=ActionStatus.PLANNED, result="", completed_at=None)
    found = priorities(client_for(None), town, priority.area)
    shown = next(
        p
        for p in found
        if p["issue"].startswith(priority.title)
        and p["issue-date"] == midnight(priority.adopted_at)
    )
    assert (shown["action"], shown["action-date"]) == (None, None)


def test_a_dropped_priority_says_why(client_for: Any, town: Any) -> None:
    dropped = (
        Priority.objects.filter(status=PriorityStatus.DROPPED, adopted_at__isnull=False)
        .select_related("area")
        .first()
    )
    assert dropped is not None
    found = priorities(client_for(None), town, dropped.area)
    shown = [p for p in found if p["action"] and dropped.reason in p["action"]]
    assert shown


def test_a_priority_s_private_details_are_never_in_the_police_uk_shape(
    client_for: Any, town: Any
) -> None:
    text = str(priorities(client_for(None), town, town.home))
    for priority in Priority.objects.filter(
        area=town.home, proposed_by__isnull=False
    ).select_related("proposed_by"):
        assert priority.proposed_by is not None
        assert priority.proposed_by.email not in text


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-force/MB01/priorities",
        "/millbrook/NO-SUCH/priorities",
        "/millbrook/MBD1/priorities",
    ],
)
def test_an_unknown_force_or_neighbourhood_is_a_404_with_a_json_body(
    client_for: Any, town: Any, url: str
) -> None:
    assert_json_error(client_for(None).get(BASE + url), 404, detail_type=str)


@pytest.mark.parametrize("segment", HOSTILE)
def test_hostile_neighbourhood_ids_are_a_404_with_a_json_body(
    client_for: Any, town: Any, segment: str
) -> None:
    url = f"{BASE}/millbrook/{quote(segment, safe='')}/priorities"
    assert_json_error(client_for(None).get(url), 404, detail_type=str)
