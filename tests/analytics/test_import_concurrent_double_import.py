"""Two imports of the same month started at the same moment, by two workers with their own
database connections, add each row once between them: what one added, the other found
present. Run on a database of its own (committed for real, as workers do)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ESSEX = ROOT.parent / "shared" / "data" / "policeuk" / "street" / "2018-03-essex-street.csv"


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def workers_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated database of its own (SQLite file, or a new PostgreSQL database when the
    suite runs on PostgreSQL) with one police service."""
    tmp = tmp_path_factory.mktemp("double-import")
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pg_name = f"ourbeat_double_{uuid.uuid4().hex[:8]}"
        subprocess.run(["createdb", pg_name], check=True)
        url = f"postgres:///{pg_name}"
    else:
        url = f"sqlite:///{tmp / 'double.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "OURBEAT_VAR_DIR": str(tmp)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    try:
        assert manage(env, "migrate", "--noinput").returncode == 0
        made = manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from ourbeat.places.models import Organisation\n"
            "Organisation.objects.create(kind='police_service', name='Essex', slug='essex')",
        )
        assert made.returncode == 0, made.stderr
        yield env
    finally:
        if pg_name:
            subprocess.run(["dropdb", "--if-exists", pg_name], check=False)


def test_two_simultaneous_imports_of_a_month_add_each_row_once(
    workers_env: dict[str, str],
) -> None:
    barrier = threading.Barrier(2)
    results: list[subprocess.CompletedProcess[str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            done = manage(workers_env, "import_policeuk", str(ESSEX), "--organisation", "essex")
            with lock:
                results.append(done)
        except BaseException as error:  # reported in the test's thread
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    assert not errors, errors
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    stored: Any = json.loads(
        manage(
            workers_env,
            "shell",
            "--no-imports",
            "-c",
            "import json\n"
            "from ourbeat.analytics.models import Incident, IncidentImport\n"
            "print(json.dumps({'incidents': Incident.objects.count(),\n"
            " 'keys': Incident.objects.values('row_key').distinct().count(),\n"
            " 'imports': list(IncidentImport.objects.values_list("
            "'status', 'rows_added', 'rows_present', 'rows_rejected'))}))",
        ).stdout
    )
    assert stored["incidents"] == stored["keys"] == 16_014
    imports = sorted(stored["imports"], key=lambda i: -i[1])
    assert [i[0] for i in imports] == ["done", "done"]
    assert sum(i[1] for i in imports) == 16_014
    assert all(i[1] + i[2] == 16_014 and i[3] == 0 for i in imports)
