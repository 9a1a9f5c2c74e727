"""Background work of incident imports. With the immediate backend (tests, ``make run``) a
task runs in the request once its transaction commits; in production the database backend
queues it for ``manage.py db_worker``. Tasks take primary keys and are idempotent."""

from __future__ import annotations

from django_tasks import task

from ourbeat.analytics import services
from ourbeat.analytics.models import IncidentImport


@task()
def run_incident_import(import_id: int) -> str:
    """Run one queued import; returns its final status ("missing" if it was deleted)."""
    try:
        return str(services.import_run(incident_import_id=import_id).status)
    except IncidentImport.DoesNotExist:
        return "missing"
