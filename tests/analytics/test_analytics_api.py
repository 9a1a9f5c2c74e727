"""The analyses in the JSON API: the scanning roles get the run (202 while it is computed,
200 with the result once done, the same run for the same input), the run can be polled by
its address, and everyone else is refused (403; 401 without a session)."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.analytics.models import AnalysisRun

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/staff/analytics"
HOTSPOTS = {"category": "burglary", "resolution": "9", "permutations": "999", "seed": "5"}


def test_an_analyst_gets_the_run_then_its_result(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.get(f"{BASE}/hotspots", HOTSPOTS)
    assert queued.status_code == 202
    body = queued.json()
    assert body["status"] == "queued"
    assert body["result"] is None
    run = AnalysisRun.objects.get()
    assert body["url"] == f"{BASE}/runs/{run.pk}"
    polled = client.get(body["url"])
    assert polled.status_code == 200
    done = polled.json()
    assert done["status"] == "done"
    assert done["progress"] == 1.0
    result = done["result"]
    assert result["kind"] == "hotspots"
    assert result["resolution"] == 9
    assert result["permutations"] == 999
    assert {"cell", "count", "z", "p", "bin", "boundary"} <= set(result["cells"][0])
    assert done["parameters"]["query"]["categories"] == ["burglary"]
    again = client.get(f"{BASE}/hotspots", HOTSPOTS)
    assert again.status_code == 200
    assert again.json()["id"] == run.pk
    assert AnalysisRun.objects.count() == 1


@pytest.mark.parametrize(
    ("endpoint", "parameters", "kind"),
    [
        ("emerging", {"category": "vehicle-crime", "start": "2025-01-01"}, "emerging"),
        ("near-repeats", {"category": "burglary", "permutations": "19"}, "knox"),
        ("repeats", {"limit": "3"}, "repeats"),
        ("evaluation", {"category": "violent-crime", "permutations": "999"}, "evaluation"),
    ],
)
def test_every_analysis_answers_with_its_result(
    personas: Any,
    town: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    endpoint: str,
    parameters: dict[str, str],
    kind: str,
) -> None:
    client = client_for(personas["supervisor"])
    district = {**parameters, "area": town.home.parent.slug}
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"{BASE}/{endpoint}", district)
    response = client.get(f"{BASE}/{endpoint}", district)
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["kind"] == kind
    assert body["status"] == "done", body["error"]
    assert body["result"]["kind"] == kind


@pytest.mark.parametrize("persona", ["partner_staff", "oversight", "resident"])
def test_people_who_may_not_scan_are_refused(personas: Any, client_for: Any, persona: str) -> None:
    response = client_for(personas[persona]).get(f"{BASE}/hotspots", HOTSPOTS)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not AnalysisRun.objects.exists()


def test_without_a_session_the_answer_is_401(client_for: Any) -> None:
    response = client_for(None).get(f"{BASE}/repeats")
    assert response.status_code == 401
    assert not AnalysisRun.objects.exists()


def test_a_run_is_read_only_by_those_who_cover_it(
    personas: Any, town: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas["analyst"]).get(f"{BASE}/repeats", {"area": town.elsewhere.slug})
    run = AnalysisRun.objects.get()
    assert client_for(personas["analyst"]).get(f"{BASE}/runs/{run.pk}").status_code == 200
    refused = client_for(personas["officer"]).get(f"{BASE}/runs/{run.pk}")
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert client_for(personas["partner_staff"]).get(f"{BASE}/runs/{run.pk}").status_code == 403
    missing = client_for(personas["analyst"]).get(f"{BASE}/runs/{run.pk + 1000}")
    assert missing.status_code == 404
    assert client_for(personas["analyst"]).get(f"{BASE}/runs/{2**40}").status_code == 404
