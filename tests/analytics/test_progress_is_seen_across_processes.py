"""A task worker is another process than the web server that shows its progress: what the
worker reports must be read by the page. (With a per-process memory cache the bar stayed
empty until the end.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from ourbeat.analytics import services
from ourbeat.analytics.analyses import progress_key as run_progress_key
from ourbeat.analytics.analyses import run_progress
from ourbeat.analytics.models import AnalysisRun, IncidentImport, IncidentSource, RunStatus

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _in_another_process(code: str) -> None:
    """Runs ``code`` with Django set up as the test's settings are (same var directory)."""
    setup = "import django; django.setup()\nfrom django.core.cache import caches\n"
    env = {**os.environ, "OURBEAT_VAR_DIR": str(settings.VAR_DIR)}
    subprocess.run([sys.executable, "-c", setup + code], check=True, cwd=ROOT, env=env)


def test_an_imports_progress_written_elsewhere_is_read_here(town: Any) -> None:
    queued = IncidentImport.objects.create(
        organisation=town.force, source=IncidentSource.POLICEUK_STREET, file_name="month.csv"
    )
    key = services.progress_key(queued.pk)

    _in_another_process(
        f"caches['progress'].set({key!r}, "
        "{'rows_done': 25000, 'bytes_done': 5000000, 'bytes_total': 20000000}, 60)"
    )

    assert services.import_progress(queued) == {
        "rows_done": 25000,
        "bytes_done": 5000000,
        "bytes_total": 20000000,
    }


def test_a_runs_progress_written_elsewhere_is_read_here(town: Any) -> None:
    run = AnalysisRun.objects.create(
        organisation=town.force,
        kind="hotspots",
        input_key="progress-test",
        parameters={},
        status=RunStatus.RUNNING,
    )
    assert run_progress(run) is None

    _in_another_process(f"caches['progress'].set({run_progress_key(run.pk)!r}, 0.4, 60)")

    assert run_progress(run) == 0.4
