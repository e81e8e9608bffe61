"""Only the environment's own process may use its Runtime API (issue 16, item 11).

Another local process connecting to an environment's Runtime API used to be served: it took
events (with their headers) and answered them. On Linux the server now checks who is at the
other end of each connection and closes it unless the environment's runtime holds it.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.invoker import Outcome, RuntimeSettings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check reads /proc"),
]

FIXTURES_ROOT = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(params=["builtin", "awslambdaric"])
def pool(request: pytest.FixtureRequest) -> Iterator[EnvironmentPool]:
    if request.param == "awslambdaric":
        pytest.importorskip("awslambdaric")
    dump = FunctionConfig("dump", "peers-dev-dump", "handlers/env_dump.handler", {})
    service = ServiceConfig("peers", "dev", "eu-west-3", FIXTURES_ROOT,
                            FIXTURES_ROOT / "serverless.yml", {"dump": dump}, ())
    environments = EnvironmentPool(service, RuntimeSettings(runtime_client=request.param),
                                   lambda f: {})
    yield environments
    environments.close()


def invoke(pool: EnvironmentPool, request_id: str) -> dict[str, str]:
    result = pool.invoke("dump", b"{}", request_id, 30.0)
    assert result.outcome is Outcome.OK, result
    env: dict[str, str] = json.loads(result.payload)
    return env


def test_another_process_cannot_take_events_from_an_environment(pool: EnvironmentPool) -> None:
    # GIVEN a warm environment, and its Runtime API address (as any local process could find)
    host, port = invoke(pool, "first")["AWS_LAMBDA_RUNTIME_API"].split(":")
    # WHEN another process asks it for the next event
    with socket.create_connection((host, int(port)), timeout=5) as intruder:
        intruder.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
        # THEN the connection is closed at once (or reset): no event, no status line
        try:
            answer = intruder.recv(4096)
        except ConnectionResetError:
            answer = b""
        assert answer == b""
    # AND the environment keeps serving its own runtime
    assert invoke(pool, "second")["AWS_LAMBDA_RUNTIME_API"] == f"{host}:{port}"
