"""The handlers' virtualenv carries what the runtime's image carries besides the SDK: pip on
every Python runtime, setuptools (so `pkg_resources`) up to python3.11 and not from python3.12
on (runtime/dependencies.py RUNTIME_PACKAGES). Real emulator process, real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emulator_harness import REPO, EmulatorProcess

CONFIG = REPO / "tests" / "fixtures" / "services" / "runtime-contents" / "serverless.yml"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(CONFIG, "--in-memory", "--no-reload").start(timeout=240)
    try:
        yield emu
    finally:
        emu.stop()


def probe(emu: EmulatorProcess, path: str, version: list[int]) -> dict[str, Any]:
    reply = emu.request("GET", f"/{path}")
    assert reply.status == 200, emu.log
    body: dict[str, Any] = reply.json()
    if body["version"] != version:
        pytest.skip(f"Python {version} is not installed here (handlers ran on {body['version']})")
    return body


def test_python39_handlers_import_pkg_resources_as_on_lambda(emu: EmulatorProcess) -> None:
    found = probe(emu, "old", [3, 9])["found"]
    assert found == {"pkg_resources": True, "setuptools": True, "pip": True, "boto3": True}


def test_python312_handlers_have_pip_but_no_setuptools_as_on_lambda(emu: EmulatorProcess) -> None:
    found = probe(emu, "new", [3, 12])["found"]
    assert found == {"pkg_resources": False, "setuptools": False, "pip": True, "boto3": True}


def test_a_public_layer_with_a_pypi_twin_is_importable_and_named() -> None:
    config = REPO / "tests" / "fixtures" / "services" / "public-layer" / "serverless.yml"
    emu = EmulatorProcess(config, "--in-memory", "--no-reload").start(timeout=300)
    try:
        reply = emu.request("GET", "/tools")
        assert reply.status == 200, emu.log
        assert reply.json()["powertools"].startswith("1.")
        banner = emu.log.split("Ready:")[0]
        assert ("public layer: Powertools v1 (layer AWSLambdaPowertoolsPython:40) -> "
                "aws-lambda-powertools<2 from PyPI") in banner
        assert "layers[0]" not in banner  # not named as a missing layer
    finally:
        emu.stop()


def test_a_v4_project_gets_its_requirements_without_the_plugin() -> None:
    config = REPO / "tests" / "fixtures" / "services" / "v4-requirements" / "serverless.yml"
    emu = EmulatorProcess(config, "--in-memory", "--no-reload").start(timeout=300)
    try:
        reply = emu.request("GET", "/probe")
        assert reply.status == 200, emu.log
        assert "Handler requirements: Serverless Framework v4's rules (built-in Python support, " \
               "on: custom.pythonRequirements)" in emu.log.split("Ready:")[0]
    finally:
        emu.stop()
