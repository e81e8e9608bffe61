"""Customised gateway responses in the real `python -m emulator` process, over real HTTP.

The fixture puts CORS headers on every 4XX of the gateway (DEFAULT_4XX) and customises the
UNAUTHORIZED reply (status 419, a template, a header read from the request's Origin).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

FIXTURE = REPO / "tests" / "fixtures" / "services" / "gwresp"
ORIGIN = ("Origin", "https://app.example")


@pytest.fixture
def service(tmp_path: Path) -> Path:
    folder = tmp_path / "svc"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.fixture
def emulator(service: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(service / "serverless.yml").start()
    try:
        yield emu
    finally:
        emu.stop()


def test_an_unknown_path_gets_the_403_with_default_4xx_cors_headers(
        emulator: EmulatorProcess) -> None:
    reply = emulator.request("GET", "/nowhere", headers=[ORIGIN])
    assert (reply.status, reply.json()) == (403, {"message": "Missing Authentication Token"})
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.header("Access-Control-Allow-Headers") == "*"
    assert reply.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    assert "AWS::ApiGateway::GatewayResponse" not in emulator.log  # no longer "not emulated"


def test_an_authorizer_refusal_gets_the_custom_unauthorized_reply(
        emulator: EmulatorProcess) -> None:
    reply = emulator.request("GET", "/private/7", headers=[ORIGIN, ("Authorization", "bad")])
    assert reply.status == 419
    assert reply.json() == {"error": "UNAUTHORIZED",
                            "request": reply.header("x-amzn-RequestId"),
                            "path": "/dev/private/7"}
    assert reply.header("Access-Control-Allow-Origin") == "https://app.example"
    assert reply.header("WWW-Authenticate") == "Bearer"
    assert reply.header("Access-Control-Allow-Headers") is None  # the type wins over DEFAULT_4XX
    allowed = emulator.request("GET", "/private/7", headers=[("Authorization", "Bearer good")])
    assert allowed.status == 200


def test_a_saved_change_of_the_responses_is_served_after_the_reload(
        emulator: EmulatorProcess, service: Path) -> None:
    config = service / "serverless.yml"
    start = len(emulator.output)
    config.write_text(config.read_text(encoding="utf-8").replace("StatusCode: '419'",
                                                                 "StatusCode: '401'"))
    emulator.wait_for(r"^Reloaded serverless\.yml", start=start)
    reply = emulator.request("GET", "/private/7", headers=[("Authorization", "bad")])
    assert reply.status == 401
