"""Where one Open311 submission's time goes, measured in-process: the figures behind the
"where the time goes" table of docs/performance.md, section (c).

Builds a fresh SQLite database with the demo town, issues an api_key, then calls ourbeat's
WSGI application directly (no server, no network) with ``POST /open311/v2/requests.json``
form bodies like the load benchmark's, after a warm-up: the CPU time of a post next to that
of ``/healthz``, the SQL statements of one post, the time the database spends on each kind
of statement, how long the write lock is held (``BEGIN IMMEDIATE`` to ``COMMIT``) and how
long the commit takes (an occasional WAL checkpoint runs in it, after the lock is released).
``--profile`` adds cProfile's view of the same posts.

    .venv/bin/python bench/concern_submission_profile.py [--posts 1000] [--profile]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _server import ROOT, load_note, manage, prepare_demo_town

POINTS_CODE = """
from ourbeat.concerns.models import Category
from ourbeat.places.models import Area
for area in Area.objects.filter(level="neighbourhood").order_by("pk"):
    point = area.geometry.representative_point()
    print("POINT", point.y, point.x)
print("CODE", Category.objects.filter(active=True, sensitive=False).order_by("code")[0].code)
"""


def wsgi_call(application: Any, path: str, body: bytes = b"") -> str:
    """One request through the WSGI application; returns the status line."""
    environ = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    status: list[str] = []
    response = application(environ, lambda line, headers, *rest: status.append(line))
    b"".join(response)
    response.close()
    return status[0]


def cpu_ms(call: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        call()
    return 1000 * (time.process_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts per measurement")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        env = prepare_demo_town(Path(tmp))
        env["OURBEAT_OPEN311_WRITE_RATE"] = "1000000000/m"  # counted, never refused
        key = manage(env, "open311_client", "add", "bench").split()[-1]
        out = manage(env, "shell", "-c", POINTS_CODE).splitlines()
        points = [line.split()[1:] for line in out if line.startswith("POINT ")]
        code = next(line.split()[1] for line in out if line.startswith("CODE "))

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        from django.db import connections

        from ourbeat.wsgi import application

        sent = [0]

        def post() -> str:
            sent[0] += 1
            lat, lng = points[sent[0] % len(points)]
            body = urlencode(
                {
                    "api_key": key,
                    "service_code": code,
                    "lat": lat,
                    "long": lng,
                    "email": "bench@example.org",
                    "description": f"bench profile {sent[0]}",
                }
            ).encode()
            status = wsgi_call(application, "/open311/v2/requests.json", body)
            assert status.startswith("201"), status
            return status

        def bare() -> str:
            return wsgi_call(application, "/healthz")

        for _ in range(50):
            post()
            bare()
        bare_ms = cpu_ms(bare, args.posts)
        post_ms = cpu_ms(post, args.posts)

        # Each kind of statement's time in the database (after the ORM built it), the lock
        # held from BEGIN to the commit, and the commit.
        spent: dict[str, list[float]] = defaultdict(list)
        held: list[float] = []
        commits: list[float] = []
        began = [0.0]
        statements: list[str] = []

        def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[" ".join(sql.split()[:3])[:44]].append(time.perf_counter() - started)
                statements.append(sql)
                if sql.startswith("BEGIN"):
                    began[0] = started

        database = connections["default"]
        commit = database.commit

        def timed_commit() -> None:
            started = time.perf_counter()
            if began[0]:
                held.append(started - began[0])
                began[0] = 0.0
            try:
                commit()
            finally:
                commits.append(time.perf_counter() - started)

        database.commit = timed_commit  # type: ignore[method-assign]
        with database.execute_wrapper(watch):
            post()
            one_post = list(statements)
            for _ in range(args.posts):
                post()
        database.commit = commit  # type: ignore[method-assign]

        print(f"python {sys.version.split()[0]}, in-process WSGI calls; {load_note()}")
        print(f"CPU per request: /healthz {bare_ms:.2f} ms, POST requests.json {post_ms:.2f} ms")
        print(f"statements of one post ({len(one_post)}, then COMMIT):")
        for sql in one_post:
            print("   ", sql[:110])
        print("database time per statement (median, ms):")
        for kind, times in sorted(spent.items(), key=lambda item: -statistics.median(item[1])):
            print(f"    {kind:46} {1000 * statistics.median(times):6.3f}")
        held.sort()
        commits.sort()
        print(
            f"write lock held, BEGIN to COMMIT: median {1000 * statistics.median(held):.2f} ms, "
            f"p90 {1000 * held[int(len(held) * 0.9)]:.2f} ms; commit: median "
            f"{1000 * statistics.median(commits):.2f} ms, p99 "
            f"{1000 * commits[int(len(commits) * 0.99)]:.2f} ms (a WAL checkpoint)"
        )
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [post() for _ in range(args.posts)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
