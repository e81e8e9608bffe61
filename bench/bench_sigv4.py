"""Cost of SigV4 verification on a function's DynamoDB GetItem: the same moto, with and without.

Two moto processes in one run (tests/fixtures/services/role-escape): one started without a
KeyRing (the key named in the header is believed: the floor), one checking every signature
against the run's secrets, called alternately. Prints the median and p90 round trip of each,
and the check alone (authn.authenticate in this process).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import urllib.parse
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

from emulator.aws import authn
from emulator.aws.moto_server import MotoServer
from emulator.aws.tables import access_key_for, moto_settings
from emulator.config.loader import load_service

SERVICE = Path(__file__).resolve().parents[1] / "tests/fixtures/services/role-escape/serverless.yml"
KEY = {"TableName": "escape-dev-allowed", "Key": {"id": {"S": "a"}}}


def started(keys: authn.KeyRing | None) -> tuple[MotoServer, Any]:
    """moto for the fixture service (signatures checked when given a KeyRing), and a client
    signing as its `attack` function, warmed up."""
    service = load_service(SERVICE, env={})
    moto = MotoServer.start(settings=moto_settings(
        service, enforce_iam=True, state_file=None, seed_file=None, serve_dynamodb=True,
        verbose=False, keys=keys))
    key = access_key_for(service.functions["attack"])
    client = boto3.client("dynamodb", endpoint_url=moto.endpoint, region_name=service.region,
                          aws_access_key_id=key, config=Config(retries={"max_attempts": 0}),
                          aws_secret_access_key=keys.function_secret(key) if keys else "x")
    client.put_item(TableName=KEY["TableName"], Item=KEY["Key"])
    for _ in range(50):
        client.get_item(**KEY)
    return moto, client


def round_trips(clients: list[Any], requests: int) -> list[list[float]]:
    """Alternate the clients call by call, so a change in the machine's load hits both."""
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, spent in zip(clients, times, strict=True):
            begun = time.perf_counter()
            client.get_item(**KEY)
            spent.append((time.perf_counter() - begun) * 1e6)
    return times


def check_alone(keys: authn.KeyRing, calls: int) -> float:
    """µs per authenticate() of one botocore GetItem, in this process."""
    key = access_key_for(load_service(SERVICE, env={}).functions["attack"])
    client = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:1", region_name="eu-central-1",
                          aws_access_key_id=key, aws_secret_access_key=keys.function_secret(key))
    captured: list[AWSPreparedRequest] = []

    def grab(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 200, {}, None)  # type: ignore[arg-type]

    client.meta.events.register("before-send", grab)
    with contextlib.suppress(Exception):
        client.get_item(**KEY)
    request = captured[0]
    headers = {"host": [urllib.parse.urlsplit(request.url).netloc]}
    headers.update({k.lower(): [v.decode() if isinstance(v, bytes) else v]
                    for k, v in request.headers.items()})
    body = request.body if isinstance(request.body, bytes) else b""
    started = time.perf_counter()
    for _ in range(calls):
        authn.authenticate(keys, {key: "escape-dev-attack"}, method="POST", target="/",
                           headers=headers, body=body)
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    keys = authn.KeyRing.new(authn.Credentials(authn.DEVELOPER_KEY, "bench"))
    servers = [started(None), started(keys)]
    try:
        measured = round_trips([client for _, client in servers], args.requests)
    finally:
        for moto, _ in servers:
            moto.stop()
    for label, times in zip(("unchecked (floor)", "signature verified"), measured, strict=True):
        times.sort()
        print(f"{label:20} GetItem median {statistics.median(times):7.0f} µs   "
              f"p90 {times[int(len(times) * 0.9)]:7.0f} µs")
    print(f"{'the check alone':20} {check_alone(keys, 20000):.1f} µs per call")


if __name__ == "__main__":
    main()
