"""The developer's AWS settings never reach moto or the emulator's own AWS calls (issue 16, 6).

The shell names a profile that does not exist here, real-looking keys and a config file whose
profile runs a `credential_process` that leaves a marker: the emulator must start, serve,
reload serverless.yml, and never read any of it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_harness import REPO, EmulatorProcess, descendants

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]


@pytest.fixture
def service(tmp_path: Path) -> Path:
    folder = tmp_path / "svc"
    folder.mkdir()
    shutil.copy(REPO / "serverless.yml", folder)
    shutil.copytree(REPO / "api", folder / "api", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.fixture
def hostile_shell(tmp_path: Path) -> dict[str, str]:
    marker = tmp_path / "credential_process-ran"
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = sh -c 'touch {marker}'\n"
                      "region = eu-west-1\n")
    return {"AWS_PROFILE": "work", "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(config),
            "AWS_ACCESS_KEY_ID": "AKIAREALKEYOFTHEDEV1", "AWS_SECRET_ACCESS_KEY": "real-secret",
            "MARKER": str(marker)}


@pytest.fixture
def emulator(service: Path, hostile_shell: dict[str, str]) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(service / "serverless.yml", env=hostile_shell).start()
    try:
        yield emu
    finally:
        emu.stop()


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode().split("\0") if "=" in entry)


def test_aws_profile_of_the_shell_breaks_neither_start_nor_reload(
        emulator: EmulatorProcess, service: Path, hostile_shell: dict[str, str]) -> None:
    # WHEN the emulator started from that shell serves a write (once moto read its state)
    emulator.wait_for(r"^State: ", timeout=60)
    created = emulator.request("POST", "/reviews", user="alice",
                               body={"review": "from a hostile shell"})
    # THEN moto started and serves it
    assert created.status == 201, emulator.log
    # AND moto's process carries nothing of the shell's AWS settings
    assert emulator.proc is not None
    moto = [pid for pid in descendants(emulator.proc.pid)
            if b"emulator.aws.moto_process" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(moto) == 1
    env = environ_of(moto[0])
    assert "AWS_PROFILE" not in env
    assert env["AWS_ACCESS_KEY_ID"] != hostile_shell["AWS_ACCESS_KEY_ID"]
    assert env["AWS_CONFIG_FILE"] != hostile_shell["AWS_CONFIG_FILE"]

    # WHEN serverless.yml changes (a reload creates tables through boto3 in the emulator)
    start = len(emulator.output)
    config = service / "serverless.yml"
    assert "timeout: 6" in config.read_text()
    config.write_text(config.read_text().replace("timeout: 6", "timeout: 7", 1))
    # THEN it reloads without a traceback, and nothing ran the profile's credential_process
    emulator.wait_for(r"^Reloaded serverless.yml", start=start)
    assert "Traceback" not in emulator.log
    assert "ProfileNotFound" not in emulator.log
    assert emulator.request("GET", f"/reviews/{created.json()['id']}").status == 200
    assert not Path(hostile_shell["MARKER"]).exists()
