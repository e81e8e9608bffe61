"""Issue 29 against the real emulator: what a hostile client or handler cannot do.

Item 3: no spelling of a path (trailing or repeated slashes, `%2F`, `.` and `..` segments)
sidesteps an authorizer's explicit Deny or reaches an open `{proxy+}` next to a protected
resource, on the REST API and the HTTP API. Item 4: a handler that detaches a child still gets
its timeout reply at its timeout. Item 8: a huge print is capped as CloudWatch caps events.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_harness import REPO, EmulatorProcess, wait_gone

pytestmark = pytest.mark.integration

HARDENING = REPO / "tests" / "fixtures" / "services" / "hardening" / "serverless.yml"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(HARDENING, "--in-memory", "--no-reload",
                              "--integration-timeout", "8").start(timeout=120)
    yield process
    process.stop()


def send(emu: EmulatorProcess, target: str, *headers: tuple[str, str],
         timeout: float = 30) -> tuple[int, Any]:
    """Send `GET target` exactly as written (no client-side normalisation)."""
    url = urllib.parse.urlsplit(emu.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.putrequest("GET", target, skip_host=False, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, body
    finally:
        conn.close()


TOKEN = ("Authorization", "t")
ADMIN_SPELLINGS = ["admin", "admin/", "admin//", "admin%2F", "/admin", "./admin", "x/../admin",
                   "admin/.", "%2e/admin", "files/%2e%2e/admin"]


@pytest.mark.parametrize("base", ["/dev/", "/v2/"])
@pytest.mark.parametrize("spelling", ADMIN_SPELLINGS)
def test_explicit_deny_holds_for_every_spelling_of_a_path(
        emu: EmulatorProcess, base: str, spelling: str) -> None:
    status, body = send(emu, base + spelling, TOKEN)
    assert status == 403, (base + spelling, body)


SECRET_SPELLINGS = ["files/secret", "files/secret/", "files//secret", "files/./secret",
                    "files/x/../secret", "files/%2e/secret", "files/x/%2e%2e/secret",
                    "files/secret%2F"]


@pytest.mark.parametrize("base", ["/dev/", "/v2/"])
@pytest.mark.parametrize("spelling", SECRET_SPELLINGS)
def test_a_protected_resource_is_not_reached_through_a_neighbouring_open_proxy(
        emu: EmulatorProcess, base: str, spelling: str) -> None:
    status, body = send(emu, base + spelling)
    assert status == 401, (base + spelling, body)
    status, body = send(emu, base + spelling, TOKEN)
    assert (status, body["function"]) == (200, "secret")


@pytest.mark.parametrize("base", ["/dev/", "/v2/"])
def test_the_open_proxy_serves_other_paths(emu: EmulatorProcess, base: str) -> None:
    status, body = send(emu, base + "files/a//b/./c/")
    assert (status, body) == (200, {"function": "files", "pathParameters": {"proxy": "a/b/c"}})


def test_a_detached_child_does_not_hold_the_reply_past_the_timeout(
        emu: EmulatorProcess) -> None:
    started = time.monotonic()
    status, body = send(emu, "/dev/detach", timeout=40)
    took = time.monotonic() - started
    assert (status, body) == (502, {"message": "Internal server error"})
    assert took < 8, f"the 502 of a 1 s function came after {took:.1f} s"
    line = emu.wait_for(r"detached \d+")
    child = int(line.rsplit(" ", 1)[1])
    assert wait_gone({child}) == set(), "the detached child outlived its environment"


def test_a_detached_child_does_not_hold_the_integration_timeout(emu: EmulatorProcess) -> None:
    started = time.monotonic()
    status, body = send(emu, "/dev/detach-long", timeout=40)
    took = time.monotonic() - started
    assert (status, body) == (504, {"message": "Endpoint request timed out"})
    assert took < 14, f"the 504 at 8 s came after {took:.1f} s"


def test_a_60_mb_print_is_capped_and_answers_promptly(emu: EmulatorProcess) -> None:
    start = len(emu.output)
    started = time.monotonic()
    status, _ = send(emu, "/dev/bigprint?mb=60", timeout=60)
    took = time.monotonic() - started
    assert status == 200
    assert took < 15, f"a 60 MB print took {took:.1f} s"
    line = emu.wait_for(r"\[line truncated: \d+ more bytes\]", start=start)
    assert line.endswith(f"[line truncated: {60 * 1024 * 1024 - 262_118} more bytes]")
    assert len(line) < 262_118 + 200
