"""Everything a handler started dies with its environment (issue 16, item 8).

A handler starts `sleep 1000`. Whether the environment is closed, crashes, or the emulator is
killed with SIGKILL, the sleep must be gone: on Lambda nothing outlives the sandbox.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_harness import alive, wait_gone

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DRIVER = """
import json, sys
from pathlib import Path
sys.path[:0] = [sys.argv[2]]
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.invoker import RuntimeSettings
root = Path(sys.argv[2]) / "tests" / "fixtures"
fn = FunctionConfig("spawner", "groups-dev-spawner", "handlers/spawner.handler", {})
service = ServiceConfig("groups", "dev", "eu-west-3", root, root, {"spawner": fn}, ())
settings = RuntimeSettings(runtime_client=sys.argv[1], shell_env={"PATH": "/usr/bin:/bin"},
                           env_passthrough=("PATH",))
pool = EnvironmentPool(service, settings, lambda f: {})
result = pool.invoke("spawner", sys.argv[3].encode(), "driver-request", 30.0)
print(result.outcome.name, result.payload.decode(), flush=True)
for line in sys.stdin:  # "close": close the pool; EOF: stay until killed
    pool.close()
    print("closed", flush=True)
sys.stdin.read()
"""


def drive(event: dict[str, object]) -> tuple[subprocess.Popen[str], str, dict[str, int]]:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, "builtin", str(REPO_ROOT), json.dumps(event)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert driver.stdout is not None
    outcome, _, payload = driver.stdout.readline().strip().partition(" ")
    return driver, outcome, json.loads(payload) if payload.startswith("{") else {}


def finish(driver: subprocess.Popen[str]) -> None:
    if driver.poll() is None:
        driver.kill()
    driver.wait()
    for pipe in (driver.stdin, driver.stdout):
        if pipe is not None:
            pipe.close()


def test_a_handlers_child_dies_when_the_emulator_is_killed() -> None:
    driver, outcome, started = drive({})
    try:
        assert outcome == "OK", started
        assert alive(started["child"])
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        assert wait_gone({started["child"], started["runtime"]}) == set()
    finally:
        finish(driver)


def test_a_handlers_child_dies_when_the_environment_is_closed() -> None:
    driver, outcome, started = drive({})
    try:
        assert outcome == "OK" and alive(started["child"])
        assert driver.stdin is not None and driver.stdout is not None
        driver.stdin.write("close\n")
        driver.stdin.flush()
        assert driver.stdout.readline() == "closed\n"
        assert wait_gone({started["child"]}) == set()
    finally:
        finish(driver)


def test_a_handlers_child_dies_when_its_runtime_crashes(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    driver, outcome, _ = drive({"crash": str(pidfile)})
    try:
        assert outcome != "OK"
        assert wait_gone({int(pidfile.read_text())}) == set()
    finally:
        finish(driver)
