"""The peer benchmark's measures, each the same code for both tools (and for the floor).

HTTP clients are http.client connections (keep-alive where the measure says so); load comes
from wrk. Every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

JSON_HEADERS = {"Content-Type": "application/json"}
FLOOR_KEY = "AKIAPEERBENCHFLOOR00"  # fake


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive HTTP/1.1 connection to a base URL (`http://host:port/stage`)."""

    def __init__(self, base: str, timeout_s: float = 30) -> None:
        url = urllib.parse.urlsplit(base)
        self.prefix = url.path
        self.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port,
                                               timeout=timeout_s)

    def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        self.conn.request(method, self.prefix + path, body=body, headers=JSON_HEADERS)
        response = self.conn.getresponse()
        return Reply(response.status, response.read())

    def close(self) -> None:
        self.conn.close()


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return (p50, p95)."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


# --- 1. start -> first 200 -------------------------------------------------------------------


def first_200(base: str, path: str, started_at: float, alive: Callable[[], bool],
              timeout_s: float = 120) -> float:
    """Poll `GET base+path` every 10 ms until it answers 200; return ms since `started_at`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive():
            raise SystemExit(f"the process serving {base} exited before answering")
        client = Client(base, timeout_s)
        try:
            if client.request("GET", path).status == 200:
                return (time.perf_counter() - started_at) * 1000
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.01)
    raise SystemExit(f"no 200 from {base}{path} within {timeout_s:.0f} s")


# --- smoke -----------------------------------------------------------------------------------


def smoke(base: str) -> str:
    """POST a review, GET it back; return its id. SystemExit when the tool gets it wrong."""
    client = Client(base)
    try:
        created = client.request("POST", "/reviews", json.dumps(
            {"review": "peer benchmark review", "name": "Bench"}).encode())
        if created.status != 201:
            raise SystemExit(f"smoke: POST /reviews answered {created.status}: {created.body!r}")
        review = created.json()
        fetched = client.request("GET", f"/reviews/{review['id']}")
        if fetched.status != 200 or fetched.json() != review:
            raise SystemExit(f"smoke: GET /reviews/{review['id']} answered {fetched.status}: "
                             f"{fetched.body!r}, not the created {review!r}")
        return str(review["id"])
    finally:
        client.close()


# --- 2 and 4. sequential latency ---------------------------------------------------------------


def timed(call: Callable[[], object], n: int, warmup: int = 50) -> list[float]:
    """Run `call` `warmup` times, then `n` timed times; return milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def http_latency(base: str, method: str, path: str, *, body: bytes | None = None, n: int,
                 expect: int = 200, warmup: int = 50) -> list[float]:
    """Sequential requests on one keep-alive connection; every reply must be `expect`."""
    client = Client(base)

    def call() -> None:
        reply = client.request(method, path, body)
        if reply.status != expect:
            raise SystemExit(f"{method} {path} answered {reply.status}: {reply.body!r}")
    try:
        return timed(call, n, warmup)
    finally:
        client.close()


# --- 3 and 4. throughput -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrkResult:
    rps: float
    errors: int  # socket errors (connect, read, write, timeout) + non-2xx/3xx replies


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> WrkResult:
    """Run wrk (2 threads) and return requests/s and errors."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(float(rps.group(1)) if rps else 0.0, errors)


def throughput(base: str, path: str, seconds: int, connections: int,
               around: Callable[[], object] | None = None) -> WrkResult:
    """Warm up, then the measured wrk run (`around` is called just before it).

    Warm-up: twice `connections` requests at once (so each tool has started the environments
    it wants for that concurrency, cold starts included), then 2 s of wrk.
    """
    for _ in range(2):
        burst(base, path, connections, lambda reply: True)
    wrk(base + path, 2, connections)
    if around is not None:
        around()
    return wrk(base + path, seconds, connections)


# --- 5. the floor: the handlers' boto3 calls, direct -------------------------------------------


@dataclass(frozen=True, slots=True)
class Dynamo:
    """A table on a local DynamoDB endpoint (a moto server)."""

    endpoint: str
    region: str
    name: str

    def table(self) -> Any:
        """Return a boto3 Table resource (the handlers use Table too), fake credentials."""
        return boto3.resource("dynamodb", endpoint_url=self.endpoint, region_name=self.region,
                              aws_access_key_id=FLOOR_KEY,
                              aws_secret_access_key="peer-bench-fake-secret").Table(self.name)


def floor_latency(dynamo: Dynamo, rid: str, n: int) -> tuple[list[float], list[float]]:
    """GetItem and conditional PutItem latencies, made the way api/store.py makes them."""
    t = dynamo.table()
    get = timed(lambda: t.get_item(Key={"id": rid}, ConsistentRead=True), n)

    def put() -> None:
        t.put_item(Item={"id": str(uuid.uuid4()), "review": "floor", "name": "Bench",
                         "createdAt": "2026-01-01T00:00:00.000Z",
                         "updatedAt": "2026-01-01T00:00:00.000Z"},
                   ConditionExpression="attribute_not_exists(#id)",
                   ExpressionAttributeNames={"#id": "id"})
    return get, timed(put, n)


def floor_throughput(dynamo: Dynamo, rid: str, *, seconds: int, connections: int) -> float:
    """GetItem req/s from `connections` boto3 threads of this process (one client each)."""
    def worker() -> int:
        t, done = dynamo.table(), 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t.get_item(Key={"id": rid}, ConsistentRead=True)
            done += 1
        return done
    with ThreadPoolExecutor(connections) as pool:
        return sum(pool.map(lambda _: worker(), range(connections))) / seconds


GETITEM_LUA = """-- GetItem straight at moto (written by bench/peer_measure.py)
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/" ..
  "dynamodb/aws4_request, SignedHeaders=host, Signature=00"
"""


def moto_ceiling(dynamo: Dynamo, rid: str, *, seconds: int, connections: int,
                 workdir: Path) -> WrkResult:
    """wrk posting a raw GetItem to moto: what moto's server does with no client cost."""
    body = json.dumps({"TableName": dynamo.name, "Key": {"id": {"S": rid}},
                       "ConsistentRead": True})
    script = workdir / "getitem.lua"
    script.write_text(GETITEM_LUA.format(body=body, region=dynamo.region, key=FLOOR_KEY),
                      encoding="utf-8")
    return wrk(dynamo.endpoint + "/", seconds, connections, script)


# --- 6. burst ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Burst:
    errors: int
    slowest_ms: float


def burst(base: str, path: str, n: int, expect: Callable[[Reply], bool],
          timeout_s: float = 30) -> Burst:
    """`n` requests at once, one new connection each; count failures, keep the slowest."""
    gate = threading.Barrier(n)

    def one(_: int) -> tuple[bool, float]:
        client = Client(base, timeout_s)
        gate.wait()
        started = time.perf_counter()
        try:
            ok = expect(client.request("GET", path))
        except OSError:
            ok = False
        finally:
            client.close()
        return ok, (time.perf_counter() - started) * 1000
    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(one, range(n)))
    return Burst(sum(not ok for ok, _ in results), max(ms for _, ms in results))


# --- 7. hot reload -----------------------------------------------------------------------------


def new_code_after(base: str, path: str, *, version: int, saved_at: float, timeout_s: float,
                   give_up: Callable[[], bool] | None = None) -> float | None:
    """Poll GET every 10 ms until the reply shows `version`; return ms since `saved_at`.

    None when `timeout_s` passes, or as soon as `give_up()` says so.
    """
    deadline = saved_at + timeout_s
    client = Client(base)
    try:
        while time.perf_counter() < deadline and not (give_up and give_up()):
            try:
                reply = client.request("GET", path)
                if reply.status == 200 and reply.json().get("version") == version:
                    return (time.perf_counter() - saved_at) * 1000
            except (OSError, http.client.HTTPException, ValueError):
                client.close()
                client = Client(base)
            time.sleep(0.01)
        return None
    finally:
        client.close()
