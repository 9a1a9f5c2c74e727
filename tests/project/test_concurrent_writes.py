"""Concurrent writers queue instead of failing: SQLite runs in WAL mode with IMMEDIATE
transactions and a busy timeout, PostgreSQL locks the audit chain's head row. Real threads
with their own connections write to the live site's database at once; every write lands and
the audit chain stays intact."""

from __future__ import annotations

import json
from typing import Any

import pytest

WRITERS = """
import json, threading
from decimal import Decimal
from django.db import connection, connections
from django.utils import timezone
from ourbeat.accounts.models import User
from ourbeat.core.audit import verify_chain
from ourbeat.places.models import Area
from ourbeat.teams.models import VisibilityLog
from ourbeat.teams.services import visibility_log_add

area = Area.objects.filter(level="neighbourhood").order_by("code").first()
actor = User.objects.get(email="officer@demo.ourbeat.example")
before = VisibilityLog.objects.filter(area=area).count()
errors = []
barrier = threading.Barrier(8)

def write(worker):
    try:
        barrier.wait()
        for n in range(5):
            visibility_log_add(area=area, actor=actor, day=timezone.localdate(),
                               metric="foot_patrol_hours", amount=Decimal("1.5"),
                               note=f"worker {worker} entry {n}")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
for t in threads: t.start()
for t in threads: t.join()
report = verify_chain()
mode = None
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
print(json.dumps({
    "errors": errors,
    "written": VisibilityLog.objects.filter(area=area).count() - before,
    "chain_ok": report.problem is None,
    "vendor": connection.vendor,
    "journal_mode": mode,
}))
"""


def test_forty_simultaneous_staff_writes_all_land_and_the_audit_chain_stays_intact(
    live_site: Any,
) -> None:
    result = json.loads(live_site.shell(WRITERS).splitlines()[-1])
    assert result["errors"] == []
    assert result["written"] == 40
    assert result["chain_ok"] is True
    if result["vendor"] == "sqlite":
        assert result["journal_mode"] == "wal"


@pytest.mark.django_db
def test_sqlite_connections_use_immediate_transactions_and_a_busy_timeout() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite configuration")
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
