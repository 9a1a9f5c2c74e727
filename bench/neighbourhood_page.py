"""The public neighbourhood page under concurrent load, next to the bare ``/healthz`` view.

Builds a fresh SQLite database with the demo town in a temporary directory, serves ourbeat
through gunicorn (WSGI) on loopback, and drives it with wrk (``scripts/bench-setup.sh``
installs it) from the same machine: requests per second, p95 latency and the server's CPU
time per request (utime + stime of the gunicorn master and workers, from /proc), for both
URLs in alternating rounds of the same run.

Anonymous visitors are served the page through its real request path, which includes the
per-area cached copy of ``_cached_page`` (ourbeat/places/views/public.py): the figures are
for that path, as a resident's phone would meet it, not for an uncached render.

    .venv/bin/python bench/neighbourhood_page.py [--workers 2] [--connections 32] [--duration 15]
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from _server import (
    WRK_REPORT,
    Run,
    load_arguments,
    measure,
    prepare_demo_town,
    print_runs,
    require_wrk,
    run_summary,
    serve,
    shell_lines,
    wrk,
)


def prepare(var_dir: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A fresh database with the demo town; returns the server's environment and the
    neighbourhood pages' paths and names, in code order."""
    env = prepare_demo_town(var_dir)
    lookup = (
        "from django.utils import translation\n"
        "from ourbeat.places.models import Area\n"
        "translation.activate('en')\n"
        "for a in Area.objects.filter(level='neighbourhood').order_by('code'):\n"
        "    print('PAGE', a.get_absolute_url(), a.name)\n"
    )
    pages = [line.split(" ", 1) for line in shell_lines(env, lookup, "PAGE")]
    return env, [(path, name) for path, name in pages]


def first_working_page(base: str, pages: list[tuple[str, str]]) -> tuple[str, str]:
    """The first neighbourhood page that renders; the others are named, since a page that
    fails is a bug to fix, not a page to benchmark."""
    for path, name in pages:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                body = response.read().decode()
        except urllib.error.HTTPError as error:
            print(f"WARNING: {path} answers {error.code}; benchmarking another neighbourhood")
            continue
        assert html.escape(name) in body, f"{path} is not the neighbourhood page"
        return path, body
    sys.exit("no neighbourhood page renders")


def main() -> None:
    parser = load_arguments(
        argparse.ArgumentParser(description=__doc__.split("\n\n")[0]),
        connections=32,
        duration=15,
    )
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        var_dir = Path(tmp)
        env, pages = prepare(var_dir)
        script = var_dir / "report.lua"
        script.write_text(WRK_REPORT)
        with serve(env, args.workers, args.port) as server:
            base = server.base
            page_path, body = first_working_page(base, pages)
            urls = {"/healthz (bare view)": f"{base}/healthz", page_path: base + page_path}
            for url in urls.values():  # warm-up: imports, connections, the page cache
                wrk(url, script, args.connections, args.threads, 3)
            runs: dict[str, list[Run]] = {name: [] for name in urls}
            for _ in range(args.rounds):
                for name, url in urls.items():
                    runs[name].append(
                        measure(
                            url,
                            server.pids,
                            script,
                            args.connections,
                            args.threads,
                            args.duration,
                        )
                    )

    print(run_summary(args))
    print("database: SQLite (WAL), one persistent connection per worker (CONN_MAX_AGE 60)")
    print(f"page size: {len(body.encode()):,} bytes")
    print()
    medians = print_runs(runs)
    bare, page = medians.values()
    print()
    print(
        f"page throughput / bare view: {page.rps / bare.rps:.0%} (goal ≥ 40%); "
        f"page p95 {page.p95_ms:.1f} ms (goal < 50 ms)"
    )
    print(
        "all rounds, req/s: "
        + "; ".join(
            f"{name} " + ", ".join(f"{r.rps:,.0f}" for r in rounds) for name, rounds in runs.items()
        )
    )
    if statistics.fmean(r.errors for r in runs[page_path]) > 0:
        print("WARNING: the page run had errors")


if __name__ == "__main__":
    main()
