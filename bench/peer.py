"""The emulator next to serverless-offline, measured side by side in one run (issue 6).

Sets up serverless@3 + serverless-offline@13 with npm in a scratch folder (reused when
present), writes one scratch project both tools serve (see peer_setup.py), starts a moto
server for serverless-offline (the emulator embeds its own, of the same kind), then alternates
the tools (A B A B), each started fresh, and prints one table of medians: both tools, the ratio
ours/theirs, the floor (the handlers' boto3 calls made directly against the same moto server)
and issue 6's targets. Asserts nothing.

    python bench/peer.py [--rounds 2] [--requests 500] [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml
from peer_measure import (
    Dynamo,
    Reply,
    burst,
    first_200,
    floor_latency,
    floor_throughput,
    http_latency,
    moto_ceiling,
    new_code_after,
    percentiles,
    smoke,
    throughput,
)
from peer_setup import (
    DEFAULT_CACHE,
    Moto,
    Scratch,
    ensure_npm_packages,
    prepare_project,
    python_shim,
    table_definitions,
    write_ping,
)
from peer_tools import (
    OURS,
    THEIRS,
    Running,
    cpu_by_role,
    find_dynamodb,
    free_port,
    settle,
    start_ours,
    start_theirs,
)

RELOAD_LINE = r"(?i)\breloaded\b"  # the emulator's one log line per reload (issue 5)
REVIEW = json.dumps({"review": "peer benchmark review", "name": "Bench"}).encode()


@dataclass(slots=True)
class Results:
    """measure -> tool -> one value per round (None: not available in that round)."""

    values: dict[str, dict[str, list[float | None]]] = field(default_factory=dict)

    def add(self, key: str, tool: str, value: float | None) -> None:
        self.values.setdefault(key, {}).setdefault(tool, []).append(value)

    def median(self, key: str, tool: str) -> float | None:
        found = [v for v in self.values.get(key, {}).get(tool, []) if v is not None]
        return statistics.median(found) if found else None

    def worst(self, key: str, tool: str) -> float | None:
        """The largest value over the rounds (for error counts: any round's errors show)."""
        found = [v for v in self.values.get(key, {}).get(tool, []) if v is not None]
        return max(found) if found else None


@dataclass(slots=True)
class Context:
    args: argparse.Namespace
    scratch: Scratch
    moto: Moto
    tables: list[dict[str, object]]
    region: str
    stage: str
    results: Results = field(default_factory=Results)

    def start(self, tool: str, label: str, reload: bool = False) -> Running:
        log = self.scratch.logs / f"{label}-{tool}.log"
        if tool == OURS:
            # The emulator keeps its tables in <service>/.emulator/: every start begins empty,
            # as serverless-offline's does on a reset moto.
            shutil.rmtree(self.scratch.project / ".emulator", ignore_errors=True)
            return start_ours(self.scratch, log, self.stage, self.args.emulator_arg)
        self.moto.reset(self.tables, self.region)  # a fresh moto, as the emulator's is
        return start_theirs(self.scratch, log, self.stage, self.moto.endpoint, reload)


# --- one fresh start of a tool: measures 1-6 ---------------------------------------------------


def warm_up(ctx: Context) -> None:
    """Start and stop each tool once, unmeasured: bytecode caches (a fresh venv has none) and
    the page cache are then as warm for the first measured start as for the later ones."""
    for tool in (OURS, THEIRS):
        running = ctx.start(tool, "warm-up")
        try:
            first_200(running.base, "/reviews", running.started_at, running.alive)
        finally:
            running.stop()


def run_main(ctx: Context, tool: str, label: str) -> None:
    """Start the tool, check it, measure it, stop it."""
    add = ctx.results.add
    add("load_1min", tool, os.getloadavg()[0])  # others' work on a shared machine shows here
    running = ctx.start(tool, label)
    try:
        add("start_ms", tool, first_200(running.base, "/reviews", running.started_at,
                                          running.alive))
        if tool == OURS:
            running.dynamodb = find_dynamodb(running)
        rid = smoke(running.base)
        print(f"  {tool}: started, smoke checks passed", flush=True)
        measure_floor(ctx, running, tool, rid)
        measure_http(ctx, running, tool, rid)
        measure_burst(ctx, running, tool, rid)  # last: what it leaves running disturbs nothing
    finally:
        running.stop()
    if tool == OURS and (reloads := running.log.count(RELOAD_LINE)):
        print(f"  warning: {reloads} reloads while no file changed; see {running.log.path}")


def measure_burst(ctx: Context, running: Running, tool: str, rid: str) -> None:
    def ok(reply: Reply) -> bool:
        return reply.status == 200 and reply.json().get("id") == rid
    settle(running)
    result = burst(running.base, f"/cold/reviews/{rid}", ctx.args.burst, ok)
    ctx.results.add("burst_errors", tool, result.errors)
    ctx.results.add("burst_slowest_ms", tool, result.slowest_ms)


def measure_http(ctx: Context, running: Running, tool: str, rid: str) -> None:
    args, add, base = ctx.args, ctx.results.add, running.base
    cases = (("get", "GET", f"/reviews/{rid}", None, 200),
             ("post", "POST", "/reviews", REVIEW, 201), ("ping", "GET", "/ping", None, 200))
    for key, method, path, body, status in cases:
        settle(running)
        samples = http_latency(base, method, path, body=body, n=args.requests, expect=status)
        p50, p95 = percentiles(samples)
        add(f"{key}_p50", tool, p50)
        add(f"{key}_p95", tool, p95)
    for key, path in (("get", f"/reviews/{rid}"), ("ping", "/ping")):
        measure_throughput(ctx, running, tool, key, path)


def measure_throughput(ctx: Context, running: Running, tool: str, key: str, path: str) -> None:
    """wrk, and the CPU each process role used per request meanwhile."""
    args, add = ctx.args, ctx.results.add
    moto_pid = ctx.moto.process.pid if tool == THEIRS else None
    settle(running)
    cpu: dict[str, float] = {}
    result = throughput(running.base, path, args.seconds, args.connections,
                        around=lambda: cpu.update(cpu_by_role(running, moto_pid)))
    add(f"{key}_rps", tool, result.rps)
    add(f"{key}_wrk_errors", tool, result.errors)
    done = result.rps * args.seconds
    for role, seconds in cpu_by_role(running, moto_pid).items():
        add(f"{key}_cpu_{role}", tool, (seconds - cpu[role]) * 1000 / done if done else None)


def measure_floor(ctx: Context, running: Running, tool: str, rid: str) -> None:
    """The handlers' boto3 calls against the moto server this tool's handlers use."""
    args, add = ctx.args, ctx.results.add
    dynamo = Dynamo(running.dynamodb, ctx.region, args.table)
    settle(running)
    get, put = floor_latency(dynamo, rid, args.requests)
    add("floor_get_p50", tool, percentiles(get)[0])
    add("floor_get_p95", tool, percentiles(get)[1])
    add("floor_post_p50", tool, percentiles(put)[0])
    add("floor_post_p95", tool, percentiles(put)[1])
    add("floor_rps", tool, floor_throughput(dynamo, rid, seconds=args.seconds,
                                            connections=args.connections))
    ceiling = moto_ceiling(dynamo, rid, seconds=args.seconds, connections=args.connections,
                           workdir=ctx.scratch.logs)
    add("moto_ceiling_rps", tool, ceiling.rps)


# --- a start with hot reload: measure 7 ----------------------------------------------------------


def run_reload(ctx: Context, tool: str, label: str, version: int) -> None:
    """Save a new version of the trivial handler; time until it answers; latency meanwhile."""
    write_ping(ctx.scratch, 0)
    running = ctx.start(tool, label, reload=True)
    try:
        first_200(running.base, "/ping", running.started_at, running.alive)
        rid = smoke(running.base)
        http_latency(running.base, "GET", "/ping", n=3, warmup=0)
        running.log.mark()
        write_ping(ctx.scratch, version)
        saved_at = time.perf_counter()
        give_up = reload_not_logged(running, saved_at) if tool == OURS else None
        took = new_code_after(running.base, "/ping", version=version, saved_at=saved_at,
                              timeout_s=10, give_up=give_up)
        if tool == OURS and running.log.search(RELOAD_LINE) is None:
            took = None  # the emulator has no hot reload (yet): n/a
        ctx.results.add("reload_ms", tool, took)
        latency = None
        if took is not None:
            samples = http_latency(running.base, "GET", f"/reviews/{rid}",
                                   n=ctx.args.reload_requests, warmup=3)
            latency = percentiles(samples)[0]
        ctx.results.add("reload_get_p50", tool, latency)
    finally:
        running.stop()
        write_ping(ctx.scratch, 0)


def reload_not_logged(running: Running, saved_at: float) -> Callable[[], bool]:
    """Say when to stop waiting: 5 s after the save with no reload line in the log."""
    def check() -> bool:
        late = time.perf_counter() - saved_at > 5
        return late and running.log.search(RELOAD_LINE) is None
    return check


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    target: str = ""
    met: Callable[[Results], bool | None] | None = None
    count: bool = False  # a whole number (errors)


def ratio_of(results: Results, key: str) -> float | None:
    ours, theirs = results.median(key, OURS), results.median(key, THEIRS)
    if any(row.count for row in ROWS if row.key == key):
        ours, theirs = results.worst(key, OURS), results.worst(key, THEIRS)
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def _check(predicate: Callable[[float], bool], value: float | None) -> bool | None:
    return None if value is None else predicate(value)


def _p50_met(r: Results) -> bool | None:
    ratio, ours, floor = ratio_of(r, "get_p50"), r.median("get_p50", OURS), r.median(
        "floor_get_p50", OURS)
    if ratio is None or ours is None or floor is None:
        return None
    return ratio <= 1.0 and ours - floor <= 0.5


def _burst_met(r: Results) -> bool | None:
    errors, slowest = r.worst("burst_errors", OURS), r.median("burst_slowest_ms", OURS)
    if errors is None or slowest is None:
        return None
    return errors == 0 and slowest <= 2000


def _reload_latency_met(r: Results) -> bool | None:
    """No spawn per request: a spawn (python + boto3 import) costs 150 ms or more here."""
    with_reload, without = r.median("reload_get_p50", OURS), r.median("get_p50", OURS)
    if with_reload is None or without is None:
        return None
    return with_reload <= without + 50


ROWS = (
    Row("start_ms", "1 start -> first 200, GET /reviews (ms)", "<=0.5x",
        lambda r: _check(lambda x: x <= 0.5, ratio_of(r, "start_ms"))),
    Row("get_p50", "2 GET /reviews/{id} p50 (ms)", "<=1.0x, floor+0.5", _p50_met),
    Row("get_p95", "  GET /reviews/{id} p95 (ms)"),
    Row("post_p50", "  POST /reviews p50 (ms)"),
    Row("post_p95", "  POST /reviews p95 (ms)"),
    Row("get_rps", "3 GET /reviews/{id} req/s (wrk, 8 conns)", ">=1.0x",
        lambda r: _check(lambda x: x >= 1.0, ratio_of(r, "get_rps"))),
    Row("get_wrk_errors", "  wrk errors (socket errors + non-2xx)", count=True),
    Row("get_cpu_gateway", "  CPU ms/request: gateway process"),
    Row("get_cpu_handlers", "  CPU ms/request: handler processes"),
    Row("get_cpu_moto", "  CPU ms/request: moto"),
    Row("ping_p50", "4 trivial GET /ping p50 (ms)"),
    Row("ping_p95", "  trivial GET /ping p95 (ms)"),
    Row("ping_rps", "  trivial req/s (wrk, 8 conns)", ">=0.25x",
        lambda r: _check(lambda x: x >= 0.25, ratio_of(r, "ping_rps"))),
    Row("ping_wrk_errors", "  wrk errors (socket errors + non-2xx)", count=True),
    Row("ping_cpu_gateway", "  CPU ms/request: gateway process"),
    Row("ping_cpu_handlers", "  CPU ms/request: handler processes"),
    Row("floor_get_p50", "5 floor GetItem p50 (ms, boto3 direct)"),
    Row("floor_get_p95", "  floor GetItem p95 (ms)"),
    Row("floor_post_p50", "  floor PutItem p50 (ms)"),
    Row("floor_post_p95", "  floor PutItem p95 (ms)"),
    Row("floor_rps", "  floor GetItem req/s (8 boto3 threads)"),
    Row("moto_ceiling_rps", "  moto GetItem req/s (wrk, raw, 8 conns)"),
    Row("burst_errors", "6 burst of 16 on a cold function: errors", "0, <=2 s", _burst_met,
        count=True),
    Row("burst_slowest_ms", "  burst: slowest request (ms)"),
    Row("reload_ms", "7 hot reload: save -> new code (ms)", "<=1000 ms",
        lambda r: _check(lambda x: x <= 1000, r.median("reload_ms", OURS))),
    Row("reload_get_p50", "  GET /reviews/{id} p50, reload on (ms)", "no spawn/req",
        _reload_latency_met),
    Row("load_1min", "  machine load average at each run's start"),
)


def fmt(value: float | None, count: bool = False) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.0f}" if count or abs(value) >= 100 else f"{value:.2f}"


def print_table(results: Results, header: list[str]) -> None:
    print()
    for line in header:
        print(line)
    title = "median of rounds (errors: worst round)"
    print(f"{title:<44}{'emulator':>10}{'sls-offline':>13}{'ours/theirs':>13}  target")
    for row in ROWS:
        ratio = ratio_of(results, row.key)
        met = row.met(results) if row.met else None
        verdict = "" if row.met is None else {True: " met", False: " MISSED", None: " n/a"}[met]
        pick = results.worst if row.count else results.median
        ours, theirs = (fmt(pick(row.key, tool), row.count) for tool in (OURS, THEIRS))
        print(f"{row.label:<44}{ours:>10}{theirs:>13}{fmt(ratio):>13}  {row.target}{verdict}")
    print("floor rows: ours = against the emulator's embedded moto, theirs = against the "
          "benchmark's moto (the one serverless-offline's handlers use)")


def header_lines(versions: dict[str, str], rounds: int, load: tuple[float, ...]) -> list[str]:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True,
                          check=False).stdout.strip()
    return [
        f"peer benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, load average before/after "
        f"{load[0]:.2f}/{os.getloadavg()[0]:.2f}, {rounds} rounds (A B alternated)",
        f"serverless {versions['serverless']}, serverless-offline "
        f"{versions['serverless-offline']}, node {node}, python {platform.python_version()}, "
        f"moto {metadata.version('moto')}, boto3 {metadata.version('boto3')}, "
        f"{wrk.split(chr(10))[0].split(' [')[0] or 'wrk'}",
    ]


# --- main ----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds (default 2)")
    parser.add_argument("--requests", type=int, default=500, help="sequential requests a measure")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--burst", type=int, default=16, help="concurrent cold requests")
    parser.add_argument("--reload-requests", type=int, default=20,
                        help="sequential requests with hot reload on (serverless-offline "
                             "spawns a process for each)")
    parser.add_argument("--emulator-arg", action="append", default=[], metavar="ARG",
                        help="extra emulator flag (repeatable; default: none, default flags)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--table", default="review-api-dev")
    parser.add_argument("--json", type=Path, help="also write the raw values here")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    scratch = Scratch(args.cache_dir.resolve())
    versions = ensure_npm_packages(scratch)
    config = prepare_project(scratch)
    python_shim(scratch)
    scratch.logs.mkdir(parents=True, exist_ok=True)
    region = str(yaml.safe_load(scratch.config.read_text())["provider"]["region"])
    region = region.split("'")[1] if "${" in region else region  # ${opt:region, 'us-east-2'}
    load = os.getloadavg()
    moto = Moto(free_port(), scratch.logs / "moto.log")
    ctx = Context(args, scratch, moto, table_definitions(config, args.table), region, "dev")
    try:
        print("warm-up: each tool started once, unmeasured", flush=True)
        warm_up(ctx)
        for n in range(1, args.rounds + 1):
            for tool in (OURS, THEIRS):
                print(f"round {n}/{args.rounds}: {tool}", flush=True)
                run_main(ctx, tool, f"r{n}-main")
            for tool in (OURS, THEIRS):
                print(f"round {n}/{args.rounds}: {tool}, hot reload", flush=True)
                run_reload(ctx, tool, f"r{n}-reload", version=n)
    finally:
        moto.stop()
    header = header_lines(versions, args.rounds, load)
    print_table(ctx.results, header)
    raw = json.dumps({"header": header, "values": ctx.results.values}, indent=1)
    (scratch.root / "last-run.json").write_text(raw, encoding="utf-8")
    if args.json:
        args.json.write_text(raw, encoding="utf-8")
    print(f"raw values of every round: {scratch.root / 'last-run.json'}; logs: {scratch.logs}")


if __name__ == "__main__":
    main()
