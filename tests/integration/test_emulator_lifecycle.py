"""Start-up, shutdown and CLI errors of the real `python -m emulator` process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_harness import (
    FIDELITY,
    REPO,
    REVIEW_API,
    EmulatorProcess,
    descendants,
    wait_gone,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]


def warm_up(emu: EmulatorProcess) -> set[int]:
    """Start two environments and return the emulator's descendant pids (moto included)."""
    assert emu.request("GET", "/counter").status == 200
    assert emu.request("GET", "/env").status == 200
    assert emu.proc is not None
    pids = descendants(emu.proc.pid)
    assert len(pids) >= 3  # moto + two environments
    return pids


def test_ctrl_c_stops_cleanly_and_leaves_no_process() -> None:
    emu = EmulatorProcess(FIDELITY).start()
    pids = warm_up(emu)
    assert emu.stop(signal.SIGINT) == 0
    assert wait_gone(pids) == set()
    assert "Traceback" not in emu.log


def last_line(emu: EmulatorProcess) -> str:
    lines = emu.log.splitlines()
    assert lines[-1] == "<exited>"
    return lines[-2]


def test_ctrl_c_says_which_tables_and_items_were_kept_and_where(tmp_path: Path) -> None:
    emu = EmulatorProcess(REVIEW_API, "--state-dir", str(tmp_path)).start()
    for text in ("one", "two"):
        assert emu.request("POST", "/reviews", user="alice", body={"review": text}).status == 201
    assert emu.stop(signal.SIGINT) == 0
    snapshot = tmp_path / "review-api-dev-us-east-2.json"
    # the reset command repeats --config and --state-dir: it works pasted in any folder
    assert last_line(emu) == (
        f"Stopped. Kept 2 items in 1 table (review-api-dev: 2) in {snapshot}: loaded again on "
        f"the next start; `python -m emulator reset --config {REVIEW_API} --state-dir "
        f"{tmp_path}` removes them.")
    assert snapshot.read_text().count('"id":') == 2  # what the line says is what the file holds


def test_ctrl_c_with_in_memory_says_nothing_was_saved() -> None:
    emu = EmulatorProcess(REVIEW_API, "--in-memory").start()
    assert emu.request("POST", "/reviews", user="alice", body={"review": "gone"}).status == 201
    assert emu.stop(signal.SIGINT) == 0
    assert last_line(emu) == "Stopped. Nothing saved (--in-memory)."


def test_help_shows_the_reset_command_and_the_console_script() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == (
        "usage: python -m emulator [invoke | reset | token | web-config] [options]")
    assert "review-api-emulator" in done.stdout


def test_sigkill_of_the_emulator_leaves_no_process() -> None:
    emu = EmulatorProcess(FIDELITY).start()
    pids = warm_up(emu)
    assert emu.proc is not None
    emu.proc.kill()
    emu.stop()  # reaps it and closes the pipes
    assert wait_gone(pids) == set()


def test_integration_timeout_is_504_while_the_function_runs_on() -> None:
    emu = EmulatorProcess(FIDELITY, "--integration-timeout", "0.5").start()
    try:
        reply = emu.request("GET", "/slow?seconds=0.9")
        assert (reply.status, reply.json()) == (504, {"message": "Endpoint request timed out"})
        assert reply.header("Access-Control-Allow-Origin") is None
    finally:
        emu.stop()


def test_env_passthrough_copies_only_the_named_variables() -> None:
    emu = EmulatorProcess(FIDELITY, "--env-passthrough", "PASSED_ON",
                          env={"PASSED_ON": "yes", "NOT_PASSED": "no"}).start()
    try:
        env = emu.request("GET", "/env").json()
    finally:
        emu.stop()
    assert env["PASSED_ON"] == "yes"
    assert "NOT_PASSED" not in env


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # found from any folder, installed or not
    return subprocess.run([sys.executable, "-m", "emulator", *args], cwd=cwd, env=env,
                          text=True, capture_output=True, timeout=60, check=False)


def test_port_in_use_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("--config", str(FIDELITY), "--port", str(port))
    assert done.returncode == 1
    assert f"127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("service: x\nprovider: [unclosed\n", "serverless.yml:2"),
    ("service: x\nprovider:\n  stage: ${ssm:/some/param}\n", "provider.stage"),
    ("service: x\nprovider:\n  name: aws\nfunctions:\n  f:\n    events: []\n", "functions.f"),
])
def test_bad_config_is_a_clear_error_with_exit_code_2(
        tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "serverless.yml"
    config.write_text(text)
    done = run_cli("--config", str(config), "--port", "0")
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("--port", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert "serverless.yml" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [
    ("--port", "99999"), ("--max-concurrency", "0"), ("--integration-timeout", "soon"),
    ("--dynamodb-endpoint", "https://dynamodb.us-east-1.amazonaws.com"),
])
def test_bad_cli_argument_is_rejected_without_traceback(args: tuple[str, str]) -> None:
    done = run_cli("--config", str(FIDELITY), *args)
    assert done.returncode == 2
    assert args[0] in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_while_the_handlers_virtualenv_builds_is_one_line_not_a_traceback(
        tmp_path: Path) -> None:
    # GIVEN an emulator building a handler virtualenv (a fresh --venv-dir: uv runs), with
    # Ctrl-C's default action even when the suite runs as a background job, whose SIGINT is
    # ignored and would stay ignored in the child (a caught signal is reset by exec)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--config", str(REVIEW_API), "--port", "0",
             "--in-memory", "--no-reload", "--venv-dir", str(tmp_path / "venvs")],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.SIG_DFL)
    with proc:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("Building the handlers' virtualenv"):
                break
        # WHEN Ctrl-C arrives before the emulator is ready
        proc.send_signal(signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=60)
        finally:
            proc.kill()
    # THEN it says so in one line, with Ctrl-C's exit status, and leaves no traceback
    assert proc.returncode == 130, "".join(seen) + rest
    assert "Traceback" not in rest
    assert rest.strip().splitlines()[-1] == "Stopped before the emulator was ready."
