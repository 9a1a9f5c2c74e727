"""What the HTTP benchmarks in bench/ share: a fresh SQLite database in a temporary var
directory, gunicorn (WSGI, sync workers) on a free loopback port, wrk with a Lua report, and
the server's CPU time from /proc. Each script measures its URL next to a reference on the
same server in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# wrk calls done() once at the end; percentiles are in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration=%d p50=%d p95=%d p99=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests


def median(runs: Sequence[Run]) -> Run:
    """The median round by throughput."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run scripts/bench-setup.sh")


def bench_env(var_dir: Path) -> dict[str, str]:
    """The server's environment: its own var directory and SQLite database, DEBUG off."""
    return {
        **os.environ,
        "OURBEAT_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "OURBEAT_DEBUG": "false",
        "OURBEAT_LOG_LEVEL": "WARNING",
    }


def database_path(env: dict[str, str]) -> Path:
    return Path(env["DATABASE_URL"].removeprefix("sqlite:///"))


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> str:
    """Run ``manage.py`` with the bench environment; returns its standard output."""
    return subprocess.run(
        [str(PYTHON), str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def shell_lines(env: dict[str, str], code: str, marker: str) -> list[str]:
    """Run Python in ``manage.py shell``; the lines it printed starting with ``marker ``
    (Django's shell may print its own notes first), without the marker."""
    out = manage(env, "shell", "-c", code)
    prefix = marker + " "
    return [line[len(prefix) :] for line in out.splitlines() if line.startswith(prefix)]


def prepare_demo_town(var_dir: Path) -> dict[str, str]:
    """A fresh database with the demo town; returns the server's environment."""
    env = bench_env(var_dir)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "demo_town", "--no-photos")
    return env


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *(int(pid) for pid in children)]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        # The command name may hold spaces; the fields after its closing bracket don't.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            sys.exit("gunicorn exited before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@dataclass
class Server:
    base: str
    pids: list[int]


@contextmanager
def serve(env: dict[str, str], workers: int, port: int = 0) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on loopback, up and answering ``/healthz``."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "ourbeat.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_up(f"{base}/healthz", process)
        yield Server(base, server_pids(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(
    url: str,
    script: Path,
    connections: int,
    threads: int,
    seconds: int,
    script_args: Sequence[str] = (),
    timeout: int = 5,
) -> dict[str, int]:
    """Run wrk; the ``BENCH key=value …`` line its Lua ``done`` printed, as integers, plus
    ``non2xx`` (responses with a status of 400 or more… as wrk counts them)."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s"]
    args += ["-s", str(script), url]
    if script_args:
        args += ["--", *script_args]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    report = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    report["non2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return report


def measure(
    url: str, pids: list[int], script: Path, connections: int, threads: int, seconds: int
) -> Run:
    before = cpu_seconds(pids)
    report = wrk(url, script, connections, threads, seconds)
    cpu = cpu_seconds(pids) - before
    errors = sum(report[k] for k in ("connect", "read", "write", "status", "timeout", "non2xx"))
    return Run(
        requests=report["requests"],
        seconds=report["duration"] / 1e6,
        p50_ms=report["p50"] / 1000,
        p95_ms=report["p95"] / 1000,
        p99_ms=report["p99"] / 1000,
        errors=errors,
        cpu_seconds=cpu,
    )


def load_note() -> str:
    """The load average when the figures were taken: the machine may be shared."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def describe(workers: int, threads: int, connections: int) -> str:
    return (
        f"python {platform.python_version()}, {os.cpu_count()} cores; gunicorn {workers} "
        f"sync workers; wrk {threads} thread(s), {connections} connections"
    )


# ---- many concerns, written straight into the database -------------------------------------

POOL_CODE = """
import random
import h3
from shapely import intersects_xy
from ourbeat.concerns.models import Category
from ourbeat.places.models import Area
rng = random.Random(7)
areas = Area.objects.filter(level="neighbourhood")
if {district!r}:
    areas = areas.filter(parent__slug={district!r})
for area in areas.order_by("pk"):
    g = area.geometry
    min_x, min_y, max_x, max_y = g.bounds
    n = 0
    while n < 200:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if intersects_xy(g, x, y):
            cells = [str(h3.str_to_int(h3.latlng_to_cell(y, x, r))) for r in range(5, 11)]
            print("POOL", area.pk, f"{{y:.6f}}", f"{{x:.6f}}", *cells)
            n += 1
for c in Category.objects.order_by("pk"):
    print(
        "CAT", c.pk, c.code, c.organisation_id, int(c.sensitive), c.public_resolution,
        c.first_response_days, c.resolution_plan_days,
    )
from django.conf import settings
print("ZONE", settings.TIME_ZONE)
"""

STATUSES = [
    "submitted",
    "acknowledged",
    "investigating",
    "action_scheduled",
    "resolved",
    "not_police_matter",
    "duplicate",
    "closed",
]


@dataclass
class Seeded:
    count: int
    seconds: float
    categories: list[tuple[int, str, int, bool, int]]  # id, code, organisation, sensitive, res


def seed_concerns(env: dict[str, str], count: int, district: str = "", days: int = 365) -> Seeded:
    """``count`` published concerns over the last ``days`` days, in the neighbourhoods (of
    ``district`` when given), across every category and status, inserted with one raw
    ``executemany`` per 50,000 rows. Locations come from a pool of points inside the
    neighbourhoods with their H3 cells precomputed; sensitive categories get no public cell.
    Each row gets the due dates of its category's commitment, as a submission stores them
    (working days from the local day of the report). Reporters are not written: no public
    read joins them."""
    import random
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    import numpy as np

    started = time.perf_counter()
    out = manage(env, "shell", "-c", POOL_CODE.format(district=district)).splitlines()
    pool = [line.split()[1:] for line in out if line.startswith("POOL ")]
    rows = [line.split()[1:] for line in out if line.startswith("CAT ")]
    categories = [(int(i), code, int(org), s == "1", int(res)) for i, code, org, s, res, *_ in rows]
    commitments = [(int(first), int(plan)) for *_, first, plan in rows]
    zone = ZoneInfo(next(line.split()[1] for line in out if line.startswith("ZONE ")))
    rng = random.Random(20261126)
    now = datetime.now(UTC).replace(tzinfo=None)
    span = timedelta(days=days).total_seconds()
    columns = [
        "reference", "latitude", "longitude", "public_cell", "location_text", "description",
        "public_text", "answers", "status", "status_note", "channel", "confirmed_at",
        "published_at", "hidden", "supporters", "created_at", "updated_at", "area_id",
        "category_id", "responsible_id", "first_response_due", "resolution_plan_due",
    ]  # fmt: skip
    sql = (
        f"INSERT INTO concerns_concern ({', '.join(columns)}) "  # noqa: S608 (constants)
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    # Oldest first, so that the ids grow with created_at as they do in real life.
    offsets = sorted((rng.random() * span for _ in range(count)), reverse=True)
    picks = [(rng.randrange(len(pool)), rng.randrange(len(categories))) for _ in range(count)]
    # The due dates, counted in one vectorised pass (numpy's working days, as the app does).
    local_days = np.array(
        [(now - timedelta(seconds=o)).replace(tzinfo=UTC).astimezone(zone).date() for o in offsets],
        dtype="datetime64[D]",
    )
    first_days = np.array([commitments[c][0] for _p, c in picks])
    plan_days = np.array([commitments[c][1] for _p, c in picks])
    first_due = np.busday_offset(local_days, first_days, roll="forward").astype(str).tolist()
    plan_due = np.busday_offset(local_days, plan_days, roll="forward").astype(str).tolist()
    database = database_path(env)
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-400000")
        batch: list[tuple[object, ...]] = []
        for number, (offset, (point, category)) in enumerate(zip(offsets, picks, strict=True), 1):
            area_id, lat, lng, *cells = pool[point]
            category_id, _code, organisation_id, sensitive, resolution = categories[category]
            created = now - timedelta(seconds=offset)
            published = created + timedelta(hours=2)
            text = f"Bench concern {number}: litter and noise by the path."
            batch.append(
                (
                    f"BEN-{number:09d}", float(lat), float(lng),
                    None if sensitive else int(cells[resolution - 5]), "", text, text, "{}",
                    STATUSES[rng.randrange(len(STATUSES))], "", "web",
                    f"{created + timedelta(hours=1):%Y-%m-%d %H:%M:%S.%f}",
                    f"{published:%Y-%m-%d %H:%M:%S.%f}", 0, 0,
                    f"{created:%Y-%m-%d %H:%M:%S.%f}", f"{published:%Y-%m-%d %H:%M:%S.%f}",
                    int(area_id), category_id, organisation_id,
                    first_due[number - 1], plan_due[number - 1],
                )
            )  # fmt: skip
            if len(batch) == 50_000:
                db.executemany(sql, batch)
                batch.clear()
        db.executemany(sql, batch)
    return Seeded(count, time.perf_counter() - started, categories)


# ---- a URL next to its reference, in alternating rounds --------------------------------------


def compare(
    server: Server, urls: dict[str, str], script: Path, args: argparse.Namespace
) -> dict[str, list[Run]]:
    """Each URL (warmed up for 3 s first) measured in ``args.rounds`` alternating rounds of
    ``args.duration`` seconds with the load options of ``load_arguments``."""
    for url in urls.values():
        wrk(url, script, args.connections, args.threads, 3)
    runs: dict[str, list[Run]] = {name: [] for name in urls}
    for _ in range(args.rounds):
        for name, url in urls.items():
            runs[name].append(
                measure(url, server.pids, script, args.connections, args.threads, args.duration)
            )
    return runs


def run_summary(args: argparse.Namespace) -> str:
    """The line every benchmark prints above its table: machine, server, load and rounds."""
    return (
        f"{describe(args.workers, args.threads, args.connections)}, "
        f"{args.rounds} x {args.duration} s per URL, median round shown; {load_note()}"
    )


def print_runs(runs: dict[str, list[Run]]) -> dict[str, Run]:
    """The median round of each URL as a table; returns them."""
    header = f"{'URL':<40} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(f"{header} {'CPU ms/req':>10} {'errors':>6}")
    medians: dict[str, Run] = {}
    for name, rounds in runs.items():
        run = median(rounds)
        medians[name] = run
        print(
            f"{name:<40} {run.rps:>8,.1f} {run.p50_ms:>7.1f} {run.p95_ms:>7.1f} "
            f"{run.p99_ms:>7.1f} {run.cpu_ms_per_request:>10.2f} {run.errors:>6}"
        )
    print(
        "all rounds, p95 ms: "
        + "; ".join(
            f"{name} " + ", ".join(f"{r.p95_ms:.1f}" for r in rounds)
            for name, rounds in runs.items()
        )
    )
    return medians


def load_arguments(
    parser: argparse.ArgumentParser, *, connections: int, duration: int
) -> argparse.ArgumentParser:
    """The options every load benchmark shares: server, load generator and rounds."""
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--connections", type=int, default=connections, help="concurrent wrk clients"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=duration, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per URL")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    return parser
