"""HTTP API next to REST, and the Lambda Invoke API, on a trivial handler, in one run.

Starts the emulator on tests/fixtures/services/httpapi, where one trivial handler is behind
`GET /dev/legacy` (REST API) and `GET /legacy` (HTTP API), so only the gateway differs.
Measures both routes' latency in alternating rounds (A B A B: drift on a shared machine hits
both alike) and their throughput with wrk (Python threads without it), then a boto3
`lambda.invoke` round trip on a warm function. Targets (issue 13): HTTP API p50 and req/s
within 10 % of REST; invoke p50 under 2 ms. Prints a table; asserts nothing.

    python bench/bench_http_api.py [--requests 500] [--rounds 4] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import boto3
from botocore.config import Config
from peer_measure import percentiles, timed

from bench import http_caller, threads_rps, wrk_rps
from emulator.aws.authn import Credentials, developer_credentials

REPO = Path(__file__).resolve().parents[1]
SERVICE = REPO / "tests" / "fixtures" / "services" / "httpapi" / "serverless.yml"
# One trivial handler behind both: only the gateway differs.
ROUTES = {"REST GET /dev/legacy": "/dev/legacy", "HTTP API GET /legacy": "/legacy"}


KEY: list[Credentials] = []  # the developer's local key, as the start banner names its file


def start() -> tuple[subprocess.Popen[str], str]:
    """Start the emulator quietly; return it and its origin (http://host:port)."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(SERVICE),
                             "--port", "0", "--in-memory", "--no-reload"],
                            cwd=REPO, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    for line in proc.stdout:
        if m := re.search(r"AWS_SHARED_CREDENTIALS_FILE=(\S+)", line):
            KEY.append(developer_credentials(Path(m.group(1)).parent))
        if m := re.match(r"Ready: (http://[^/]+)", line):
            return proc, m.group(1)
    raise SystemExit("the emulator did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="per route and round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5, help="per throughput run")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    proc, origin = start()
    try:
        run(args, origin)
    finally:
        proc.terminate()
        proc.wait()


def run(args: argparse.Namespace, origin: str) -> None:
    latency: dict[str, list[float]] = {name: [] for name in ROUTES}
    rps: dict[str, list[float]] = {name: [] for name in ROUTES}
    tool = "wrk"
    for _ in range(args.rounds):
        for name, path in ROUTES.items():
            latency[name] += timed(http_caller(origin, "GET", path, None), args.requests)
        for name, path in ROUTES.items():
            measured = wrk_rps(origin + path, args.seconds, args.connections)
            if measured is None:
                tool = "python threads"
                measured = threads_rps(partial(http_caller, origin, "GET", path, None),
                                       args.seconds, args.connections)
            rps[name].append(measured)
    client = boto3.client("lambda", endpoint_url=origin, region_name="us-east-1",
                          aws_access_key_id=KEY[0].access_key,
                          aws_secret_access_key=KEY[0].secret,
                          config=Config(retries={"max_attempts": 0}))

    def invoke_once() -> bytes:
        payload: bytes = client.invoke(FunctionName="httpapi-dev-hello")["Payload"].read()
        return payload

    invoke = timed(invoke_once, args.requests * args.rounds)
    print(f"\nHTTP API / Invoke API benchmark — {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load: {tool}, "
          f"{args.rounds} alternating rounds")
    print(f"{'measure':<36}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>10}")
    for name in ROUTES:
        p50, p95 = percentiles(latency[name])
        print(f"{name:<36}{p50:>9.2f}{p95:>9.2f}{sorted(rps[name])[len(rps[name]) // 2]:>10.0f}")
    p50, p95 = percentiles(invoke)
    print(f"{'boto3 lambda.invoke (warm, trivial)':<36}{p50:>9.2f}{p95:>9.2f}{'':>10}")
    rest, api = (percentiles(latency[n])[0] for n in ROUTES)
    rest_rps, api_rps = (sorted(rps[n])[len(rps[n]) // 2] for n in ROUTES)
    print(f"HTTP API vs REST: p50 {100 * (api / rest - 1):+.1f} %, "
          f"req/s {100 * (api_rps / rest_rps - 1):+.1f} % (target: within 10 %)")


if __name__ == "__main__":
    main()
