"""One folder of handler virtualenvs for the whole session, built before the first test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import emulator_harness
import pytest

from emulator.config.loader import load_service
from emulator.runtime.dependencies import Dependencies

FIXTURES = emulator_harness.REPO / "tests" / "fixtures" / "services"
# The services most tests start: their virtualenvs are built once, here (from uv's cache when it
# holds the pinned boto3, else from the package index); others are built on first use.
PREBUILT = (emulator_harness.FIDELITY, emulator_harness.REVIEW_API,
            FIXTURES / "mini" / "serverless.yml")


@pytest.fixture(scope="session", autouse=True)
def handler_venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("handler-venvs")
    deps = Dependencies(folder)
    for config in PREBUILT:
        deps.prepare(load_service(config, env={}))
    emulator_harness.VENV_DIR = folder
    yield folder
    emulator_harness.VENV_DIR = None
