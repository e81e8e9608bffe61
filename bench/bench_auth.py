"""What an authorizer adds to a request: the same handler with and without one, same run.

Starts `python -m emulator` on tests/fixtures/services/auth and measures, interleaved in rounds
so both see the same machine load: GET /public (no auth), GET /me with a token whose policy is
cached (TTL 300), GET /keyed with an API key, and GET /me/{id} whose REQUEST authorizer has
TTL 0 (one more warm invocation per request). Then the same routes socket-free: Gateway.handle
with a stub invoker, where the machine's noise is microseconds rather than tenths of a
millisecond. Prints p50/p95 and the difference; asserts nothing.

    python bench/bench_auth.py [--requests 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from peer_measure import percentiles, timed

from emulator.config.loader import load_service
from emulator.gateway.http import HttpRequest
from emulator.gateway.rest import Gateway
from emulator.runtime.invoker import InvokeResult, Outcome

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "services" / "auth" / "serverless.yml"
CASES = {  # name -> (path, headers)
    "no auth": ("/public", {}),
    "cached authorizer": ("/me", {"Authorization": "allow-bench"}),
    "API key": ("/keyed", {"x-api-key": "fixture-key-0123456789abcdef"}),
    "uncached authorizer (TTL 0)": ("/me/7", {"X-User": "7"}),
}


def start() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--config", str(FIXTURE), "--port", "0",
         "--in-memory", "--no-reload"],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    for line in proc.stdout:
        if m := re.match(r"Ready: (\S+)", line):
            return proc, m.group(1)
    raise SystemExit("the emulator did not start")


def latency(base: str, path: str, headers: dict[str, str], n: int) -> list[float]:
    """Sequential GETs on one keep-alive connection; every reply must be 200."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)

    def call() -> None:
        conn.request("GET", url.path + path, headers=headers)
        reply = conn.getresponse()
        body = reply.read()
        if reply.status != 200:
            raise SystemExit(f"GET {path} answered {reply.status}: {body!r}")
    try:
        return timed(call, n)
    finally:
        conn.close()


class StubInvoker:
    """Answers the authorizer with an Allow-all policy and the handler with a fixed 200."""

    ALLOW = json.dumps({"principalId": "bench", "policyDocument": {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                       "Resource": "*"}]}}).encode()
    OK = b'{"statusCode": 200, "body": "ok"}'

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        return InvokeResult(Outcome.OK, self.ALLOW if function.endswith("Authorizer") else self.OK)

    def close(self) -> None:
        pass


def socket_free(n: int) -> dict[str, float]:
    """p50 microseconds of Gateway.handle per case (stub invoker, no sockets, no processes)."""
    gateway = Gateway(load_service(FIXTURE, env={}), StubInvoker())
    out = {}
    for name, (path, headers) in CASES.items():
        request = HttpRequest("GET", "/dev" + path, (), tuple(headers.items()), b"")
        samples = []
        for i in range(n + 200):
            started = time.perf_counter()
            gateway.handle(request)
            if i >= 200:
                samples.append((time.perf_counter() - started) * 1e6)
        out[name] = statistics.median(samples)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per case and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    proc, base = start()
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    try:
        for _ in range(args.rounds):
            for name, (path, headers) in CASES.items():
                samples[name] += latency(base, path, headers, args.requests)
    finally:
        proc.terminate()
        proc.wait(15)
    floor = percentiles(samples["no auth"])[0]
    print(f"{'case':<30}{'p50 ms':>9}{'p95 ms':>9}{'p50 - no auth':>15}")
    for name, values in samples.items():
        p50, p95 = percentiles(values)
        print(f"{name:<30}{p50:>9.3f}{p95:>9.3f}{p50 - floor:>+15.3f}")
    inproc = socket_free(args.requests * 10)
    print(f"\n{'socket-free Gateway.handle':<30}{'p50 us':>9}{'':>9}{'p50 - no auth':>15}")
    for name, p50 in inproc.items():
        print(f"{name:<30}{p50:>9.1f}{'':>9}{p50 - inproc['no auth']:>+15.1f}")


if __name__ == "__main__":
    main()
