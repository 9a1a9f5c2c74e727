"""Analysis runs are cached per input: the same analysis of the same data returns the stored
run (whoever asks), a new incident or a changed parameter makes a new run, each new run is
audited once, a failed run is queued again, and computing a run twice does nothing more."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ourbeat.analytics.analyses import execute_run, run_analysis
from ourbeat.analytics.events import EventQuery
from ourbeat.analytics.models import AnalysisRun
from ourbeat.core.models import AuditEvent
from tests.analytics.test_analysis_hotspots import organisation_with_area, plant

pytestmark = pytest.mark.django_db

PARAMETERS = {"limit": 5, "minimum": 2}


def _audited() -> int:
    return AuditEvent.objects.filter(action="analytics.run.create").count()


def test_the_same_input_is_computed_once(
    personas: Any, town: Any, django_capture_on_commit_callbacks: Any
) -> None:
    query = EventQuery(organisation_id=town.force.pk, categories=("burglary",))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = run_analysis(
            kind="repeats", query=query, params=PARAMETERS, user=personas["analyst"]
        )
    assert len(callbacks) == 1
    first.refresh_from_db()
    assert first.status == "done"
    assert first.requested_by == personas["analyst"]
    assert _audited() == 1
    event = AuditEvent.objects.get(action="analytics.run.create")
    assert event.object_id == str(first.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = run_analysis(
            kind="repeats", query=query, params=dict(PARAMETERS), user=personas["supervisor"]
        )
    assert again.pk == first.pk
    assert callbacks == []
    assert _audited() == 1


def test_new_data_or_other_parameters_make_a_new_run(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organisation, _area = organisation_with_area()
    plant(organisation, [52.0] * 3, [-1.0] * 3, [date(2024, 5, 1)] * 3)
    query = EventQuery(organisation_id=organisation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_analysis(kind="repeats", query=query, params=PARAMETERS, user=None)
        other = run_analysis(
            kind="repeats", query=query, params={**PARAMETERS, "limit": 6}, user=None
        )
    plant(organisation, [52.0], [-1.0], [date(2024, 5, 2)])
    with django_capture_on_commit_callbacks(execute=True):
        fresh = run_analysis(kind="repeats", query=query, params=PARAMETERS, user=None)
    assert len({first.pk, other.pk, fresh.pk}) == 3
    first.refresh_from_db()
    fresh.refresh_from_db()
    assert (first.result or {})["locations"]["rows"][0]["count"] == 3
    assert (fresh.result or {})["locations"]["rows"][0]["count"] == 4
    assert _audited() == 3


def test_a_failed_run_says_why_and_is_queued_again(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organisation, area = organisation_with_area()
    area.delete()
    query = EventQuery(organisation_id=organisation.pk)
    params = {"resolution": 9, "rings": 1, "permutations": 0, "seed": 1}
    with django_capture_on_commit_callbacks(execute=True):
        run = run_analysis(kind="hotspots", query=query, params=params, user=None)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "No event in the selection has a location."
    assert run.result is None
    plant(organisation, [52.0, 52.001, 52.002], [-1.0, -1.001, -1.0], [date(2024, 5, 1)] * 3)
    with django_capture_on_commit_callbacks(execute=True):
        later = run_analysis(kind="hotspots", query=query, params=params, user=None)
    assert later.pk != run.pk  # new data, new input
    AnalysisRun.objects.filter(pk=later.pk).update(status="failed", error="worker died")
    with django_capture_on_commit_callbacks(execute=True):
        retried = run_analysis(kind="hotspots", query=query, params=params, user=None)
    assert retried.pk == later.pk
    retried.refresh_from_db()
    assert retried.status == "done"
    assert retried.error == ""


def test_computing_a_finished_run_again_changes_nothing(
    town: Any, django_capture_on_commit_callbacks: Any
) -> None:
    query = EventQuery(organisation_id=town.force.pk, categories=("burglary",))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_analysis(kind="repeats", query=query, params=PARAMETERS, user=None)
    run.refresh_from_db()
    finished = run.finished_at
    again = execute_run(run_id=run.pk)
    assert again is not None
    assert again.finished_at == finished
    assert again.result == run.result
    assert execute_run(run_id=10**9) is None


def test_an_unknown_analysis_is_refused(town: Any) -> None:
    with pytest.raises(ValueError, match="unknown analysis"):
        run_analysis(
            kind="astrology", query=EventQuery(organisation_id=town.force.pk), params={}, user=None
        )
    assert not AnalysisRun.objects.exists()
