"""The background task that computes a queued analysis run (see ``analyses.run_analysis``).

It takes the run's primary key and is idempotent: a run that is done, or claimed by another
worker, is left alone. With the immediate backend (tests, ``make run``) it runs inside the
request that queued it."""

from __future__ import annotations

from django_tasks import task

from ourbeat.analytics.analyses import execute_run


@task()
def run_analysis_task(run_id: int) -> str:
    """Compute the run and return its final status."""
    run = execute_run(run_id=run_id)
    return run.status if run is not None else "missing"
