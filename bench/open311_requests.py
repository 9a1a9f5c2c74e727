"""``GET /open311/v2/requests.json`` answering 1,000 requests out of 1,000,000 in the
database, p95 latency, next to the bare ``/healthz`` view on the same server in the same run.

Builds a fresh SQLite database with the demo town, writes 1,000,000 published concerns
spread over a year, every category and status (raw ``executemany``, no reporters: the
Open311 read must not join them), serves ourbeat with gunicorn and asks for one service code
over the last 90 days, ``page_size=1000``: the newest 1,000 of some 20,000 that match.

    .venv/bin/python bench/open311_requests.py [--concerns 1000000] [--connections 1]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from _server import (
    WRK_REPORT,
    compare,
    database_path,
    load_arguments,
    prepare_demo_town,
    print_runs,
    require_wrk,
    run_summary,
    seed_concerns,
    serve,
)

GOAL_MS = 150


def main() -> None:
    parser = load_arguments(
        argparse.ArgumentParser(description=__doc__.split("\n\n")[0]),
        connections=1,
        duration=10,
    )
    parser.add_argument("--concerns", type=int, default=1_000_000, help="concerns to write")
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        env = prepare_demo_town(Path(tmp))
        seeded = seed_concerns(env, args.concerns)
        code = next(code for _i, code, _o, sensitive, _r in seeded.categories if not sensitive)
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(days=90)
        query = urlencode(
            {
                "service_code": code,
                "start_date": start.isoformat().replace("+00:00", "Z"),
                "end_date": end.isoformat().replace("+00:00", "Z"),
                "page_size": 1000,
            }
        )
        database = database_path(env)
        with sqlite3.connect(database) as db:
            total = db.execute("SELECT COUNT(*) FROM concerns_concern").fetchone()[0]
            matching = db.execute(
                "SELECT COUNT(*) FROM concerns_concern c JOIN concerns_category k "
                "ON k.id = c.category_id WHERE k.code = ? AND c.created_at >= ? "
                "AND c.published_at IS NOT NULL AND NOT c.hidden",
                [code, f"{start:%Y-%m-%d %H:%M:%S}"],
            ).fetchone()[0]
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_REPORT)
        with serve(env, args.workers, args.port) as server:
            url = f"{server.base}/open311/v2/requests.json?{query}"
            with urllib.request.urlopen(url, timeout=60) as response:
                body = response.read()
            answered = json.loads(body)
            assert len(answered) == 1000, f"{len(answered)} requests answered, not 1,000"
            assert "email" not in answered[0], "a reporter's field in the answer"
            runs = compare(
                server,
                {"/healthz (bare view)": f"{server.base}/healthz", "requests.json": url},
                script,
                args,
            )

    print(run_summary(args))
    print(
        f"database: SQLite (WAL), {total:,} concerns ({seeded.count:,} written in "
        f"{seeded.seconds:.0f} s); the query matches {matching:,}, answers the newest 1,000 "
        f"({len(body):,} bytes of JSON)"
    )
    print(f"GET /open311/v2/requests.json?{query}")
    print()
    medians = print_runs(runs)
    p95 = medians["requests.json"].p95_ms
    print()
    print(f"requests.json p95 {p95:.1f} ms (goal < {GOAL_MS} ms: {p95 / GOAL_MS:.0%} of it)")


if __name__ == "__main__":
    main()
