"""The project as its users install it: the wheel in a fresh virtualenv outside the checkout.

`nox -s installed` runs this. Every other session installs the checkout editable and runs from
it, so a module missing from the wheel (a package not listed, a file the runtime opens by path)
passes them all. Here, in a temporary folder:

1. `uv build --wheel` the checkout, then a new virtualenv with only that wheel installed;
2. a copy of this repository's own service (serverless.yml, api/, openapi.yaml and its
   [tool.contracts] settings), as a user's project folder, with no emulator/ beside it;
3. from that folder: `python -m emulator --port 0` answers a route with 200,
   `python -m emulator invoke` runs a function through it, `python -m contracts` starts its own
   emulator and passes, and both console scripts answer `--help`.

uv's cache makes the install a few seconds; the handlers' virtualenv is built once (its
packages come from the same cache). Exit status 0 when all of it works; else the step that
failed, with its output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("serverless.yml", "openapi.yaml", "pyproject.toml", "api")
READY = re.compile(r"^Ready: (\S+)")
START_TIMEOUT_S = 180.0  # the first start builds the handlers' virtualenv
CONTRACTS_SEED = "20261127"


class CheckError(Exception):
    """One step failed; the message says which and shows its output."""


def uv_binary() -> str:
    """The uv that builds and installs (the `uv` package's binary, else one on PATH)."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise CheckError("uv is not installed: pip install uv") from None
        return found


def clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user's shell with only the new virtualenv: nothing points back."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "UV_PYTHON")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", os.defpath)])
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(args: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> str:
    """Run one step; its stdout (CheckError with both streams when it fails)."""
    started = time.monotonic()
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    print(f"  {time.monotonic() - started:5.1f} s  {' '.join(args)}", flush=True)
    if done.returncode != 0:
        raise CheckError(f"`{' '.join(args)}` exited {done.returncode} in {cwd}:\n"
                         f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def build_and_install(uv: str, work: Path) -> Path:
    """The wheel of the checkout, installed alone into work/venv; the venv's folder."""
    dist = work / "dist"
    run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)], cwd=work)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise CheckError(f"expected one wheel in {dist}, found {[w.name for w in wheels]}")
    venv = work / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=work)
    # No --compile-bytecode (pip's default): compiling moto, botocore and schemathesis took
    # longer than every later start spends compiling the modules it imports.
    run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         str(wheels[0])], cwd=work)
    return venv


def copy_project(work: Path) -> Path:
    """This repository's service, copied as a user's project folder would hold it."""
    project = work / "my-service"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, project / name)
    # The first DynamoDB call of a cold start also starts moto's backend: on a busy 2-core
    # machine it took over the service's 6 s. The install is under test here, not the timeout.
    config = project / "serverless.yml"
    config.write_text(re.sub(r"(?m)^(  timeout: )\d+$", r"\g<1>29", config.read_text()))
    return project


def check_imports_from_venv(venv: Path, project: Path, env: dict[str, str]) -> None:
    """Both packages (and every subpackage) import from the virtualenv, not the checkout."""
    script = ("import emulator, contracts, emulator.aws, emulator.config, emulator.gateway.auth, "
              "emulator.runtime; print(emulator.__file__); print(contracts.__file__)")
    for line in run([str(venv / "bin" / "python"), "-c", script], cwd=project,
                    env=env).splitlines():
        if not Path(line).resolve().is_relative_to(venv.resolve()):
            raise CheckError(f"imported from {line}, not from the virtualenv {venv}")


class Emulator:
    """`python -m emulator --port 0` from the project folder, until stop()."""

    def __init__(self, venv: Path, project: Path, env: dict[str, str]) -> None:
        self.output: deque[str] = deque(maxlen=300)
        self.base_url = ""
        self._ready = threading.Event()
        self._process = subprocess.Popen(
            [str(venv / "bin" / "python"), "-m", "emulator", "--port", "0", "--no-reload"],
            cwd=project, env=env, text=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line.rstrip("\n"))
            match = READY.match(line)
            if match:
                self.base_url = match.group(1)
                self._ready.set()
        self._ready.set()

    def wait_ready(self) -> str:
        if not self._ready.wait(START_TIMEOUT_S) or not self.base_url:
            raise CheckError("the installed emulator did not print its Ready line:\n"
                             + "\n".join(self.output))
        return self.base_url

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(2)  # SIGINT: Ctrl-C, its own clean stop
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def check_served(base_url: str) -> None:
    """GET /reviews answers 200 with a JSON body."""
    try:
        with urllib.request.urlopen(f"{base_url}/reviews", timeout=60) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    if status != 200:
        raise CheckError(f"GET {base_url}/reviews answered {status}: {body[:300]!r}")
    json.loads(body)
    print(f"  GET {base_url}/reviews: {status}", flush=True)


def check_invoke(venv: Path, project: Path, env: dict[str, str], base_url: str) -> None:
    """`python -m emulator invoke list` through the running emulator: a 200 proxy result."""
    port = str(urlsplit(base_url).port)
    out = run([str(venv / "bin" / "python"), "-m", "emulator", "invoke", "list",
               "--port", port, "--data", "{}"], cwd=project, env=env)
    if json.loads(out).get("statusCode") != 200:
        raise CheckError(f"invoke list printed {out[:300]}")


def check_commands(venv: Path, project: Path, env: dict[str, str]) -> None:
    """The console scripts are installed and answer --help; --help lists every subcommand."""
    emulator_help = run([str(venv / "bin" / "review-api-emulator"), "--help"], cwd=project,
                        env=env)
    for word in ("invoke", "reset", "token"):
        if word not in emulator_help:
            raise CheckError(f"review-api-emulator --help does not name `{word}`")
    run([str(venv / "bin" / "review-api-contracts"), "--help"], cwd=project, env=env)


def check(work: Path) -> None:
    uv = uv_binary()
    print(f"installed check in {work}", flush=True)
    venv = build_and_install(uv, work)
    project = copy_project(work)
    env = clean_env(venv)
    check_imports_from_venv(venv, project, env)
    check_commands(venv, project, env)
    emulator = Emulator(venv, project, env)
    try:
        base_url = emulator.wait_ready()
        check_served(base_url)
        check_invoke(venv, project, env, base_url)
    except BaseException:
        emulator.stop()
        print("\n".join(emulator.output), file=sys.stderr)
        raise
    emulator.stop()
    run([str(venv / "bin" / "python"), "-m", "contracts", "--seed", CONTRACTS_SEED,
         "--max-examples", "3"], cwd=project, env=env, timeout=600)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="review-api-installed-"))
    try:
        check(work)
    except (CheckError, subprocess.TimeoutExpired) as exc:
        print(f"installed check FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"installed check passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
