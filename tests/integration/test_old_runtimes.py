"""python3.6 and python3.7 projects (Lambda runtimes AWS has retired, still in public projects)
build their handlers' virtualenv and answer: uv compiles no bytecode where its script cannot
run, and bootstrap.py runs on 3.6 through bootstrap_py36.py (runtime/old_pythons.py). Needs
those interpreters (pyenv's versions folder); skipped where they are not installed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from emulator_harness import EmulatorProcess

pytestmark = pytest.mark.integration

PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
HANDLER = """\
import json
import sys


def hello(event, context):
    return {"statusCode": 200, "body": json.dumps({"python": list(sys.version_info[:2])})}
"""


def _installed(minor: str) -> bool:
    return any(PYENV.glob(f"{minor}.*/bin/python{minor}"))


@pytest.mark.parametrize("minor", ["3.6", "3.7"])
def test_an_old_runtimes_handler_answers_on_its_own_python(tmp_path: Path, minor: str) -> None:
    if not _installed(minor):
        pytest.skip(f"no CPython {minor} in {PYENV}")
    (tmp_path / "handler.py").write_text(HANDLER, encoding="utf-8")
    config = tmp_path / "serverless.yml"
    config.write_text(
        f"service: old-{minor.replace('.', '')}\nprovider:\n  name: aws\n"
        f"  runtime: python{minor}\n  stage: dev\n"
        "functions:\n  hello:\n    handler: handler.hello\n    timeout: 30\n"
        "    events:\n      - http: GET hello\n", encoding="utf-8")
    emu = EmulatorProcess(config, "--in-memory", "--no-reload", cwd=tmp_path).start(timeout=240)
    try:
        reply = emu.request("GET", "/hello")
        assert reply.status == 200, emu.log
        assert reply.json() == {"python": [int(p) for p in minor.split(".")]}
        assert "bytecode-compile" not in emu.log
    finally:
        emu.stop()
