"""`python -m contracts parity`: two real emulators, one with a deliberately different handler."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from contracts import model, parity, target

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The reviews API as it is, and a copy whose listing answers 202 instead of 200 (a step
    parity takes without a token: its writes need the user pool's, and it sends none)."""
    root = tmp_path_factory.mktemp("parity")
    shutil.copytree(REPO / "api", root / "api", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(HERE / "broken", root / "broken", ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((REPO / "serverless.yml").read_text(encoding="utf-8"))
    config["functions"]["list"]["handler"] = "broken/list_answers_202.list_reviews"
    (root / "serverless.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with target.Emulator(REPO / "serverless.yml") as same, target.Emulator(
        root / "serverless.yml"
    ) as different:
        yield same.base_url, different.base_url


def test_the_sequence_comes_from_the_spec() -> None:
    names = [s.name for s in parity.steps(model.load(REPO / "openapi.yaml"))]
    assert names == [
        "create /reviews", "invalid create /reviews", "read /reviews/{id}", "list /reviews",
        "update /reviews/{id}", "delete /reviews/{id}", "read deleted /reviews/{id}",
        "undeclared PATCH /reviews", "preflight /reviews",
    ]  # fmt: skip


def test_shapes_compare_keys_and_types_not_values() -> None:
    assert parity.shape({"id": "a", "n": [1, 2], "x": None}) == parity.shape(
        {"x": None, "n": [3], "id": "b"})  # fmt: skip
    assert parity.shape({"id": "a"}) != parity.shape({"id": 1})


def run(local: str, live: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contracts", "parity", "--local", local, "--live", live],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_stage_is_at_parity_with_itself(emulators: tuple[str, str]) -> None:
    same, _ = emulators
    done = run(same, same)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("contracts parity PASSED: 9 steps, 0 difference(s)")


def test_a_different_handler_is_reported_step_by_step(emulators: tuple[str, str]) -> None:
    same, different = emulators
    done = run(same, different)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("contracts parity FAILED: 9 steps, 1 difference(s)")
    assert lines[1] == "  list /reviews (GET): status local 200, live 202"


def test_a_prod_stage_is_refused_without_allow_writes() -> None:
    done = run("http://127.0.0.1:1/dev", "http://127.0.0.1:1/prod")
    assert done.returncode == 2
    assert "protected stage" in done.stdout
