"""Sustained concern submissions through Open311 (``POST /open311/v2/requests.json``) on
SQLite with 16 concurrent clients, next to the bare ``/healthz`` view on the same server in
the same run, and a count of what reached the database.

Builds a fresh SQLite database with the demo town, issues an api_key
(``manage.py open311_client add``), pre-computes points inside the neighbourhoods, serves
ourbeat with gunicorn and drives it with wrk. The Lua script POSTs form bodies with varied
points and a unique description per request, and stops *sending* at the end of the window
(its ``delay`` function) while wrk keeps reading for a few more seconds, so that every request
sent is answered: then the concerns in the database must equal the 2xx answers exactly, with
no description twice (nothing lost, nothing duplicated). Throughput is the acknowledged
submissions divided by the time from the first request sent to the last answer read.

    .venv/bin/python bench/concern_submissions.py [--workers 2] [--connections 16] [--duration 10]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from _server import (
    cpu_seconds,
    database_path,
    describe,
    load_arguments,
    load_note,
    manage,
    prepare_demo_town,
    require_wrk,
    serve,
    shell_lines,
    wrk,
)

GOAL = 400  # submissions per second
# Seconds wrk keeps reading after the last request is sent: more than SQLite's busy timeout
# (5 s), so that even a request that waited that long for the write lock is answered. wrk's
# own timeout is longer still (it counts an idle connection as timed out).
GRACE = 6
TIMEOUT = 30

# LuaJIT (Debian's wrk links it) has an FFI: a monotonic clock in milliseconds.
LUA = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1000000
end

local threads = {}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  stop_at = now_ms() + tonumber(args[1]) * 1000
  tag = args[2]
  sent, ok, bad, first_ms, last_ms = 0, 0, 0, 0, 0
end

-- Called before every request that is sent (wrk also calls request() once to check it,
-- which is why requests are counted here): past the window, a connection sends nothing more.
function delay()
  local now = now_ms()
  if now >= stop_at then return 3600000 end
  sent = sent + 1
  if first_ms == 0 then first_ms = now end
  return 0
end

local form = {["Content-Type"] = "application/x-www-form-urlencoded"}
local n = 0
function request()
  n = n + 1
  if METHOD == "GET" then return wrk.format("GET") end
  local p = POINTS[(n * 7919 + id) % #POINTS + 1]
  local body = PREFIX .. "&lat=" .. p[1] .. "&long=" .. p[2] ..
    "&description=bench+" .. tag .. "-" .. id .. "-" .. n
  return wrk.format("POST", nil, form, body)
end

function response(status, headers, body)
  last_ms = now_ms()
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end

done = function(summary, latency, requests)
  local s, o, b, first, last = 0, 0, 0, math.huge, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    o = o + t:get("ok")
    b = b + t:get("bad")
    local f = t:get("first_ms")
    if f > 0 and f < first then first = f end
    local l = t:get("last_ms")
    if l > last then last = l end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH sent=%d ok=%d bad=%d span_us=%d requests=%d p50=%d p95=%d p99=%d max=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    s, o, b, math.floor((last - first) * 1000), summary.requests, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""

POINTS_CODE = """
import random
from shapely import intersects_xy
from shapely.ops import unary_union
from ourbeat.concerns.models import Category
from ourbeat.places.models import Area
from ourbeat.places.selectors import locate_neighbourhood
areas = [a.geometry for a in Area.objects.filter(level="neighbourhood")]
town = unary_union(areas)
min_x, min_y, max_x, max_y = town.bounds
rng = random.Random(2026)
found = 0
while found < {count}:
    x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
    if intersects_xy(town, x, y) and locate_neighbourhood(y, x) is not None:
        print("POINT", f"{{y:.6f}}", f"{{x:.6f}}")
        found += 1
category = Category.objects.filter(active=True, sensitive=False).order_by("code").first()
print("CODE", category.code)
"""


@dataclass
class Round:
    sent: int
    ok: int
    bad: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # wrk's socket errors and timeouts
    cpu_seconds: float
    stored: int = 0  # concerns of this round in the database
    distinct: int = 0  # distinct descriptions among them

    @property
    def rps(self) -> float:
        return self.ok / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / max(self.ok + self.bad, 1)


def lua_script(points: list[tuple[str, str]], method: str, prefix: str) -> str:
    table = ",".join(f"{{{lat},{lng}}}" for lat, lng in points)
    return f'METHOD = "{method}"\nPREFIX = "{prefix}"\nPOINTS = {{{table}}}\n{LUA}'


def run_round(url: str, script: Path, pids: list[int], args: argparse.Namespace, tag: str) -> Round:
    before = cpu_seconds(pids)
    report = wrk(
        url,
        script,
        args.connections,
        args.threads,
        args.duration + GRACE,
        script_args=[str(args.duration), tag],
        timeout=TIMEOUT,
    )
    cpu = cpu_seconds(pids) - before
    return Round(
        sent=report["sent"],
        ok=report["ok"],
        bad=report["bad"],
        seconds=report["span_us"] / 1e6,
        p50_ms=report["p50"] / 1000,
        p95_ms=report["p95"] / 1000,
        p99_ms=report["p99"] / 1000,
        max_ms=report["max"] / 1000,
        errors=sum(report[k] for k in ("connect", "read", "write", "timeout")),
        cpu_seconds=cpu,
    )


def count_stored(database: Path, tag: str) -> tuple[int, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT description) FROM concerns_concern "
            "WHERE channel = 'open311' AND description LIKE ?",
            [f"bench {tag}-%"],
        ).fetchone()
    return int(row[0]), int(row[1])


def main() -> None:
    parser = load_arguments(
        argparse.ArgumentParser(description=__doc__.split("\n\n")[0]),
        connections=16,
        duration=10,
    )
    parser.add_argument("--points", type=int, default=5000, help="distinct points to post")
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="ourbeat-bench-") as tmp:
        var_dir = Path(tmp)
        env = prepare_demo_town(var_dir)
        # The per-client write limit still runs on every request, but does not refuse: the
        # bench measures throughput, not the limit. 4xx warnings are not logged.
        env["OURBEAT_OPEN311_WRITE_RATE"] = "1000000000/m"
        env["OURBEAT_LOG_LEVEL"] = "ERROR"
        key = manage(env, "open311_client", "add", "bench").split()[-1]
        lines = shell_lines(env, POINTS_CODE.format(count=args.points), "POINT")
        points = [(lat, lng) for lat, lng in (line.split() for line in lines)]
        (code,) = shell_lines(env, POINTS_CODE.format(count=0), "CODE")
        prefix = (
            f"api_key={quote_plus(key)}&service_code={quote_plus(code)}&email=bench%40example.org"
        )
        post_script = var_dir / "submit.lua"
        post_script.write_text(lua_script(points, "POST", prefix))
        get_script = var_dir / "bare.lua"
        get_script.write_text(lua_script([], "GET", ""))
        database = database_path(env)
        with sqlite3.connect(database) as db:
            before_total = db.execute("SELECT COUNT(*) FROM concerns_concern").fetchone()[0]

        with serve(env, args.workers, args.port) as server:
            post_url = f"{server.base}/open311/v2/requests.json"
            bare_url = f"{server.base}/healthz"
            # Warm-up: imports, connections, the locate caches.
            run_round(post_url, post_script, server.pids, _short(args), "warm")
            run_round(bare_url, get_script, server.pids, _short(args), "warm")
            runs: dict[str, list[Round]] = {"bare": [], "submit": []}
            for number in range(args.rounds):
                runs["bare"].append(run_round(bare_url, get_script, server.pids, args, "x"))
                tag = f"r{number}"
                submit = run_round(post_url, post_script, server.pids, args, tag)
                submit.stored, submit.distinct = count_stored(database, tag)
                runs["submit"].append(submit)
        with sqlite3.connect(database) as db:
            after_total = db.execute("SELECT COUNT(*) FROM concerns_concern").fetchone()[0]
            reporters = db.execute("SELECT COUNT(*) FROM concerns_reporter").fetchone()[0]
            concerns_total = after_total

    print(
        f"{describe(args.workers, args.threads, args.connections)}, "
        f"{args.rounds} x {args.duration} s per URL (+{GRACE} s to read the last answers), "
        f"median round shown; {load_note()}"
    )
    print("database: SQLite (WAL), one persistent connection per worker (CONN_MAX_AGE 60)")
    print()
    header = f"{'URL':<34} {'ok/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(f"{header} {'CPU ms/req':>10} {'non-2xx':>7} {'errors':>6}")
    medians = {}
    names = {"bare": "GET /healthz (bare view)", "submit": "POST /open311/v2/requests.json"}
    for name, rounds in runs.items():
        run = sorted(rounds, key=lambda r: r.rps)[len(rounds) // 2]
        medians[name] = run
        print(
            f"{names[name]:<34} {run.rps:>8,.0f} {run.p50_ms:>7.1f} {run.p95_ms:>7.1f} "
            f"{run.p99_ms:>7.1f} {run.cpu_ms:>10.2f} {run.bad:>7} {run.errors:>6}"
        )
    print()
    submit, bare = medians["submit"], medians["bare"]
    print(
        f"submissions: {submit.rps:,.0f}/s (goal ≥ {GOAL}/s: {submit.rps / GOAL:.2f}× the goal), "
        f"{submit.rps / bare.rps:.0%} of the bare view's throughput"
    )
    exact = True
    for number, run in enumerate(runs["submit"]):
        lost = run.ok - run.stored
        duplicated = run.stored - run.distinct
        unanswered = run.sent - run.ok - run.bad
        exact &= lost == 0 and duplicated == 0 and unanswered == 0 and run.bad == 0
        print(
            f"round {number + 1}: sent {run.sent:,}, acknowledged (2xx) {run.ok:,}, "
            f"in the database {run.stored:,}, lost {lost}, duplicated {duplicated}, "
            f"unanswered {unanswered}, non-2xx {run.bad}; {run.rps:,.0f}/s, "
            f"slowest answer {run.max_ms:,.0f} ms"
        )
    print(
        f"all rounds, bare view req/s: {', '.join(f'{r.rps:,.0f}' for r in runs['bare'])}; "
        f"database: {before_total:,} concerns before, {concerns_total:,} after, "
        f"{reporters:,} reporters"
    )
    print("count in the database = acknowledged:", "yes" if exact else "NO")


def _short(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "duration": 2})


if __name__ == "__main__":
    main()
