"""The public map's data for a district of 100,000 concerns
(``GET /en/concerns/map.geojson?area=<district>``), p95 latency, next to the bare
``/healthz`` view on the same server in the same run.

Builds a fresh SQLite database with the demo town, writes 100,000 published concerns over a
year into the neighbourhoods of one district (raw ``executemany``; every category and status,
public cells at each category's resolution, none for sensitive ones), serves ourbeat with
gunicorn and asks for the district's map data: one GeoJSON point per public H3 cell.

    .venv/bin/python bench/concern_map.py [--concerns 100000] [--connections 1]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import urllib.request
from pathlib import Path

from _server import (
    WRK_REPORT,
    compare,
    load_arguments,
    prepare_demo_town,
    print_runs,
    require_wrk,
    run_summary,
    seed_concerns,
    serve,
    shell_lines,
)

GOAL_MS = 200
DISTRICT_CODE = (
    "from ourbeat.places.models import Area\n"
    "area = Area.objects.filter(level='district').order_by('pk').first()\n"
    "print('DISTRICT', area.slug)\n"
)


def main() -> None:
    parser = load_arguments(
        argparse.ArgumentParser(description=__doc__.split("\n\n")[0]),
        connections=1,
        duration=10,
    )
    parser.add_argument("--concerns", type=int, default=100_000, help="concerns in the district")
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        env = prepare_demo_town(Path(tmp))
        (district,) = shell_lines(env, DISTRICT_CODE, "DISTRICT")
        seeded = seed_concerns(env, args.concerns, district=district)
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_REPORT)
        with serve(env, args.workers, args.port) as server:
            url = f"{server.base}/en/concerns/map.geojson?area={district}"
            with urllib.request.urlopen(url, timeout=60) as response:
                body = response.read()
            features = json.loads(body)["features"]
            counted = sum(f["properties"]["count"] for f in features)
            assert counted >= seeded.count * 0.7, f"the map counts only {counted:,} concerns"
            runs = compare(
                server,
                {"/healthz (bare view)": f"{server.base}/healthz", "map.geojson": url},
                script,
                args,
            )

    print(run_summary(args))
    print(
        f"database: SQLite (WAL), {seeded.count:,} concerns in {district} (written in "
        f"{seeded.seconds:.0f} s); the map shows {counted:,} of them (sensitive categories "
        f"are not mapped) in {len(features):,} cells, {len(body):,} bytes of GeoJSON"
    )
    print(f"GET /en/concerns/map.geojson?area={district}")
    print()
    medians = print_runs(runs)
    p95 = medians["map.geojson"].p95_ms
    print()
    print(f"map.geojson p95 {p95:.1f} ms (goal < {GOAL_MS} ms: {p95 / GOAL_MS:.0%} of it)")


if __name__ == "__main__":
    main()
