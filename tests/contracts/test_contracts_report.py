"""The summary, the JUnit report and the exit status tell the same story."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from contracts import coverage, report
from contracts.cleanup import CleanupReport
from contracts.drift import Drift
from contracts.runner import Finding, RunResult

DECLARED = {
    "POST /things": frozenset({"201", "400", "500"}),
    "GET /things/{id}": frozenset({"200", "404", "default"}),
}
ALL_REACHED = {
    "POST /things": Counter({201: 3, 400: 2}),
    "GET /things/{id}": Counter({200: 1, 404: 4}),
}
CHECKS = ("not_a_server_error", "write_read_back")


def outcome(**changes: object) -> report.Outcome:
    values: dict[str, object] = {
        "result": RunResult(exit_code=0, operations=2, examples=10),
        "cleanup": CleanupReport(deleted=3),
        "drift": Drift(frozenset(), frozenset()),
        "coverage": coverage.measure(DECLARED, ALL_REACHED),
        "checks": CHECKS,
        "url": "http://127.0.0.1:1/dev",
        "seed": 7,
    }
    values.update(changes)
    return report.Outcome(**values)  # type: ignore[arg-type]


def junit(done: report.Outcome, tmp_path: Path) -> ET.Element:
    path = tmp_path / "junit.xml"
    report.write_junit(done, path)
    return ET.parse(path).getroot()


def failed_cases(root: ET.Element) -> set[str]:
    return {c.get("name", "") for c in root.iter("testcase") if c.find("failure") is not None}


def test_a_passing_run_says_passed_first_and_everywhere(tmp_path: Path) -> None:
    done = outcome()
    lines = report.summary(done)
    assert lines[0].startswith("contracts PASSED")
    assert done.verdict() == report.EXIT_OK
    root = junit(done, tmp_path)
    assert root.get("failures") == "0"
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == [*CHECKS, "drift", "coverage", "cleanup", "run"]
    assert not any("repeat:" in line for line in lines)


BROKEN = {
    "drift": ({"drift": Drift(frozenset({("GET", "/x")}), frozenset())}, "drift"),
    "a check": (
        {"result": RunResult(exit_code=1, operations=2, examples=10, findings=[
            Finding("write_read_back", "POST /things", "note: sent 'a', got '<missing>'",
                    "curl -X POST http://127.0.0.1:1/dev/things")])},
        "write_read_back",
    ),
    "coverage": ({"coverage": coverage.measure(DECLARED, {}), "min_coverage": 50.0}, "coverage"),
    "cleanup": ({"cleanup": CleanupReport(deleted=1, left=["t_1"])}, "cleanup"),
    "an unexplained schemathesis exit": (
        {"result": RunResult(exit_code=1, operations=2, examples=10)}, "run"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_any_failure_fails_the_summary_the_junit_report_and_the_exit_status(
    tmp_path: Path, name: str
) -> None:
    changes, case = BROKEN[name]
    done = outcome(**changes)
    lines = report.summary(done)
    assert lines[0].startswith("contracts FAILED")
    assert not any("failures:   none" in line for line in lines) or case != "write_read_back"
    assert done.verdict() == report.EXIT_FAILED
    root = junit(done, tmp_path)
    assert failed_cases(root) == {case}
    assert root.get("failures") == "1"
    assert any(line.startswith("repeat:     python -m contracts") for line in lines)


def test_a_check_failure_is_shown_with_its_request() -> None:
    done = outcome(**BROKEN["a check"][0])
    lines = report.summary(done)
    assert "  write_read_back: 1" in lines
    assert "    POST /things: note: sent 'a', got '<missing>'" in lines
    assert "      curl -X POST http://127.0.0.1:1/dev/things" in lines


def test_a_run_that_tested_nothing_is_an_error() -> None:
    done = outcome(result=RunResult(exit_code=2, operations=0))
    assert done.verdict() == report.EXIT_USAGE
    assert report.summary(done)[0].startswith("contracts ERROR")


def test_coverage_leaves_5xx_and_default_out_and_names_what_is_missing(tmp_path: Path) -> None:
    cov = coverage.measure(DECLARED, {"POST /things": Counter({201: 1, 502: 1})})
    assert (cov.reached, cov.required) == (1, 4)
    assert cov.percent == 25.0
    post = cov.rows[0]
    assert post.operation == "POST /things"
    assert (post.missing, post.undeclared) == (("400",), (502,))
    cov.write(tmp_path / "coverage.json")
    data = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    assert data["percent"] == 25.0
    assert data["operations"][0]["produced"] == {"201": 1, "502": 1}
    assert any("(undeclared: 502)" in line for line in cov.table())


def test_ranges_match_any_status_of_their_class() -> None:
    cov = coverage.measure({"GET /a": frozenset({"2XX", "404"})}, {"GET /a": Counter({204: 1})})
    assert cov.rows[0].missing == ("404",)


def test_auth_outcomes_are_counted_declared_and_reached() -> None:
    declared = {"PUT /a/{id}": frozenset({"200", "401", "403"}), "POST /a": frozenset({"401"})}
    cov = coverage.measure(declared, {"PUT /a/{id}": Counter({200: 3, 401: 5})})
    assert cov.auth == (1, 3)
    assert cov.as_json()["auth"] == {"reached": 1, "declared": 3}
