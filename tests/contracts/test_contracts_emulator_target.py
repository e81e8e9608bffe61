"""The default target: `python -m emulator` started on a free port and stopped, nothing left."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from contracts import target

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def process_group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_emulator_serves_on_a_free_port_and_leaves_nothing_running() -> None:
    emulator = target.Emulator(REPO / "serverless.yml")
    with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/dev", emulator.base_url)
        reply = requests.get(f"{emulator.base_url}/reviews", timeout=30)
        assert reply.status_code == 200
        process = emulator._process
        assert process is not None

    assert process.returncode is not None
    assert process_group_is_gone(process.pid)  # its Lambda environments and moto too
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{emulator.base_url}/reviews", timeout=5)


def test_emulator_that_cannot_start_is_reported_with_its_output(tmp_path: Path) -> None:
    config = tmp_path / "serverless.yml"
    config.write_text("service: [not, valid\n", encoding="utf-8")
    emulator = target.Emulator(config)
    with pytest.raises(target.TargetError, match="Ready line"):
        emulator.start()
    process = emulator._process
    assert process is not None and process.returncode is not None


def test_stop_kills_an_emulator_that_ignores_the_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "stubborn.py"
    script.write_text(
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('Ready: http://127.0.0.1:1/dev', flush=True)\n"
        "signal.pause()\n",
        encoding="utf-8",
    )
    emulator = target.Emulator(REPO / "serverless.yml", command=[sys.executable, str(script)])
    emulator.start()
    monkeypatch.setattr(target, "STOP_TIMEOUT_S", 0.5)
    emulator.stop()
    process = emulator._process
    assert process is not None and process.returncode == -signal.SIGKILL


def test_an_interrupted_run_deletes_what_it_created_and_stops_the_emulator() -> None:
    run = subprocess.Popen(
        [sys.executable, "-m", "contracts", "--seed", "5", "--verbose"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert run.stdout is not None
    for line in run.stdout:
        if "Examples (in" in line:  # the examples phase created reviews
            run.send_signal(signal.SIGINT)
            break
    output = run.stdout.read()
    run.stdout.close()
    run.wait()

    assert run.returncode == 130, output
    assert "\ncontracts INTERRUPTED" in output
    deleted = re.search(r"cleanup:    (\d+) resource\(s\) deleted", output)
    assert deleted and int(deleted.group(1)) >= 1, output
    assert "NOT deleted" not in output


def test_emulator_args_reach_the_emulator_the_run_starts() -> None:
    emulator = target.Emulator(REPO / "serverless.yml", extra_args=["--stage", "qa"])
    with emulator:
        assert emulator.base_url.endswith("/qa")  # `--emulator-args '--stage qa'`
        assert requests.get(f"{emulator.base_url}/reviews", timeout=30).status_code == 200
