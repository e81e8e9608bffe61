"""`python -m emulator invoke` without a running emulator: a one-off environment and moto."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from tests.integration.emulator_harness import REPO

HTTPAPI = REPO / "tests" / "fixtures" / "services" / "httpapi" / "serverless.yml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", "invoke", "--config", str(HTTPAPI),
                           "--port", str(free_port()), "--in-memory", *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False)


def test_one_off_invocation_with_a_sample_event() -> None:
    done = run("echo", "--event-type", "sqs")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)["Records"][0]
    assert (record["eventSource"], record["awsRegion"]) == ("aws:sqs", "us-east-1")
    assert "[echo] REPORT RequestId" in done.stderr


def test_bad_input_exits_2_with_one_line() -> None:
    for args in (("nope",), ("echo", "--data", "{bad"), ("echo", "--path", "/nonexistent.json")):
        done = run(*args)
        assert done.returncode == 2
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr
