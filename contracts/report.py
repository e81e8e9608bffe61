"""What a run prints at the end, and the exit status it ends with."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from contracts.cleanup import CleanupReport
from contracts.runner import EXIT_INTERRUPTED, RunResult

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "summarize", "verdict"]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
STATUS = {
    EXIT_OK: "passed",
    EXIT_FAILED: "FAILED",
    EXIT_USAGE: "ERROR: nothing was tested",
    EXIT_INTERRUPTED: "INTERRUPTED",
}


def summarize(
    result: RunResult,
    report: CleanupReport,
    drift_ok: bool,
    *,
    url: str,
    seed: int,
    argv: Sequence[str],
) -> None:
    """Print the run's summary: what ran, what failed, how to repeat it."""
    print("\n=== contracts summary ===")
    print(f"status:     {STATUS.get(verdict(result, report, drift_ok), 'FAILED')}")
    print(f"target:     {url}")
    print(f"operations: {result.operations}")
    print(f"examples:   {result.examples}")
    failures = sorted(result.failures.items())
    if not drift_ok:
        failures.insert(0, ("drift (serverless.yml vs openapi.yaml)", 1))
    print("failures:   " + ("none" if not failures else ""))
    for check, count in failures:
        print(f"  {check}: {count}")
    print(
        f"cleanup:    {report.deleted} review(s) deleted, {report.gone} already gone"
        + (f", NOT deleted: {' '.join(report.left)}" if report.left else "")
    )
    print(f"seed:       {seed}")
    if failures or result.exit_code:
        rerun = ["python", "-m", "contracts", *_without_seed(argv), "--seed", str(seed)]
        print(f"repeat:     {shlex.join(rerun)}")


def verdict(result: RunResult, report: CleanupReport, drift_ok: bool) -> int:
    """The exit status of a run that reached its target."""
    if result.exit_code in (EXIT_INTERRUPTED, EXIT_USAGE):
        return result.exit_code
    if result.exit_code or not drift_ok or report.left:
        return EXIT_FAILED
    return EXIT_USAGE if result.operations == 0 else EXIT_OK


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
