"""The run page: while a run is queued or running it shows a <progress> and refreshes itself
every two seconds (no JavaScript needed); once done it shows the result and stops
refreshing; a failed run says why. An analysis page whose run is not done yet sends the
analyst to the run page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.urls import reverse

from ourbeat.analytics.analyses import progress_key
from ourbeat.analytics.models import AnalysisRun

pytestmark = pytest.mark.django_db

REFRESH = '<meta http-equiv="refresh" content="2">'


def _queue(client: Any) -> AnalysisRun:
    """Ask for an analysis without letting the transaction's on-commit work run: the run
    stays queued, as it does while a worker has not picked it up."""
    response = client.get(reverse("staff_analytics:repeats"), {"limit": "5"})
    run = AnalysisRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_analytics:run", kwargs={"pk": run.pk})
    return run


def test_a_queued_run_shows_progress_and_refreshes(personas: Any, client_for: Any) -> None:
    client = client_for(personas["analyst"])
    run = _queue(client)
    page = client.get(reverse("staff_analytics:run", kwargs={"pk": run.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert REFRESH in html
    assert '<progress id="run-progress"' in html
    assert "Waiting to start" in html


def test_a_running_run_shows_how_far_it_is(personas: Any, client_for: Any) -> None:
    client = client_for(personas["analyst"])
    run = _queue(client)
    AnalysisRun.objects.filter(pk=run.pk).update(status="running")
    caches["progress"].set(progress_key(run.pk), 0.42)
    html = client.get(reverse("staff_analytics:run", kwargs={"pk": run.pk})).content.decode()
    assert 'value="0.420"' in html
    assert "Computing" in html
    assert REFRESH in html


def test_a_finished_run_shows_its_result_without_refreshing(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        run = _queue(client)
    run.refresh_from_db()
    assert run.status == "done"
    html = client.get(reverse("staff_analytics:run", kwargs={"pk": run.pk})).content.decode()
    assert REFRESH not in html
    assert "<progress" not in html
    assert 'id="locations-table"' in html
    assert f"{reverse('staff_analytics:repeats')}?" in html


def test_a_failed_run_says_why(personas: Any, client_for: Any) -> None:
    client = client_for(personas["analyst"])
    run = _queue(client)
    AnalysisRun.objects.filter(pk=run.pk).update(
        status="failed", error="No event in the selection has a location."
    )
    html = client.get(reverse("staff_analytics:run", kwargs={"pk": run.pk})).content.decode()
    assert "The analysis could not run" in html
    assert "No event in the selection has a location." in html
    assert REFRESH not in html


def test_an_unknown_run_is_not_found(personas: Any, client_for: Any) -> None:
    response = client_for(personas["analyst"]).get(
        reverse("staff_analytics:run", kwargs={"pk": 999999})
    )
    assert response.status_code == 404
