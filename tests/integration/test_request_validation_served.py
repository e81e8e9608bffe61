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
    runs = emu.log.count("ran ")
    reply = emu.request(method, path, body=body, headers=headers)
    assert reply.status == 400
    assert reply.json() == {"message": message}
    assert reply.header("x-amzn-ErrorType") == "BadRequestException"
    assert emu.log.count("ran ") == runs  # no invocation
