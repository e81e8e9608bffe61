"""The README's two set-up commands, run as written on a Python that refuses `pip install`.

Debian's, Ubuntu's and Homebrew's python3 carry an EXTERNALLY-MANAGED file in their standard
library folder (PEP 668), and pip refuses to install into them. pip ignores that file inside a
virtualenv, so a venv cannot stand in for such a Python: the test builds a copy of the
interpreter running it (its executable, links to its standard library, pip), marks the copy
externally managed, checks pip refuses it, puts it first on PATH and runs both README commands
in a copy of this checkout. Minutes (pip downloads the dependencies): `nox -s readme_setup`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_harness import REPO

pytestmark = [pytest.mark.slow, pytest.mark.integration,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths and signals")]

INSTALL_TIMEOUT_S = 900
MARKER = "[externally-managed]\nError=Managed by the system (a stand-in made by {test}).\n"


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None
    return [line.split("   #", 1)[0].strip() for line in block.group(1).splitlines()]


def externally_managed_python(folder: Path) -> Path:
    """Return a bin/ folder whose python3 is this interpreter, marked externally managed."""
    base_exe = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    stdlib = Path(sysconfig.get_path("stdlib"))  # the base interpreter's, also in a venv
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    bin_dir, lib = folder / "bin", folder / "lib" / version
    (lib / "site-packages").mkdir(parents=True)
    bin_dir.mkdir()
    (bin_dir / version).write_bytes(base_exe.read_bytes())  # a copy: its prefix is `folder`
    (bin_dir / version).chmod(0o755)
    for alias in ("python3", "python"):
        (bin_dir / alias).symlink_to(version)
    for entry in stdlib.iterdir():
        if entry.name != "site-packages":
            (lib / entry.name).symlink_to(entry)
    for library in base_exe.parent.parent.joinpath("lib").glob("libpython*"):
        (folder / "lib" / library.name).symlink_to(library)  # for a $ORIGIN-relative rpath
    pip = subprocess.run([base_exe, "-I", "-c", "import pip; print(pip.__path__[0])"],
                         text=True, capture_output=True, check=False).stdout.strip()
    if pip:  # the system pip that refuses: Debian's python3-pip
        for entry in [Path(pip), *Path(pip).parent.glob("pip-*.dist-info")]:
            (lib / "site-packages" / entry.name).symlink_to(entry)
    (lib / "EXTERNALLY-MANAGED").write_text(MARKER.format(test=Path(__file__).name))
    return bin_dir


def copy_checkout(target: Path) -> None:
    """Copy the files git tracks, as they are in the working tree (edits included)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, copy = REPO / name, target / name
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(source.read_bytes())
            copy.chmod(source.stat().st_mode & 0o777)


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A checkout and an environment whose python3 refuses `pip install`."""
    root = tmp_path_factory.mktemp("pep668")
    bin_dir = externally_managed_python(root / "system-python")
    copy_checkout(root / "checkout")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NOXSESSION")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    yield root / "checkout", env


def test_the_stand_in_refuses_pip_install(machine: tuple[Path, dict[str, str]]) -> None:
    checkout, env = machine
    done = subprocess.run(["python3", "-m", "pip", "install", "nox"], cwd=checkout, env=env,
                          text=True, capture_output=True, timeout=120, check=False)
    if "No module named pip" in done.stderr:
        pytest.skip("this Python has no pip to refuse (the README commands need none)")
    assert done.returncode != 0
    assert "externally-managed-environment" in done.stderr, done.stderr


def test_the_first_command_installs_and_serves(machine: tuple[Path, dict[str, str]]) -> None:
    checkout, env = machine
    command = readme_commands()[0] + " --port 0"  # as written, on a free port instead of 3000
    proc = subprocess.Popen(["bash", "-c", command], cwd=checkout, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    guard = threading.Timer(INSTALL_TIMEOUT_S, os.killpg, (proc.pid, signal.SIGKILL))
    guard.start()
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("Ready: "):
                with urllib.request.urlopen(line.split()[1] + "/reviews", timeout=30) as reply:
                    assert reply.status == 200
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        assert proc.wait(60) == 0, "".join(seen[-30:])
    finally:
        guard.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
    assert any(line.startswith("Ready: ") for line in seen), "".join(seen[-30:])
    assert seen[-1].startswith("Stopped. ")


def test_the_second_command_runs_nox(machine: tuple[Path, dict[str, str]]) -> None:
    checkout, env = machine
    # The command as written; NOXSESSION (read by nox) picks the quick lint session, as
    # `nox -s lint` would: the full default run is what CI's .ci/run does with it.
    done = subprocess.run(["bash", "-c", readme_commands()[1]], cwd=checkout,
                          env={**env, "NOXSESSION": "lint"}, text=True, capture_output=True,
                          timeout=INSTALL_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Session lint was successful" in done.stderr, done.stderr[-3000:]
