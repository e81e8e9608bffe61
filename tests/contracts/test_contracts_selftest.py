"""Proof that the contract suite finds real defects: each broken handler is caught by its check.

Each variant is a copy of api/ plus one module of tests/contracts/broken/ wired in by a copy of
serverless.yml, served by the real `python -m emulator` that `python -m contracts` starts and
stops. The unbroken handlers must pass. Runs go three at a time to fit CI's time.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).resolve().parent / "broken"
MAX_EXAMPLES = "10"
SEED = "1"
PARALLEL_RUNS = 3
RUN_TIMEOUT_S = 300

# variant (a module in broken/, or "unbroken") -> the check that must report it
EXPECTED = {
    "upsert_on_update": "update_never_creates",
    "delete_keeps_item": "use_after_free",
    "create_answers_200": "status_code_conformance",
    "errors_without_cors": "cors_header_on_handler_replies",
    "crash_on_decimal": "not_a_server_error",
    "list_drops_next_token": "created_review_is_listed",
    "numeric_review_accepted": "negative_data_rejection",
    "update_keeps_updated_at": "update_moves_updated_at",
}
SUMMARY_FAILURE = re.compile(r"^  (\w+): (\d+)$")

pytestmark = pytest.mark.integration


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    junit: Path

    def failed_checks(self) -> dict[str, int]:
        """Failures by check, read from the summary `python -m contracts` prints."""
        summary = self.stdout[self.stdout.rindex("=== contracts summary ===") :]
        return {
            m.group(1): int(m.group(2))
            for line in summary.splitlines()
            if (m := SUMMARY_FAILURE.match(line))
        }


def handlers_of(variant: str) -> dict[str, str]:
    """The module's HANDLERS: serverless function key -> attribute, read without importing it."""
    tree = ast.parse((BROKEN / f"{variant}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HANDLERS":
            value: dict[str, str] = ast.literal_eval(node.value)
            return value
    raise AssertionError(f"{variant}.py has no HANDLERS")


def build_service(variant: str, root: Path) -> Path:
    """api/ + broken/ + serverless.yml with the variant's functions pointing at it."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "api", root / "api", ignore=ignore)
    shutil.copytree(BROKEN, root / "broken", ignore=ignore)
    config = yaml.safe_load((REPO / "serverless.yml").read_text(encoding="utf-8"))
    if variant != "unbroken":
        for function, attribute in handlers_of(variant).items():
            config["functions"][function]["handler"] = f"broken/{variant}.{attribute}"
    path = root / "serverless.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_contracts(config: Path) -> Outcome:
    junit = config.parent / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "contracts",
        "--config",
        str(config),
        "--seed",
        SEED,
        "--max-examples",
        MAX_EXAMPLES,
        "--junit-xml",
        str(junit),
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    return Outcome(done.returncode, done.stdout, done.stderr, junit)


def selected_variants(request: pytest.FixtureRequest) -> list[str]:
    names = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec is not None:
            names.append(callspec.params["variant"])
    return sorted(set(names))


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[Outcome]]]:
    """Start every selected variant's run now; each test waits for its own.

    The services live in a TemporaryDirectory of their own, not in pytest's tmp_path: pytest
    prunes old basetemp folders when other pytest processes start, even mid-run.
    """
    with (
        tempfile.TemporaryDirectory(prefix="contracts-selftest-") as tmp,
        ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool,
    ):
        yield {
            name: pool.submit(run_contracts, build_service(name, Path(tmp) / name))
            for name in selected_variants(request)
        }


def outcome_of(outcomes: dict[str, Future[Outcome]], variant: str) -> Outcome:
    outcome = outcomes[variant].result()
    assert "=== contracts summary ===" in outcome.stdout, outcome.stdout + outcome.stderr
    return outcome


@pytest.mark.parametrize("variant", ["unbroken"])
def test_unbroken_handlers_pass(outcomes: dict[str, Future[Outcome]], variant: str) -> None:
    outcome = outcome_of(outcomes, variant)
    assert outcome.returncode == 0, outcome.stdout[-6000:]
    assert outcome.failed_checks() == {}
    assert "status:     passed" in outcome.stdout
    cleaned = re.search(r"^cleanup:    (\d+) review\(s\) deleted", outcome.stdout, re.MULTILINE)
    assert cleaned and int(cleaned.group(1)) > 0
    assert "NOT deleted" not in outcome.stdout
    # --in-memory: no tables saved (the handlers' virtualenv is a cache, kept in .emulator/venvs)
    assert not list((outcome.junit.parent / ".emulator").glob("*.json"))
    assert "drift: serverless.yml and openapi.yaml declare the same routes" in outcome.stdout
    suites = ET.parse(outcome.junit).getroot()
    assert suites.findall(".//failure") == []
    names = {case.get("name") for case in suites.findall(".//testcase")}
    assert {"POST /reviews", "GET /reviews", "GET /reviews/{id}"} <= names


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_broken_handler_is_reported_by_its_check(
    outcomes: dict[str, Future[Outcome]], variant: str
) -> None:
    outcome = outcome_of(outcomes, variant)
    assert outcome.returncode == 1, outcome.stdout[-6000:]
    assert EXPECTED[variant] in outcome.failed_checks(), outcome.stdout[-6000:]
    # A failure can be repeated: the request as curl, and the seed with the command.
    assert "curl -X" in outcome.stdout
    assert f"seed:       {SEED}" in outcome.stdout
    assert "repeat:     python -m contracts" in outcome.stdout
    assert ET.parse(outcome.junit).getroot().findall(".//failure")
