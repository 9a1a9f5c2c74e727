"""The neighbourhood's "you said, we did" page with ten years of history, under load, next to
the bare ``/healthz`` view.

Builds a fresh SQLite database with the demo town in a temporary directory, adds ten years
of engagement history to one neighbourhood (about 400 priorities with 4,000 actions, 1,200
meetings of its forums with minutes, votes and origins; bulk inserts through the ORM), serves
ourbeat through gunicorn (WSGI) on loopback and drives it with wrk (``scripts/bench-setup.sh``
installs it) from the same machine: requests per second, p50/p95/p99 latency and the
server's CPU time per request, for both URLs in alternating rounds of the same run.

The page is measured twice, on two servers:

- **cold**: ``OURBEAT_PUBLIC_PAGE_CACHE_SECONDS=0``, so every request renders the page from
  the database (the cost of a cache miss, and of every signed-in visitor);
- **warm**: the default cache, so after the first request anonymous visitors get the copy
  cached per content version (what a resident's phone meets between two changes).

    .venv/bin/python bench/you_said_we_did.py [--workers 2] [--connections 2] [--duration 10]
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _server import (
    WRK_REPORT,
    Run,
    compare,
    load_arguments,
    prepare_demo_town,
    print_runs,
    require_wrk,
    run_summary,
    serve,
    shell_lines,
)

GOAL_P95_MS = 80.0

# Ten years of one neighbourhood's engagement, written with bulk_create (the page only
# reads it). Deterministic: a seeded random generator. __NAMES__ are filled in by seed().
SEED_CODE = """
import random
from datetime import timedelta
from django.utils import timezone
from ourbeat.engagement.models import (
    LIVE_PRIORITY_STATUSES, Action, ActionStatus, Forum, ForumKind, ForumMember, Meeting,
    MeetingStatus, MeetingVote, MemberRole, OriginKind, Priority, PriorityOrigin, PriorityStatus,
    Question,
)
from ourbeat.places.models import Area, Organisation

rng = random.Random(20261126)
area = Area.objects.filter(level="neighbourhood").order_by("code").first()
council = Organisation.objects.exclude(pk=area.organisation_id).order_by("pk").first()
owners = [area.organisation, council or area.organisation]
now = timezone.now().replace(microsecond=0)
today = timezone.localdate()
DAYS = 3650
# The neighbourhood keeps its limit of live priorities: the demo town's are closed first.
Priority.objects.filter(area=area, status__in=LIVE_PRIORITY_STATUSES).update(
    status=PriorityStatus.RESOLVED, closed_at=now
)
forums = []
for kind, name in [
    (ForumKind.BEAT_MEETING, "beat meeting"), (ForumKind.PACT_PANEL, "PACT panel"),
    (ForumKind.YOUTH_FORUM, "youth forum"), (ForumKind.SAFETY_COMMITTEE, "safety committee"),
]:
    forums.append(Forum.objects.create(
        area=area, organisation=area.organisation, kind=kind,
        name=f"{area.name} {name} (bench)", slug=f"bench-{area.slug}-{kind}",
        usual_venue="Community hall", usual_address="1 High Street",
    ))
    ForumMember.objects.create(forum=forums[-1], name="A Chair", role=MemberRole.RESIDENT_CO_CHAIR,
                               represents="Residents' association")
MINUTES = ("Residents raised parking, speeding and litter. The team reported back on the "
           "priorities; partners described their actions. ") * 12
meetings = []
for number in range(__MEETINGS__):
    starts = now - timedelta(days=DAYS * (1 - number / __MEETINGS__), hours=rng.randrange(0, 4))
    roll = rng.random()
    status = (MeetingStatus.HELD if roll < 0.85 else
              MeetingStatus.CANCELLED if roll < 0.92 else MeetingStatus.SCHEDULED)
    held = status == MeetingStatus.HELD
    meetings.append(Meeting(
        forum=forums[number % len(forums)], title=f"Meeting {number}", starts_at=starts,
        ends_at=starts + timedelta(hours=2), venue="Community hall", address="1 High Street",
        accessibility="Step-free entrance.", agenda="1. Report back\\n2. Priorities",
        status=status, cancel_reason="" if held else "Hall unavailable.",
        attendance=rng.randrange(8, 60) if held else None,
        minutes=MINUTES if held else "",
        minutes_published_at=starts + timedelta(days=2) if held else None,
    ))
for number in range(6):
    starts = now + timedelta(days=7 * (number + 1))
    meetings.append(Meeting(
        forum=forums[number % len(forums)], title=f"Upcoming meeting {number}",
        starts_at=starts, ends_at=starts + timedelta(hours=2), venue="Community hall",
        registration_required=number == 0, capacity=40 if number == 0 else None,
    ))
Meeting.objects.bulk_create(meetings, batch_size=500)
held = list(
    Meeting.objects.filter(forum__in=forums, status=MeetingStatus.HELD).order_by("starts_at")
)

priorities = []
closed = __PRIORITIES__ - 3 - 20
LIVE = [PriorityStatus.ACTIVE, PriorityStatus.ADOPTED, PriorityStatus.UNDER_REVIEW]
for number in range(__PRIORITIES__):
    if number < closed:
        proposed = now - timedelta(days=DAYS * (1 - number / closed) + 30)
        status = rng.choice(
            [PriorityStatus.RESOLVED] * 3 + [PriorityStatus.CARRIED_OVER, PriorityStatus.DROPPED]
        )
        adopted = proposed + timedelta(days=20)
        priorities.append(Priority(
            area=area, forum=forums[0], title=f"Bench priority {number}",
            description="Speeding at school times on the main road.", status=status,
            proposed_at=proposed, published_at=proposed, adopted_at=adopted,
            adopted_at_meeting=held[min(len(held) - 1, int(len(held) * number / closed))],
            closed_at=adopted + timedelta(days=120), outcome="Speed checks and a new crossing.",
            reason="" if status == PriorityStatus.RESOLVED else "Agreed at the meeting.",
            anonymous_support=rng.randrange(0, 30),
        ))
    elif number < closed + 3:
        priorities.append(Priority(
            area=area, forum=forums[0], title=f"Live bench priority {number}",
            description="Litter and fly-tipping by the shops.",
            status=LIVE[number - closed],
            proposed_at=now - timedelta(days=90), published_at=now - timedelta(days=90),
            adopted_at=now - timedelta(days=60),
            adopted_at_meeting=held[-1],
        ))
    else:
        priorities.append(Priority(
            area=area, title=f"Bench proposal {number}", description="Street lights out.",
            proposed_at=now - timedelta(days=number - closed),
            published_at=now - timedelta(days=number - closed),
            anonymous_support=rng.randrange(0, 30),
        ))
Priority.objects.bulk_create(priorities, batch_size=500)
priorities = list(Priority.objects.filter(area=area, title__contains="ench ").order_by("pk"))
actions, origins, votes = [], [], []
for p in priorities:
    origins.append(PriorityOrigin(priority=p, kind=OriginKind.PROPOSAL, proposal=p))
    if p.status == PriorityStatus.PROPOSED:
        continue
    for number in range(__ACTIONS_EACH__):
        done = p.status != PriorityStatus.ACTIVE or number < 4
        actions.append(Action(
            priority=p, title=f"Action {number}", description="Patrols at school times.",
            owner_organisation=owners[number % 2],
            due_on=(p.adopted_at + timedelta(days=10 * number)).date() if p.adopted_at else today,
            status=ActionStatus.DONE if done else ActionStatus.IN_PROGRESS,
            result="Twelve drivers warned." if done else "",
            completed_at=(p.adopted_at + timedelta(days=10 * number)) if done else None,
        ))
    if p.status == PriorityStatus.RESOLVED:
        votes.append(MeetingVote(meeting=held[rng.randrange(len(held))], priority=p,
                                 question=Question.RESOLVED, in_favour=rng.randrange(10, 30),
                                 against=rng.randrange(0, 8), abstained=rng.randrange(0, 3)))
Action.objects.bulk_create(actions, batch_size=1000)
PriorityOrigin.objects.bulk_create(origins, batch_size=1000)
MeetingVote.objects.bulk_create(votes, batch_size=1000, ignore_conflicts=True)
print("SEEDED", area.get_absolute_url(), area.name.replace(" ", "_"),
      Priority.objects.filter(area=area).count(),
      Action.objects.filter(priority__area=area).count(),
      Meeting.objects.filter(forum__area=area).count())
"""


def seed(env: dict[str, str], priorities: int, actions_each: int, meetings: int) -> list[str]:
    code = (
        SEED_CODE.replace("__PRIORITIES__", str(priorities))
        .replace("__ACTIONS_EACH__", str(actions_each))
        .replace("__MEETINGS__", str(meetings))
    )
    lines = shell_lines(
        env, "from django.utils import translation\ntranslation.activate('en')\n" + code, "SEEDED"
    )
    if not lines:
        sys.exit("seeding printed nothing")
    return lines[0].split()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode())


def main() -> None:
    parser = load_arguments(
        argparse.ArgumentParser(description=__doc__.split("\n\n")[0]),
        connections=2,
        duration=10,
    )
    parser.add_argument("--priorities", type=int, default=400)
    parser.add_argument("--actions-each", type=int, default=10, help="per adopted priority")
    parser.add_argument("--meetings", type=int, default=1200)
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        var_dir = Path(tmp)
        env = prepare_demo_town(var_dir)
        started = time.perf_counter()
        neighbourhood, name, n_priorities, n_actions, n_meetings = seed(
            env, args.priorities, args.actions_each, args.meetings
        )
        seeding = time.perf_counter() - started
        path = f"{neighbourhood}you-said-we-did/"
        script = var_dir / "report.lua"
        script.write_text(WRK_REPORT)
        results: dict[str, dict[str, list[Run]]] = {}
        sizes: dict[str, int] = {}
        for label, cache_seconds in (("cold", "0"), ("warm", "300")):
            server_env = {**env, "OURBEAT_PUBLIC_PAGE_CACHE_SECONDS": cache_seconds}
            with serve(server_env, args.workers, args.port) as server:
                body = fetch(server.base + path)
                assert html.escape(name.replace("_", " ")) in body, "not the neighbourhood's page"
                assert "Bench priority" in body
                assert "Live bench priority" in body
                sizes[label] = len(body.encode())
                urls = {
                    f"/healthz (bare view, {label} run)": f"{server.base}/healthz",
                    f"{path} ({label})": server.base + path,
                }
                results[label] = compare(server, urls, script, args)

    print(run_summary(args))
    print("database: SQLite (WAL), one persistent connection per worker (CONN_MAX_AGE 60)")
    print(
        f"history of {name.replace('_', ' ')}: {n_priorities} priorities, {n_actions} actions, "
        f"{n_meetings} meetings (seeded in {seeding:.1f} s); page size {sizes['cold']:,} bytes"
    )
    for label, runs in results.items():
        print()
        print(f"{label}:")
        medians = print_runs(runs)
        bare, page = medians.values()
        verdict = "met" if page.p95_ms < GOAL_P95_MS else "NOT met"
        print(
            f"{label} page p95 {page.p95_ms:.1f} ms (goal < {GOAL_P95_MS:.0f} ms: {verdict}); "
            f"throughput {page.rps / bare.rps:.0%} of the bare view"
        )
        if any(r.errors for r in runs[list(runs)[1]]):
            print(f"WARNING: the {label} page run had errors")


if __name__ == "__main__":
    main()
