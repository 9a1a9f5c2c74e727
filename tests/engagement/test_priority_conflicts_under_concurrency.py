"""Conflicts under real concurrency, on the live site's database (SQLite or PostgreSQL) with
threads that each hold their own connection: supervisors adopting at once never push a
neighbourhood beyond its limit of live priorities (exactly one wins the last place); people
changing the same priority or action at once never overwrite each other (exactly one wins,
the others are told someone else changed it); one person supporting twice at once casts one
vote. The rows the test adds are closed again at the end."""

from __future__ import annotations

import json
from typing import Any

SETUP = """
import json, threading
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count, Q
from ourbeat.accounts.models import User
from ourbeat.engagement.models import Priority, PriorityStatus, LIVE_PRIORITY_STATUSES
from ourbeat.engagement.services import priorities as s
from ourbeat.places.models import Area

officer = User.objects.get(email="officer@demo.ourbeat.example")
settings.OURBEAT_MAX_ACTIVE_PRIORITIES = 3
area = (
    Area.objects.filter(level="neighbourhood")
    .annotate(live=Count("priorities", filter=Q(priorities__status__in=LIVE_PRIORITY_STATUSES)))
    .order_by("live", "code")
    .first()
)
THREADS = 4

def run(work):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS
    def one(n):
        try:
            barrier.wait(timeout=20)
            work(n)
            results[n] = "ok"
        except ValidationError as error:
            results[n] = getattr(error, "code", None) or "; ".join(error.messages)
        except Exception as error:
            results[n] = "error: " + repr(error)
        finally:
            connections.close_all()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(THREADS)]
    for t in threads: t.start()
    for t in threads: t.join()
    return results

def cleanup(priorities):
    for p in priorities:
        p.refresh_from_db()
        if p.status not in ("dropped", "resolved", "carried_over"):
            s.priority_transition(actor=officer, priority=p, to="dropped",
                                  expected_version=p.version, reason="Concurrency test")
"""

ADOPTION = (
    SETUP
    + """
live_before = s.live_priority_count(area)
settings.OURBEAT_MAX_ACTIVE_PRIORITIES = live_before + 1
proposals = [
    s.priority_propose(area=area, title=f"Concurrent proposal {n}", actor=officer)
    for n in range(THREADS)
]
results = run(lambda n: s.priority_adopt(actor=officer, priority=proposals[n], expected_version=1))
live_after = s.live_priority_count(area)
adopted = [p.pk for p in proposals if Priority.objects.get(pk=p.pk).status == "adopted"]
cleanup(proposals)
print(json.dumps({"results": results, "live_before": live_before, "live_after": live_after,
                  "adopted": len(adopted), "live_restored": s.live_priority_count(area)}))
"""
)

SAME_PRIORITY = (
    SETUP
    + """
settings.OURBEAT_MAX_ACTIVE_PRIORITIES = s.live_priority_count(area) + 1
p = s.priority_propose(area=area, title="Concurrent edits", actor=officer)
p = s.priority_adopt(actor=officer, priority=p, expected_version=1)
version = p.version
targets = ["active", "dropped", "active", "dropped"]
results = run(lambda n: s.priority_transition(actor=officer, priority=p, to=targets[n],
                                              expected_version=version, reason="Race"))
p.refresh_from_db()
final = (p.status, p.version)
cleanup([p])
print(json.dumps({"results": results, "status": final[0], "version": final[1],
                  "version_before": version}))
"""
)

SAME_ACTION = (
    SETUP
    + """
import datetime
from django.utils import timezone
from ourbeat.places.models import Organisation
# The action's updates are checked against the officer's own scope: their neighbourhood.
area = officer.memberships.get(role="officer").area
settings.OURBEAT_MAX_ACTIVE_PRIORITIES = s.live_priority_count(area) + 1
p = s.priority_propose(area=area, title="Concurrent action edits", actor=officer)
p = s.priority_adopt(actor=officer, priority=p, expected_version=1)
action = s.action_add(actor=officer, priority=p, title="Race action",
                      owner_organisation=area.organisation,
                      due_on=timezone.localdate() + datetime.timedelta(days=5))
results = run(lambda n: s.action_update(actor=officer, action=action, expected_version=1,
                                        status="in_progress", result=f"writer {n}"))
action.refresh_from_db()
final = {"version": action.version, "result": action.result}
cleanup([p])
print(json.dumps({"results": results, **final}))
"""
)

DOUBLE_SUPPORT = (
    SETUP
    + """
from allauth.account.models import EmailAddress
from ourbeat.engagement.models import Vote
user, _ = User.objects.get_or_create(email="double-support@example.org")
EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True})
p = s.priority_propose(area=area, title="Concurrent support", actor=officer)
results = run(lambda n: s.priority_support(priority=p, user=user))
votes = Vote.objects.filter(priority=p, user=user).count()
cleanup([p])
print(json.dumps({"results": results, "votes": votes}))
"""
)


def _run(live_site: Any, code: str) -> dict[str, Any]:
    return json.loads(live_site.shell(code).splitlines()[-1])


def test_four_supervisors_adopting_at_once_fill_the_last_place_exactly_once(
    live_site: Any,
) -> None:
    result = _run(live_site, ADOPTION)
    assert sorted(result["results"]) == ["limit", "limit", "limit", "ok"], result
    assert result["adopted"] == 1
    assert result["live_after"] == result["live_before"] + 1
    assert result["live_restored"] == result["live_before"]


def test_concurrent_changes_of_one_priority_let_exactly_one_win(live_site: Any) -> None:
    result = _run(live_site, SAME_PRIORITY)
    assert sorted(result["results"]) == ["ok", "stale", "stale", "stale"], result
    assert result["version"] == result["version_before"] + 1
    assert result["status"] in ("active", "dropped")


def test_concurrent_updates_of_one_action_let_exactly_one_win(live_site: Any) -> None:
    result = _run(live_site, SAME_ACTION)
    assert sorted(result["results"]) == ["ok", "stale", "stale", "stale"], result
    assert result["version"] == 2
    assert result["result"].startswith("writer ")


def test_one_person_supporting_twice_at_once_casts_one_vote(live_site: Any) -> None:
    result = _run(live_site, DOUBLE_SUPPORT)
    assert result["votes"] == 1
    assert sorted(result["results"]).count("ok") == 1, result
    assert all(r == "ok" or "already voted" in r for r in result["results"]), result
