"""Start a tool on one corpus project, request every declared route once, stop it.

The tool is a process that prints a "ready" line naming where it listens (the emulator's
`Ready: http://127.0.0.1:PORT/dev`, serverless-offline's `Server ready: http://...`). A
process that exits, or prints no ready line in time, is a start error: its first error line
is kept, and the last line of any Python traceback it printed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.realworld_probe import Kind, Probe, probe
from tools.realworld_routes import Declared, declared_routes, find_config

STAGE = "dev"
START_TIMEOUT_S = 120.0
_ERROR_LINE = re.compile(r"^\s*(error|Error|fatal|Fatal|✖|\S*Error:)")
_NOISE = re.compile(r"^\s*$|^(warning|note|Running |Starting |DEBUG|Serverless: Deprecation)")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A tool on a project: how it started and what each route answered."""

    project: str
    tool: str
    declared: Declared
    start_error: str | None = None  # the first error line when the tool did not get ready
    traceback: str | None = None  # the last line of a Python traceback it printed, if any
    probes: tuple[Probe, ...] = ()
    seconds: float = 0.0

    def count(self, *kinds: Kind) -> int:
        return sum(1 for p in self.probes if p.kind in kinds)

    @property
    def served(self) -> int:
        return sum(1 for p in self.probes if p.served)

    @property
    def answered(self) -> int:
        return self.count(Kind.HANDLER)


@dataclass(slots=True)
class _Output:
    """Lines a process prints, collected by a reader thread."""

    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False

    def pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self.changed:
                self.lines.append(str(line).rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str] | None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    if match := pattern.search(line):
                        return match
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    return None
                self.changed.wait(left)


def first_error(lines: Sequence[str], folder: Path | None = None) -> str:
    """Return the line that best says why a tool did not start (paths relative to folder)."""
    found = _framework_error(lines) or next((ln for ln in lines if _ERROR_LINE.match(ln)), None)
    if found is None:
        meaningful = [line for line in lines if not _NOISE.match(line)]
        found = meaningful[0] if meaningful else "exited without output"
    if folder is not None:
        found = found.replace(f"{folder}{os.sep}", "")
    return found.strip()[:240]


def _framework_error(lines: Sequence[str]) -> str | None:
    """Return the Serverless Framework's message: the lines after its bare `Error:` line."""
    for i, line in enumerate(lines):
        if line.strip() == "Error:":
            message = []
            for follow in lines[i + 1:]:
                if not follow.strip():
                    break
                message.append(follow.strip())
            return " ".join(message) or None
    return None


def last_traceback(lines: Sequence[str]) -> str | None:
    """Return the exception line of the last Python traceback in the output, if any."""
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent")]
    if not starts:
        return None
    tail = lines[starts[-1] + 1:]
    files = [line.strip() for line in tail if line.strip().startswith("File ")]
    errors = [line for line in tail if line and not line.startswith((" ", "\t", "Traceback"))]
    where = files[-1] if files else ""
    return f"{errors[0].strip() if errors else '?'} ({where})"[:300]


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop like Ctrl-C; then the whole process group (it is ours: start_new_session)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_tool(project: Path, tool: str, argv: Sequence[str], ready: re.Pattern[str],
             env: Mapping[str, str], *, cwd: Path, declared: Declared | None = None,
             start_timeout: float = START_TIMEOUT_S) -> Outcome:
    """Start argv in cwd, wait for `ready` (group 1: the URL), probe every route, stop."""
    declared = declared or declared_routes(project)
    began = time.monotonic()
    proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), text=True, errors="replace",
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    output = _Output()
    reader = threading.Thread(target=output.pump, args=(proc.stdout,), daemon=True)
    reader.start()
    try:
        match = output.wait_for(ready, start_timeout)
        if match is None:
            _stop(proc)
            reader.join(5)
            return Outcome(project.name, tool, declared, first_error(output.lines, cwd.parent),
                           last_traceback(output.lines), seconds=time.monotonic() - began)
        origin = _origin(match.group(1))
        probes = tuple(probe(_base(origin, route.api, output.lines), route, STAGE, tool)
                       for route in declared.routes)
    finally:
        _stop(proc)
        reader.join(5)
        if proc.stdout is not None:
            proc.stdout.close()
    return Outcome(project.name, tool, declared, None, last_traceback(output.lines), probes,
                   time.monotonic() - began)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_HTTP_API_LINE = re.compile(r"HTTP API[^:]*:\s*(https?://\S+)")


def _base(origin: str, api: str, lines: Sequence[str]) -> str:
    """REST routes at the ready origin; HTTP API routes where the tool says it serves them."""
    if api == "http":
        for line in lines:
            if match := _HTTP_API_LINE.search(line):
                return _origin(match.group(1))
    return origin


# --- the emulator ----------------------------------------------------------------------------

EMULATOR_READY = re.compile(r"^Ready: (\S+)")


def emulator_env() -> dict[str, str]:
    """This environment without AWS settings: no profile or key of the user's reaches a run."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLS_"))}


def _emulator_argv(project: Path) -> list[str]:
    config = find_config(project) or project / "serverless.yml"
    return [sys.executable, "-m", "emulator", "--config", str(config), "--stage", STAGE,
            "--port", "0", "--in-memory", "--no-reload"]


def run_emulator(project: Path, start_timeout: float = START_TIMEOUT_S) -> Outcome:
    """Start `python -m emulator` on the project with no inputs beyond --stage dev."""
    return run_tool(project, "emulator", _emulator_argv(project), EMULATOR_READY,
                    emulator_env(), cwd=project, start_timeout=start_timeout)


def warm_emulator(project: Path, start_timeout: float = 300.0) -> None:
    """Start the emulator once and stop it at Ready: its handler virtualenv gets built (PyPI)."""
    proc = subprocess.Popen(_emulator_argv(project), cwd=project, env=emulator_env(), text=True,
                            errors="replace", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    output = _Output()
    reader = threading.Thread(target=output.pump, args=(proc.stdout,), daemon=True)
    reader.start()
    try:
        output.wait_for(EMULATOR_READY, start_timeout)
    finally:
        _stop(proc)
        reader.join(5)
        if proc.stdout is not None:
            proc.stdout.close()
