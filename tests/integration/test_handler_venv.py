"""Handlers run in a virtualenv like Lambda's: the runtime's boto3, the project's requirements
and layers, and nothing of the emulator's own environment (real emulator process, real HTTP)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import emulator_harness
import pytest
from emulator_harness import REPO, EmulatorProcess

from emulator.runtime.venv_spec import LAMBDA_SDK

SERVICES = REPO / "tests" / "fixtures" / "services"
DEPS = SERVICES / "deps" / "serverless.yml"
WSGI = SERVICES / "wsgi" / "serverless.yml"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def deps() -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(DEPS, "--in-memory", "--no-reload").start(timeout=180)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def probe(deps: EmulatorProcess) -> dict[str, Any]:
    reply = deps.request("GET", "/probe")
    assert reply.status == 200, deps.log
    result: dict[str, Any] = reply.json()
    return result


def test_the_emulators_packages_are_not_importable(probe: dict[str, Any]) -> None:
    for name in ("yaml", "moto", "schemathesis", "emulator"):
        assert probe["modules"][name].startswith("ModuleNotFoundError"), probe["modules"]


def test_no_path_of_the_emulators_environment_is_on_sys_path(probe: dict[str, Any]) -> None:
    ours = {p for p in sys.path if "site-packages" in p}
    assert ours and not ours & set(probe["path"])
    assert not any(p.startswith(sys.prefix + "/") for p in probe["path"]), probe["path"]


def test_requirements_txt_is_installed_into_the_handlers_venv(probe: dict[str, Any]) -> None:
    assert emulator_harness.VENV_DIR is not None
    assert probe["modules"]["iniconfig"].startswith(str(emulator_harness.VENV_DIR))
    assert probe["executable"].startswith(str(emulator_harness.VENV_DIR))


def test_boto3_is_the_lambda_runtimes_version(probe: dict[str, Any]) -> None:
    assert probe["boto3"] == dict(LAMBDA_SDK)["boto3"]


def test_a_local_layer_is_importable_as_from_opt_python(probe: dict[str, Any]) -> None:
    assert probe["layer"] == "from the layer"
    layer = str(DEPS.parent / "layers" / "common" / "python")
    assert probe["path"].index(layer) == 1  # after the task root, before the site-packages


def test_the_runtimes_python_version_or_a_warning_naming_both(
        deps: EmulatorProcess, probe: dict[str, Any]) -> None:
    if probe["version"][:2] != [3, 12]:
        running = ".".join(map(str, probe["version"]))
        assert f"asks for Python 3.12, which is not installed here: handlers run on Python " \
               f"{running}" in deps.log


def test_a_handler_naming_a_missing_function_is_reported_at_start(deps: EmulatorProcess) -> None:
    banner = deps.log.split("Ready:")[0]
    assert "function missing: handler handler.not_there:" in banner
    assert "defines no 'not_there'" in banner


def test_a_second_start_reuses_the_venv(deps: EmulatorProcess) -> None:
    again = EmulatorProcess(DEPS, "--in-memory", "--no-reload").start()
    try:
        assert again.request("GET", "/probe").status == 200
    finally:
        again.stop()
    assert "Building the handlers' virtualenv" not in again.log


@pytest.fixture(scope="module")
def flask_app() -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(WSGI, "--in-memory", "--no-reload").start(timeout=180)
    try:
        yield emu
    finally:
        emu.stop()


def test_a_flask_app_answers_through_serverless_wsgi(flask_app: EmulatorProcess) -> None:
    reply = flask_app.request("GET", "/hello/world?q=1")
    assert reply.status == 200, flask_app.log
    assert reply.json() == {"hello": "world", "query": "1"}
    assert reply.header("Content-Type") == "application/json"


def test_a_flask_post_keeps_body_headers_and_status(flask_app: EmulatorProcess) -> None:
    reply = flask_app.request("POST", "/echo", body={"a": 1},
                              headers=[("Content-Type", "application/json"), ("X-Token", "t")])
    assert reply.status == 201, flask_app.log
    assert reply.json() == {"body": {"a": 1}, "token": "t"}


def test_a_path_flask_does_not_know_is_flasks_404(flask_app: EmulatorProcess) -> None:
    reply = flask_app.request("GET", "/nowhere")
    assert reply.status == 404
    assert b"Not Found" in reply.body


def test_reset_names_the_venv_folder_before_removing_it(tmp_path: Path) -> None:
    import subprocess

    venvs = tmp_path / "venvs"
    (venvs / "abc").mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "emulator", "reset", "--config", str(DEPS),
                           "--state-dir", str(tmp_path)], capture_output=True, text=True,
                          cwd=REPO, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert f"Removing the handlers' virtualenvs: {venvs}" in done.stdout
    assert not venvs.exists()


def test_requirements_that_do_not_install_stop_only_their_function() -> None:
    config = SERVICES / "deps-broken" / "serverless.yml"
    emu = EmulatorProcess(config, "--in-memory", "--no-reload").start(timeout=180)
    try:
        assert emu.request("GET", "/ok").status == 200
        reply = emu.request("GET", "/pinned")
        assert reply.status == 502
        assert reply.json() == {"message": "Internal server error"}
    finally:
        emu.stop()
    banner = emu.log.split("Ready:")[0]
    assert "function pinned cannot run: cannot install the handlers' requirements" in banner
    assert "emulator-test-no-such-package-4f1c" in banner
