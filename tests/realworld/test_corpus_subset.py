"""CI's slice of the real-world corpus: six projects whose handlers make no call off this
machine (DynamoDB goes to the emulator's moto), each started as `nox -s realworld` starts it.

FLOOR holds what passes today; a regression fails here. When the emulator serves more, raise
the floor to the new figures (`python tools/realworld.py <project>` prints them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.realworld import corpus_projects
from tools.realworld_run import Outcome, run_emulator

pytestmark = [pytest.mark.realworld, pytest.mark.integration]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    projects = corpus_projects(list(FLOOR))
    return {p.name: run_emulator(p, start_timeout=60) for p in projects}


# project: (routes declared, starts, routes served, answered by the handler), as of 2026-11-30
FLOOR: dict[str, tuple[int, bool, int, int]] = {
    "aws-python-rest-api": (1, True, 1, 1),
    "offline-python-module": (1, True, 1, 1),
    "aws-python-http-api": (1, True, 1, 1),
    # the other handlers raise on the probe (no body, an unknown id): 500, as on AWS
    "aws-python-http-api-with-dynamodb": (5, True, 5, 2),
    "aws-python-rest-api-with-dynamodb": (5, True, 5, 2),
    # serverless-lift's queue, its worker fed by the SQS poller, a handler pinning boto3 1.26
    "aws-python-sqs-worker": (1, True, 1, 1),
}


@pytest.mark.parametrize("project", list(FLOOR))
def test_the_emulator_serves_at_least_what_it_served_before(
        outcomes: dict[str, Outcome], project: str) -> None:
    outcome = outcomes[project]
    routes, starts, served, answered = FLOOR[project]
    assert len(outcome.declared.routes) == routes, outcome.declared
    if starts:
        assert outcome.start_error is None, outcome.start_error
    assert outcome.served >= served, [(p.route.label(), p.status, p.detail)
                                      for p in outcome.probes]
    assert outcome.answered >= answered, [(p.route.label(), p.status, p.kind, p.detail)
                                          for p in outcome.probes]


@pytest.mark.parametrize("project", list(FLOOR))
def test_no_project_makes_the_emulator_print_a_traceback(
        outcomes: dict[str, Outcome], project: str) -> None:
    assert outcomes[project].traceback is None


def test_the_subset_is_part_of_the_corpus() -> None:
    assert all((Path(__file__).parent / name / "SOURCE.md").is_file() for name in FLOOR)
