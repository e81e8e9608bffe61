"""What a signed-in write costs over an open one: the review API's POST /reviews through the
gateway with its COGNITO_USER_POOLS authorizer, against the same POST with authorization off,
same run.

Socket-free (Gateway.handle with a stub invoker that answers 201, so only the gateway's own
work is timed, at microsecond noise): the protected case verifies the same ID token on every
request (RS256 signature, issuer, expiry; the pool's key set imported once and kept, the
token's bytes the same each time: the "cached token" of a client that signed in once), the
open case is the same route with `--no-auth`. Interleaved in rounds so both see the same
machine load. Prints p50/p95 and the difference of p50s; asserts nothing.

    python bench/bench_users.py [--requests 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import RSAKey

from emulator.config.cognito import LivePool
from emulator.config.loader import load_service
from emulator.gateway.auth.guard import AuthSettings
from emulator.gateway.http import HttpRequest
from emulator.gateway.rest import Gateway
from emulator.runtime.invoker import InvokeResult, Outcome

REPO = Path(__file__).resolve().parents[1]
REVIEW_API = REPO / "serverless.yml"
KEY = RSAKey.generate_key(2048, parameters={"kid": "bench"})
POOL_ID = "us-east-2_bench"
ISSUER = f"https://cognito-idp.us-east-2.amazonaws.com/{POOL_ID}"
BODY = b'{"review": "Sharp and funny; the ending drags."}'


class StubInvoker:
    """Answers every handler with a fixed 201: only the gateway's work is timed."""

    CREATED = b'{"statusCode": 201, "headers": {"Access-Control-Allow-Origin": "*"}, "body": "{}"}'

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        return InvokeResult(Outcome.OK, self.CREATED)

    def close(self) -> None:
        pass


def id_token() -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "5c3e9a4d-1f2b-4c6d-8e7f-0a1b2c3d4e5f", "aud": "client",
              "token_use": "id", "cognito:username": "alice", "name": "Alice Liddell",
              "email": "alice@example.com", "email_verified": True, "auth_time": now,
              "iat": now, "exp": now + 3600, "jti": "j", "origin_jti": "o"}
    return jwt.encode({"alg": "RS256", "kid": "bench"}, claims, KEY)


def gateways() -> dict[str, tuple[Gateway, HttpRequest]]:
    service = load_service(REVIEW_API, env={})
    pool = LivePool("UserPool", POOL_ID, ISSUER, {"keys": [KEY.as_dict(private=False)]},
                    {"UserPoolClient": "client"})
    signed_in = HttpRequest("POST", "/dev/reviews", (), (
        ("Content-Type", "application/json"), ("Authorization", id_token())), BODY)
    anonymous = HttpRequest("POST", "/dev/reviews", (), (
        ("Content-Type", "application/json"),), BODY)
    return {
        "open (--no-auth)": (Gateway(service, StubInvoker(), auth=AuthSettings(disabled=True)),
                             anonymous),
        "protected (ID token)": (Gateway(service, StubInvoker(), auth=AuthSettings(
            user_pools={"UserPool": pool})), signed_in),
    }


def timed(gateway: Gateway, request: HttpRequest, n: int, expect: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        reply = gateway.handle(request)
        samples.append((time.perf_counter() - started) * 1e6)
        if reply.status != expect:
            raise SystemExit(f"answered {reply.status}, expected {expect}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="per case and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = gateways()
    for gateway, request in cases.values():  # warm-up: imports, key set, route table
        timed(gateway, request, 200, 201)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (gateway, request) in cases.items():
            samples[name] += timed(gateway, request, args.requests, 201)
    floor = statistics.median(samples["open (--no-auth)"])
    print(f"POST /reviews, socket-free Gateway.handle, {args.rounds} x {args.requests} each")
    print(f"{'case':<24}{'p50 us':>9}{'p95 us':>9}{'p50 - open':>12}")
    for name, values in samples.items():
        p50 = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:<24}{p50:>9.1f}{p95:>9.1f}{p50 - floor:>+12.1f}")


if __name__ == "__main__":
    main()
