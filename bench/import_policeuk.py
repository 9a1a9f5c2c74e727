"""Importing 1,000,000 police.uk street rows into a fresh SQLite database.

Generates a street CSV of ``--rows`` rows in a temporary directory from the real Essex month
(``../shared/data/policeuk/street/``): the month is repeated, each copy a month earlier, every
crime with a new Crime ID (anti-social behaviour keeps none, as police.uk's does), on the same
police.uk map points. Then, on the same file in the same run:

* the reference: reading it with the ``csv`` module into a list of rows (best of
  ``--repeats``; with the cyclic garbage collector on, as a script would, and off, as the
  import runs);
* the import: ``services.import_run`` of one queued import into a fresh SQLite database
  (migrated, one police service with 100 neighbourhoods over Essex for the area lookup);
* the same import into a second, empty police service with the reading process off (one
  process: parsing and writing take turns);
* importing the same file again (every row already present, none added).

It prints rows per second (wall clock, and CPU time of this process and the import's reading
process: the machine is shared)
and the import's time as a multiple of the reference's.

    .venv/bin/python bench/import_policeuk.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import math
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ESSEX = ROOT.parent / "shared" / "data" / "policeuk" / "street" / "2018-03-essex-street.csv"
sys.path.insert(0, str(ROOT))


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return (
        f"{cores} cores ({model}); python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def month_before(year: int, month: int, k: int) -> str:
    index = year * 12 + (month - 1) - k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def make_file(path: Path, rows: int) -> tuple[int, int]:
    """The Essex month repeated (each copy a month earlier, new Crime IDs) up to ``rows``
    rows; returns (rows written, rows without a Crime ID)."""
    with open(ESSEX, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        month_rows = list(reader)
    id_at, month_at = header.index("Crime ID"), header.index("Month")
    written = anonymous = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        copy = 0
        while written < rows:
            month = month_before(2018, 3, copy)
            for row in month_rows[: rows - written]:
                row = list(row)
                row[month_at] = month
                if row[id_at]:
                    row[id_at] = hashlib.sha256(f"bench:{copy}:{written}".encode()).hexdigest()
                else:
                    anonymous += 1
                writer.writerow(row)
                written += 1
            copy += 1
    return written, anonymous


def parse_csv(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as text:
        return len(list(csv.reader(text))) - 1


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the import's reading
    process)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, float]:
    """The best wall-clock and CPU seconds of ``repeats`` runs."""
    wall, cpu = math.inf, math.inf
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, cpu_seconds() - start_cpu)
    return wall, cpu


def without_gc(run: Callable[[], Any]) -> Callable[[], Any]:
    def wrapped() -> Any:
        gc.disable()
        try:
            return run()
        finally:
            gc.enable()

    return wrapped


def setup_django(var_dir: Path) -> None:
    os.environ["OURBEAT_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["OURBEAT_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourbeat.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_force(slug: str = "essex") -> Any:
    """A police service with 100 neighbourhoods tiling Essex (10 × 10 boxes)."""
    from shapely.geometry import box, mapping

    from ourbeat.places.models import Area, AreaLevel, Organisation

    force = Organisation.objects.create(kind="police_service", name=f"Police {slug}", slug=slug)
    west, south, east, north = -0.1, 51.4, 1.4, 52.1
    step_x, step_y = (east - west) / 10, (north - south) / 10
    for i in range(10):
        for j in range(10):
            shape = box(west + i * step_x, south + j * step_y, west + (i + 1) * step_x,
                        south + (j + 1) * step_y)  # fmt: skip
            centre = shape.centroid
            area = Area.objects.create(
                organisation=force,
                level=AreaLevel.NEIGHBOURHOOD,
                name=f"Box {i}-{j}",
                slug=f"{slug}-box-{i}-{j}",
                code=f"B{i}{j}",
                boundary=dict(mapping(shape)),
                centre_lat=centre.y,
                centre_lng=centre.x,
                min_lng=shape.bounds[0],
                min_lat=shape.bounds[1],
                max_lng=shape.bounds[2],
                max_lat=shape.bounds[3],
            )
            area.path = f"{area.pk}/"
            area.save(update_fields=["path"])
    return force


def run_import(force: Any, path: Path) -> tuple[float, float, Any]:
    from ourbeat.analytics.models import IncidentImport, IncidentSource
    from ourbeat.analytics.services import import_run

    # The file stays where it is: only files under the imports directory are ever deleted.
    queued = IncidentImport.objects.create(
        organisation=force,
        source=IncidentSource.POLICEUK_STREET,
        file_name=path.name,
        stored_path=str(path),
    )
    start, start_cpu = time.perf_counter(), cpu_seconds()
    done = import_run(incident_import_id=queued.pk)
    return time.perf_counter() - start, cpu_seconds() - start_cpu, done


def sqlite_floor(organisation_id: int, *, unique_only: bool = False) -> tuple[float, float, int]:
    """SQLite's own cost for the rows the organisation's import added, without Python: copy
    them from a table without indexes into an empty table with the incident table's columns
    and indexes (only the unique ones with ``unique_only``), in one transaction, with the
    page cache the import uses. Returns the wall-clock and CPU seconds and the number of
    indexes copied into."""
    from django.db import connection

    from ourbeat.analytics.importing import SQLITE_CACHE_KIB

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'analytics_incident' "
            "AND sql IS NOT NULL"
        )
        schema = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_rows")
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_rows AS SELECT * FROM analytics_incident "
            "WHERE organisation_id = %s",
            [organisation_id],
        )
        cursor.execute("PRAGMA table_info(analytics_incident)")
        columns = [f'"{row[1]}"' for row in cursor.fetchall()]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        for kind, sql in schema:
            sql = sql.replace('"analytics_incident"', '"bench_copy"')
            if kind == "index":
                if unique_only and not sql.startswith("CREATE UNIQUE"):
                    continue
                sql = sql.replace('INDEX "', 'INDEX "bench_copy_', 1)
            cursor.execute(sql)
        # With those SQLite makes for a unique constraint in the table's own statement.
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bench_copy'"
        )
        indexes = int(cursor.fetchone()[0])
    start, start_cpu = time.perf_counter(), cpu_seconds()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            f"INSERT INTO bench_copy ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM bench_rows"
        )
        cursor.execute("COMMIT")
    wall, cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_rows")
        cursor.execute("DROP TABLE bench_copy")
    return wall, cpu, indexes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print(machine())
    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-import-") as tmp:
        var_dir = Path(tmp)
        path = var_dir / "street.csv"
        start = time.perf_counter()
        rows, anonymous = make_file(path, args.rows)
        print(
            f"{rows:,} street rows ({anonymous:,} anti-social behaviour, without a Crime ID), "
            f"{path.stat().st_size / 1e6:.0f} MB, generated in {time.perf_counter() - start:.1f} s"
        )
        setup_django(var_dir)
        force = make_force()

        parse_gc = best_of(args.repeats, lambda: parse_csv(path))
        parse_nogc = best_of(args.repeats, without_gc(lambda: parse_csv(path)))
        first_wall, first_cpu, first = run_import(force, path)
        # The same file into a second, empty police service, without the reading process.
        from ourbeat.analytics import importing

        importing.READ_AHEAD = False
        single_wall, single_cpu, single = run_import(make_force("essex-single"), path)
        importing.READ_AHEAD = True
        assert single.rows_added == rows, (single.rows_added, rows)
        again_wall, again_cpu, again = run_import(force, path)
        assert first.status == "done", first.error
        assert first.rows_added == rows, (first.rows_added, rows)
        assert again.rows_added == 0, again.rows_added
        assert again.rows_present == rows, again.rows_present
        floor_wall, floor_cpu, indexes = sqlite_floor(force.pk)
        lean_wall, lean_cpu, unique = sqlite_floor(force.pk, unique_only=True)
        floor, lean = (floor_wall, floor_cpu), (lean_wall, lean_cpu)

        table = [
            ("csv.reader, list of rows (gc on)", *parse_gc),
            ("csv.reader, list of rows (gc off)", *parse_nogc),
            (f"import into SQLite ({first.rows_added:,} added)", first_wall, first_cpu),
            ("  the same, one process (no reading ahead)", single_wall, single_cpu),
            (f"import again ({again.rows_present:,} present)", again_wall, again_cpu),
            ("SQLite alone: INSERT ... SELECT of the rows", *floor),
            (f"  the same with the {unique} unique index only", *lean),
        ]
        print()
        print(f"{'':<42} {'wall s':>7} {'rows/s':>10} {'CPU s':>7} {'rows/s':>10}")
        for name, wall, cpu in table:
            print(f"{name:<42} {wall:>7.2f} {rows / wall:>10,.0f} {cpu:>7.2f} {rows / cpu:>10,.0f}")
        print()
        reference_wall, reference_cpu = parse_gc
        print(
            f"the import takes {first_wall / reference_wall:.1f}x the time of reading the file "
            f"with csv.reader (CPU: {first_cpu / reference_cpu:.1f}x); "
            f"{first_wall / parse_nogc[0]:.1f}x with the collector off in both"
        )
        print(
            "SQLite alone, copying the same rows between two of its own tables (no Python, no "
            f"parsing), takes {floor[0]:.1f} s: {rows / floor[0]:,.0f} rows/s with the "
            f"incident table's {indexes} indexes; {rows / lean[0]:,.0f} rows/s with its "
            f"unique index only"
        )


if __name__ == "__main__":
    main()
