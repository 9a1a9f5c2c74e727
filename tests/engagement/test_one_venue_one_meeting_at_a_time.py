"""One venue holds one meeting at a time, also when several staff book it at the same moment:
threads, each with its own database connection on the live site's database (SQLite or
PostgreSQL), schedule the same venue at the same time, or move different meetings into
the same slot, all at once; exactly one succeeds and the others are told the venue is
taken. The meetings the test adds are cancelled again at the end."""

from __future__ import annotations

import json
from typing import Any

SETUP = """
import json, threading, uuid
from datetime import timedelta
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from ourbeat.engagement.models import Meeting
from ourbeat.engagement.services import meetings as s
from ourbeat.places.models import Area

THREADS = 6
area = Area.objects.filter(level="neighbourhood").order_by("code").first()
forum = s.forum_create(actor=None, area=area, organisation=area.organisation,
    kind="beat_meeting", name="Venue race forum", frequency="monthly")
tag = uuid.uuid4().hex[:8]
venue = f"Race hall {tag}"
# A quiet hour far ahead, different on each run.
starts = (timezone.now() + timedelta(days=400 + int(tag, 16) % 300)).replace(
    minute=0, second=0, microsecond=0)

def run(work):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS
    def one(n):
        try:
            barrier.wait(timeout=20)
            work(n)
            results[n] = "ok"
        except ValidationError as error:
            results[n] = "; ".join(error.messages)
        except Exception as error:
            results[n] = "error: " + repr(error)
        finally:
            connections.close_all()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(THREADS)]
    for t in threads: t.start()
    for t in threads: t.join()
    return results

def booked():
    return [m for m in Meeting.objects.filter(forum=forum, status="scheduled",
                                              starts_at__lt=starts + timedelta(hours=2),
                                              ends_at__gt=starts)
            if s.venue_key(m.venue) == s.venue_key(venue)]

def cleanup():
    for m in Meeting.objects.filter(forum=forum, status="scheduled"):
        s.meeting_cancel(actor=None, meeting=m, reason="Concurrency test")
"""

SCHEDULE = (
    SETUP
    + """
# The same room, spelt as different people type it, at overlapping times.
spellings = [venue, venue.upper(), "  " + venue.lower() + " ", venue + ".", venue, venue]
results = run(lambda n: s.meeting_schedule(
    actor=None, forum=forum, title=f"Meeting {n}",
    starts_at=starts + timedelta(minutes=5 * n), ends_at=starts + timedelta(hours=1),
    venue=spellings[n]))
count = len(booked())
cleanup()
print(json.dumps({"results": results, "booked": count}))
"""
)

MOVE = (
    SETUP
    + """
# Each thread moves its own meeting (elsewhere on another day) into the same slot.
own = [s.meeting_schedule(actor=None, forum=forum, title=f"Meeting {n}",
                          starts_at=starts + timedelta(days=1 + n),
                          ends_at=starts + timedelta(days=1 + n, hours=1),
                          venue=f"Room {n} {tag}")
       for n in range(THREADS)]
def move(n):
    m = Meeting.objects.get(pk=own[n].pk)
    s.meeting_update(actor=None, meeting=m, title=m.title, starts_at=starts,
                     ends_at=starts + timedelta(hours=1), venue=venue)
results = run(move)
count = len(booked())
cleanup()
print(json.dumps({"results": results, "booked": count}))
"""
)


def _run(live_site: Any, code: str) -> dict[str, Any]:
    return json.loads(live_site.shell(code).splitlines()[-1])


def _exactly_one_wins(result: dict[str, Any]) -> None:
    results = result["results"]
    assert results.count("ok") == 1, result
    refused = [r for r in results if r != "ok"]
    assert all("is taken then" in r for r in refused), result
    assert result["booked"] == 1, result


def test_staff_booking_one_venue_at_the_same_moment_get_it_exactly_once(
    live_site: Any,
) -> None:
    _exactly_one_wins(_run(live_site, SCHEDULE))


def test_meetings_moved_into_one_venue_and_hour_at_the_same_moment_get_it_exactly_once(
    live_site: Any,
) -> None:
    _exactly_one_wins(_run(live_site, MOVE))
