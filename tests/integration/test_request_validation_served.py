"""Request validation on the real emulator: refused before any Lambda runs, with AWS's 400."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from emulator_harness import REPO, EmulatorProcess

CONFIG = REPO / "tests" / "fixtures" / "services" / "validation" / "serverless.yml"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(CONFIG, "--in-memory", "--no-reload").start()
    try:
        yield emu
    finally:
        emu.stop()


JSON = (("Content-Type", "application/json"),)
VERSION = (("X-Api-Version", "1"),)


def test_a_valid_request_reaches_the_function(emu: EmulatorProcess) -> None:
    reply = emu.request("POST", "/items", body=json.dumps({"title": "a"}).encode(),
                        headers=JSON + VERSION)
    assert reply.status == 200, emu.log
    assert reply.json() == {"ran": True}
    emu.wait_for("ran POST")  # its print is in the log before other tests count prints


Headers = tuple[tuple[str, str], ...]


@pytest.mark.parametrize(("call", "message"), [
    (("POST", "/items", b'{"title": ""}', JSON + VERSION), "Invalid request body"),
    (("POST", "/items", b'{"title": "a", "extra": 1}', JSON + VERSION), "Invalid request body"),
    (("POST", "/items", b'{"title": "a"}', JSON),
     "Missing required request parameters: [header.X-Api-Version]"),
    (("GET", "/items", b"", ()), "Missing required request parameters: [querystring.q]"),
    (("GET", "/items?q=", b"", ()), "Missing required request parameters: [querystring.q]"),
])
def test_an_invalid_request_is_refused_before_any_lambda_runs(
        emu: EmulatorProcess, call: tuple[str, str, bytes, Headers], message: str) -> None:
    method, path, body, headers = call
    mark = len(emu.output)
    reply = emu.request(method, path, body=body, headers=headers)
    assert reply.status == 400
    assert reply.json() == {"message": message}
    assert reply.header("x-amzn-ErrorType") == "BadRequestException"
    emu.request("GET", "/items?q=flush")  # a valid call: its print follows any stray one
    emu.wait_for("ran GET", start=mark)
    assert sum("ran " in line for line in emu.output[mark:]) == 1  # the refused one ran nothing


USAGE_PLAN = REPO / "tests" / "fixtures" / "services" / "usage-plan" / "serverless.yml"
KEY = (("x-api-key", "client-key-0123456789abcdef"),)


def test_a_usage_plans_throttle_answers_429_past_the_burst() -> None:
    emu = EmulatorProcess(USAGE_PLAN, "--in-memory", "--no-reload").start()
    try:
        assert "usage plan default: 1 requests/s, burst 2" in emu.log
        assert emu.request("GET", "/warm").status == 200  # no cold start inside the burst
        statuses = [emu.request("GET", "/ping", headers=KEY).status for _ in range(2)]
        third = emu.request("GET", "/ping", headers=KEY)
        assert statuses == [200, 200], emu.log
        assert (third.status, third.body) == (429, b'{"message":"Too Many Requests"}')
        assert third.header("x-amzn-ErrorType") == "TooManyRequestsException"
    finally:
        emu.stop()


def test_no_throttle_turns_usage_plans_off() -> None:
    emu = EmulatorProcess(USAGE_PLAN, "--in-memory", "--no-reload", "--no-throttle").start()
    try:
        assert [emu.request("GET", "/ping", headers=KEY).status for _ in range(4)] == [200] * 4
    finally:
        emu.stop()
