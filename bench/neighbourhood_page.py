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
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
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


def prepare(var_dir: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A fresh database with the demo town; returns the server's environment and the
    neighbourhood pages' paths and names, in code order."""
    env = {
        **os.environ,
        "OURBEAT_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "OURBEAT_DEBUG": "false",
        "OURBEAT_LOG_LEVEL": "WARNING",
    }
    manage = [str(PYTHON), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [*manage, "demo_town", "--no-photos"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    lookup = (
        "from django.utils import translation\n"
        "from ourbeat.places.models import Area\n"
        "translation.activate('en')\n"
        "for a in Area.objects.filter(level='neighbourhood').order_by('code'):\n"
        "    print('PAGE', a.get_absolute_url(), a.name)\n"
    )
    out = subprocess.run(
        [*manage, "shell", "-c", lookup],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Django's shell may print its own notes first.
    pages = [line.split(" ", 2)[1:] for line in out.splitlines() if line.startswith("PAGE ")]
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


def wrk(url: str, script: Path, connections: int, threads: int, seconds: int) -> dict[str, int]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    report = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    report["non2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return report


def measure(url: str, pids: list[int], script: Path, args: argparse.Namespace) -> Run:
    before = cpu_seconds(pids)
    report = wrk(url, script, args.connections, args.threads, args.duration)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=32, help="concurrent wrk clients")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per URL")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run scripts/bench-setup.sh")

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        var_dir = Path(tmp)
        env, pages = prepare(var_dir)
        script = var_dir / "report.lua"
        script.write_text(WRK_REPORT)
        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "ourbeat.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--backlog",
                "2048",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            wait_until_up(f"{base}/healthz", server)
            page_path, body = first_working_page(base, pages)
            pids = server_pids(server.pid)
            urls = {"/healthz (bare view)": f"{base}/healthz", page_path: base + page_path}
            for url in urls.values():  # warm-up: imports, connections, the page cache
                wrk(url, script, args.connections, args.threads, 3)
            runs: dict[str, list[Run]] = {name: [] for name in urls}
            for _ in range(args.rounds):
                for name, url in urls.items():
                    runs[name].append(measure(url, pids, script, args))
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores; gunicorn {args.workers} "
        f"sync workers; wrk {args.threads} thread(s), {args.connections} connections, "
        f"{args.rounds} x {args.duration} s per URL, median round shown"
    )
    print("database: SQLite (WAL), one persistent connection per worker (CONN_MAX_AGE 60)")
    print(f"page size: {len(body.encode()):,} bytes")
    print()
    header = f"{'URL':<32} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(f"{header} {'CPU ms/req':>10} {'errors':>6}")
    medians: dict[str, Run] = {}
    for name, rounds in runs.items():
        run = sorted(rounds, key=lambda r: r.rps)[len(rounds) // 2]
        medians[name] = run
        print(
            f"{name:<32} {run.rps:>8,.0f} {run.p50_ms:>7.1f} {run.p95_ms:>7.1f} "
            f"{run.p99_ms:>7.1f} {run.cpu_ms_per_request:>10.3f} {run.errors:>6}"
        )
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
