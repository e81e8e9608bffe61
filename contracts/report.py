"""What a run prints at the end, the JUnit report, and the exit status: all from one Outcome.

The console summary's first line says PASSED or FAILED, and so does the exit status; the JUnit
report has one test case per check family plus drift, coverage, cleanup and the run itself, so
a failure anywhere is a failure in all three. Details of each failure (at most a few per check
here; all of them in the JUnit report; schemathesis's own output with --verbose).
"""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts.cleanup import CleanupReport
from contracts.coverage import Coverage
from contracts.drift import Drift
from contracts.runner import EXIT_INTERRUPTED, Finding, RunResult

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "Outcome"]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHOWN_PER_CHECK = 2
MESSAGE_CHARS = 220


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything a finished run knows, for the summary, the JUnit report and the verdict."""

    result: RunResult
    cleanup: CleanupReport
    drift: Drift | None  # None: skipped (no serverless.yml)
    coverage: Coverage | None
    checks: tuple[str, ...]  # every check the run performed
    url: str
    seed: int
    argv: Sequence[str] = ()
    min_coverage: float | None = None
    files: tuple[str, str] = ("serverless.yml", "openapi.yaml")
    baseline: tuple[str, tuple[str, ...]] | None = None  # (git ref, breaking changes since)
    listings: tuple[str, ...] = ()  # how each listing was walked, or why not
    identities: tuple[str, ...] = ()  # the identities the run used (labels), bad tokens unsent
    auth_notes: tuple[str, ...] = ()  # security the run could not satisfy

    @property
    def coverage_ok(self) -> bool:
        return (
            self.min_coverage is None
            or (self.coverage is not None and self.coverage.percent >= self.min_coverage)
        )

    @property
    def unexplained_exit(self) -> bool:
        """Schemathesis failed the run, but reported no failure we could name."""
        return self.result.exit_code not in (0, EXIT_INTERRUPTED) and not self.result.findings

    def problems(self) -> list[str]:
        """What makes the run fail, one short phrase each."""
        found = []
        if self.result.findings:
            failures = self.result.failures
            found.append(f"{sum(failures.values())} failure(s) in {len(failures)} check(s)")
        if self.drift is not None and not self.drift.ok:
            found.append("drift")
        if not self.coverage_ok:
            found.append("coverage below the minimum")
        if self.cleanup.left:
            found.append("cleanup left resources behind")
        if self.baseline is not None and self.baseline[1]:
            found.append(f"breaking changes since {self.baseline[0]}")
        if self.unexplained_exit:
            found.append(f"schemathesis exited {self.result.exit_code}")
        return found

    def verdict(self) -> int:
        """The exit status of a run that reached its target."""
        if self.result.exit_code == EXIT_INTERRUPTED:
            return EXIT_INTERRUPTED
        if self.result.operations == 0 and not self.result.findings:
            return EXIT_USAGE
        return EXIT_FAILED if self.problems() else EXIT_OK


STATUS = {EXIT_OK: "PASSED", EXIT_FAILED: "FAILED", EXIT_USAGE: "ERROR: nothing was tested",
          EXIT_INTERRUPTED: "INTERRUPTED"}


def summary(outcome: Outcome) -> list[str]:
    """The console summary: PASSED or FAILED first, then what ran, failures, coverage, cleanup."""
    r = outcome.result
    status = STATUS[outcome.verdict()]
    why = "; ".join(outcome.problems())
    lines = [
        f"contracts {status}: {r.operations} operations, {r.examples} cases, "
        f"{len(outcome.checks)} checks" + (f" ({why})" if why else ""),
        f"target:     {outcome.url}",
    ]
    lines += [f"{'listings:' if i == 0 else '':<12}{text}"
              for i, text in enumerate(outcome.listings)]
    lines += [f"{'identities:' if i == 0 else '':<12}{text}"
              for i, text in enumerate(outcome.identities)]
    lines += [f"{'auth:' if i == 0 else '':<12}{text}" for i, text in enumerate(outcome.auth_notes)]
    lines += _drift_lines(outcome)
    lines += _failure_lines(r.findings)
    lines += _coverage_lines(outcome)
    c = outcome.cleanup
    lines.append(
        f"cleanup:    {c.deleted} resource(s) deleted, {c.gone} already gone"
        + (f", NOT deleted: {' '.join(c.left)}" if c.left else "")
    )
    if outcome.baseline is not None:
        ref, breaking = outcome.baseline
        lines.append(f"baseline:   {ref}: {len(breaking)} breaking change(s) in the spec since; "
                     f"this run tested the spec as it was at {ref}")
        lines += [f"  {line}" for line in breaking]
    lines.append(f"seed:       {outcome.seed}")
    if status != "PASSED":
        rerun = ["python", "-m", "contracts", *_without_seed(outcome.argv), "--seed",
                 str(outcome.seed)]
        lines.append(f"repeat:     {shlex.join(rerun)}  (-v for schemathesis's full report)")
    return lines


def _drift_lines(outcome: Outcome) -> list[str]:
    deployed, spec = outcome.files
    if outcome.drift is None:
        return [f"drift:      skipped ({deployed} not found)"]
    if outcome.drift.ok:
        return [f"drift:      ok ({deployed} and {spec} declare the same routes)"]
    text = outcome.drift.describe(Path(deployed), Path(spec))
    return ["drift:      FAILED", *(f"  {line}" for line in text.splitlines())]


def _failure_lines(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["failures:   none"]
    lines = ["failures:"]
    by_check: dict[str, list[Finding]] = {}
    for f in findings:
        by_check.setdefault(f.check, []).append(f)
    for check, found in sorted(by_check.items()):
        lines.append(f"  {check}: {len(found)}")
        for f in found[:SHOWN_PER_CHECK]:
            lines.append(f"    {f.operation}: {f.message[:MESSAGE_CHARS]}")
            if f.curl.strip():
                # A stateful failure's sample is the whole sequence: its last request failed.
                lines.append(f"      {f.curl.strip().splitlines()[-1][:MESSAGE_CHARS]}")
            lines += [f"      emulator: {line[:MESSAGE_CHARS]}" for line in f.console]
    return lines


def _coverage_lines(outcome: Outcome) -> list[str]:
    cov = outcome.coverage
    if cov is None:
        return []
    floor = "" if outcome.min_coverage is None else f", minimum {outcome.min_coverage:g}%"
    head = (
        f"coverage:   {cov.percent:.0f}% of declared responses reached "
        f"({cov.reached}/{cov.required}; 5xx not required{floor})"
    )
    reached, declared = cov.auth
    if declared:
        head += f"; 401/403: {reached}/{declared} declared reached"
    return [head, *cov.table()]


def write_junit(outcome: Outcome, path: Path) -> None:
    """One test case per check family, plus drift, coverage, cleanup and the run itself."""
    cases: list[tuple[str, str, str | None]] = []  # (class, name, failure text or None)
    by_check: dict[str, list[Finding]] = {}
    for f in outcome.result.findings:
        by_check.setdefault(f.check, []).append(f)
    for check in [*outcome.checks, *sorted(set(by_check) - set(outcome.checks))]:
        found = by_check.get(check) or []
        details = "\n\n".join(f"{f.operation}: {f.message}\n{f.curl}"
                              + "".join(f"\nemulator: {line}" for line in f.console)
                              for f in found)
        cases.append(("contracts.checks", check, details or None))
    drift = outcome.drift
    cases.append(("contracts", "drift", None if drift is None or drift.ok
                  else drift.describe(Path(outcome.files[0]), Path(outcome.files[1]))))
    cov = outcome.coverage
    cases.append(("contracts", "coverage", None if outcome.coverage_ok else
                  f"{cov.percent if cov else 0:.1f}% < {outcome.min_coverage}%"))
    cases.append(("contracts", "cleanup", None if not outcome.cleanup.left else
                  "not deleted: " + " ".join(outcome.cleanup.left)))
    if outcome.baseline is not None:
        cases.append(("contracts", "breaking_changes", "\n".join(outcome.baseline[1]) or None))
    run_failure = (f"schemathesis exited {outcome.result.exit_code}" if outcome.unexplained_exit
                   else "nothing was tested" if outcome.result.operations == 0 else None)
    cases.append(("contracts", "run", run_failure))
    failures = sum(1 for *_, text in cases if text is not None)
    root = ET.Element("testsuites", tests=str(len(cases)), failures=str(failures), errors="0")
    suite = ET.SubElement(root, "testsuite", name="contracts", tests=str(len(cases)),
                          failures=str(failures), errors="0", skipped="0")
    for classname, name, text in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        if text is not None:
            first = text.splitlines()[0] if text else name
            failure = ET.SubElement(case, "failure", message=first[:MESSAGE_CHARS])
            failure.text = text
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _without_seed(argv: Sequence[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
        elif item == "--seed":
            skip = True
        elif not item.startswith("--seed="):
            kept.append(item)
    return kept
