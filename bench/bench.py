"""Latency and throughput through the emulator, next to a floor measured in the same run.

The floor is the same boto3 calls the handlers make (GetItem, PutItem), made directly against
the same moto server from this client process: no gateway, no Lambda runtime. The difference
is what the emulator adds. Prints a table; asserts nothing.

    python bench/bench.py [--requests 500] [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from peer_measure import percentiles, timed  # the peer benchmark's, so both measure alike

from emulator.aws.authn import Credentials, developer_credentials

REPO = Path(__file__).resolve().parents[1]


KEY: list[Credentials] = []  # the developer's local key, as the start banner names its file


def start_emulator() -> tuple[subprocess.Popen[str], str, str]:
    """Start `python -m emulator` on review-api; return it, its base URL and DynamoDB URL."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--in-memory"],
                            cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    dynamodb = ""
    for line in proc.stdout:
        if m := re.match(r"DynamoDB: (\S+)", line):
            dynamodb = m.group(1)
        if m := re.search(r"AWS_SHARED_CREDENTIALS_FILE=(\S+)", line):
            KEY.append(developer_credentials(Path(m.group(1)).parent))
        if m := re.match(r"Ready: (\S+)", line):
            return proc, m.group(1), dynamodb
    raise SystemExit("the emulator did not start")


def sign_in() -> str:
    """An ID token of a user of the running emulator's user pool (POST needs one)."""
    return subprocess.run([sys.executable, "-m", "emulator", "token", "--user", "bench"],
                          cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def http_caller(base: str, method: str, path: str, body: bytes | None, token: str = ""
                ) -> Callable[[], bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)  # keep-alive
    headers = {"Content-Type": "application/json"} | ({"Authorization": token} if token else {})

    def call() -> bytes:
        conn.request(method, url.path + path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        assert resp.status < 300, (resp.status, data)
        return data
    return call


def wrk_rps(url: str, seconds: int, connections: int) -> float | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else None


def threads_rps(call_factory: Callable[[], Callable[[], object]], seconds: int,
                connections: int) -> float:
    def worker() -> int:
        call, n, end = call_factory(), 0, time.monotonic() + seconds
        while time.monotonic() < end:
            call()
            n += 1
        return n
    with ThreadPoolExecutor(connections) as pool:
        total = sum(pool.map(lambda _: worker(), range(connections)))
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    proc, base, dynamodb = start_emulator()
    try:
        run(args, base, dynamodb)
    finally:
        proc.terminate()
        proc.wait()


def run(args: argparse.Namespace, base: str, dynamodb: str) -> None:
    table_name = "review-api-dev"
    review = json.dumps({"review": "benchmark review"}).encode()
    token = sign_in()
    created = json.loads(http_caller(base, "POST", "/reviews", review, token)())
    rid = created["id"]

    def ddb_table() -> Any:
        return boto3.resource("dynamodb", endpoint_url=dynamodb, region_name="us-east-2",
                              aws_access_key_id=KEY[0].access_key,
                              aws_secret_access_key=KEY[0].secret
                              ).Table(table_name)
    table = ddb_table()
    item = {"id": str(uuid.uuid4()), "review": "x", "name": "y", "createdAt": "t", "updatedAt": "t"}
    floor_get = timed(lambda: table.get_item(Key={"id": rid}, ConsistentRead=True), args.requests)
    floor_put = timed(lambda: table.put_item(Item={**item, "id": str(uuid.uuid4())},
                                             ConditionExpression="attribute_not_exists(id)"),
                      args.requests)
    emu_get = timed(http_caller(base, "GET", f"/reviews/{rid}", None), args.requests)
    emu_put = timed(http_caller(base, "POST", "/reviews", review, token), args.requests)

    def floor_factory() -> Callable[[], object]:
        t = ddb_table()
        return lambda: t.get_item(Key={"id": rid}, ConsistentRead=True)
    floor_rps = threads_rps(floor_factory, args.seconds, args.connections)
    emu_rps = wrk_rps(f"{base}/reviews/{rid}", args.seconds, args.connections)
    tool = "wrk"
    if emu_rps is None:
        tool = "python threads"
        emu_rps = threads_rps(lambda: http_caller(base, "GET", f"/reviews/{rid}", None),
                              args.seconds, args.connections)
    print_table(args, [
        ("GET /reviews/{id} p50 (ms)", percentiles(emu_get)[0], percentiles(floor_get)[0]),
        ("GET /reviews/{id} p95 (ms)", percentiles(emu_get)[1], percentiles(floor_get)[1]),
        ("POST /reviews p50 (ms)", percentiles(emu_put)[0], percentiles(floor_put)[0]),
        ("POST /reviews p95 (ms)", percentiles(emu_put)[1], percentiles(floor_put)[1]),
        (f"GET throughput, {args.connections} conns (req/s)", emu_rps, floor_rps),
    ], tool)


def print_table(args: argparse.Namespace, rows: list[tuple[str, float, float]], tool: str) -> None:
    print(f"\nreview-api emulator benchmark — {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load: {tool}")
    print(f"{'measure':<40}{'emulator':>12}{'floor':>12}{'diff':>10}{'ratio':>8}")
    for name, ours, floor in rows:
        print(f"{name:<40}{ours:>12.2f}{floor:>12.2f}{ours - floor:>10.2f}{ours / floor:>8.2f}")
    print("floor = the same boto3 calls made directly against the same moto server")


if __name__ == "__main__":
    main()
