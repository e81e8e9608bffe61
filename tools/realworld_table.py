"""The corpus results as a table (the tools side by side), as JSON, and as progress lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.realworld_run import Outcome

TOOLS = ("emulator", "offline")
TITLES = {"emulator": "emulator", "offline": "serverless-offline 13"}


@dataclass(frozen=True, slots=True)
class Printed:
    """`serverless print --stage dev` on a project: resolved, or the first error line."""

    project: str
    resolved: bool
    error: str | None


@dataclass(slots=True)
class Results:
    """Every tool's outcome per project, and `serverless print`'s verdicts."""

    outcomes: dict[str, dict[str, Outcome]] = field(
        default_factory=lambda: {tool: {} for tool in TOOLS})
    printed: list[Printed] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.tool][outcome.project] = outcome

    def tools(self) -> list[str]:
        return [tool for tool in TOOLS if self.outcomes[tool]]

    def projects(self) -> list[str]:
        return sorted({p for by_project in self.outcomes.values() for p in by_project})


def progress_line(outcome: Outcome) -> str:
    """One line per tool and project while the run goes on."""
    line = (f"  {outcome.tool:8} {outcome.project}: {outcome.served}/"
            f"{len(outcome.declared.routes)} served, {outcome.answered} by the handler "
            f"({outcome.seconds:.1f} s)")
    return line + (f"  start error: {outcome.start_error}" if outcome.start_error else "")


def _cells(outcome: Outcome | None) -> list[str]:
    if outcome is None:
        return ["-", "-", "-"]
    return [str(outcome.served), str(outcome.answered), "ERROR" if outcome.start_error else "ok"]


def _row(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    return "  ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:],
                                                                          strict=True))])


def _totals(results: Results, tool: str, names: list[str]) -> tuple[int, int, int, int]:
    """Return routes, served, answered and projects started for the tool over `names`."""
    found = [results.outcomes[tool][n] for n in names if n in results.outcomes[tool]]
    return (sum(len(o.declared.routes) for o in found), sum(o.served for o in found),
            sum(o.answered for o in found), sum(1 for o in found if o.start_error is None))


def render(results: Results) -> str:
    """Return the table, its totals, and every start error, traceback and print error."""
    tools, names = results.tools(), results.projects()
    printed = {p.project: p for p in results.printed}
    header = ["project", "routes"]
    for tool in tools:
        header += [f"{tool} served", "handler", "start"]
    header += ["print"] if printed else []
    rows = []
    for name in names:
        first = next(results.outcomes[t][name] for t in tools if name in results.outcomes[t])
        row = [name, str(len(first.declared.routes))]
        for tool in tools:
            row += _cells(results.outcomes[tool].get(name))
        if printed:
            row.append("yes" if name in printed and printed[name].resolved else "no")
        rows.append(row)
    total = ["TOTAL", str(_totals(results, tools[0], names)[0]) if tools else "0"]
    for tool in tools:
        _, served, answered, started = _totals(results, tool, names)
        total += [str(served), str(answered), f"{started}/{len(names)}"]
    total += [f"{sum(p.resolved for p in results.printed)}/{len(names)}"] if printed else []
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]
    lines = [_row(header, widths), *(_row(r, widths) for r in rows), _row(total, widths)]
    return "\n".join([*lines, "", *_summary(results, names, printed), *_errors(results, names)])


def _summary(results: Results, names: list[str], printed: dict[str, Printed]) -> list[str]:
    lines = []
    for tool in results.tools():
        routes, served, answered, started = _totals(results, tool, names)
        lines.append(f"{TITLES[tool]}: {started}/{len(names)} projects started; "
                     f"{served}/{routes} routes served, {answered} answered by the handler")
    if printed:
        resolved = [n for n in names if n in printed and printed[n].resolved]
        for tool in results.tools():
            routes, served, _, _ = _totals(results, tool, resolved)
            lines.append(f"  on the {len(resolved)} projects `serverless print --stage dev` "
                         f"resolves: {TITLES[tool]} serves {served}/{routes} routes")
    if {"emulator", "offline"} <= set(results.tools()):
        ours, theirs = (_totals(results, t, names)[1] for t in ("emulator", "offline"))
        ratio = f"{ours / theirs:.2f}x" if theirs else "n/a (serverless-offline served none)"
        lines.append(f"routes served, emulator / serverless-offline: {ratio}")
    return lines


def _errors(results: Results, names: list[str]) -> list[str]:
    lines: list[str] = []
    for tool in results.tools():
        errors = [f"  {n}: {o.start_error}" for n in names
                  if (o := results.outcomes[tool].get(n)) and o.start_error]
        lines += ["", f"{TITLES[tool]} start errors:", *errors] if errors else []
    # The emulator prefixes handler output with the function's name: an unprefixed traceback
    # is a crash of its own. (serverless-offline prints its handlers' tracebacks unprefixed.)
    tracebacks = [f"  {n}: {o.traceback}" for n in names
                  if (o := results.outcomes["emulator"].get(n)) and o.traceback]
    lines += ["", "emulator crashed with a traceback:", *tracebacks] if tracebacks else []
    failed = [f"  {p.project}: {p.error}" for p in results.printed if not p.resolved]
    lines += ["", "`serverless print --stage dev` did not resolve:", *failed] if failed else []
    return lines


def to_json(results: Results) -> dict[str, Any]:
    """Return every outcome and probe as plain data."""
    return {
        tool: [{
            "project": o.project, "routes": len(o.declared.routes), "served": o.served,
            "answered": o.answered, "start_error": o.start_error, "traceback": o.traceback,
            "read_problems": list(o.declared.problems), "seconds": round(o.seconds, 1),
            "probes": [{"route": p.route.label(), "status": p.status, "kind": p.kind.value,
                        "detail": p.detail} for p in o.probes],
        } for o in results.outcomes[tool].values()] for tool in results.tools()
    } | {"print": [{"project": p.project, "resolved": p.resolved, "error": p.error}
                   for p in results.printed]}
