"""One contract run: schemathesis's `run` command, driven in-process, with our checks and state.

Why the CLI and not `schema.parametrize()` or the bare engine: `schemathesis run` already has
every phase (examples, coverage with negative data and undeclared-method probes, fuzzing,
stateful through the links), keep-alive connections (which found bugs pytest's `case.call()`
missed), seeds, curl reproductions, a summary and the JUnit report. In the same process, our
checks and `after_call` hook are registered once, share the run's state, and the caller's
`finally` can clean up whatever happens. The CLI's documented extension points are used:
`@schemathesis.check`, `@schemathesis.hook`, `schemathesis.auth.set_from_requests` and a
`@schemathesis.cli.handler()` that collects the numbers and every failure for our own
summary and JUnit report. Schemathesis's console output is kept (printed with --verbose, or
when the run could not start), not printed by default: one failing check can fill thousands of
lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import signal
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import click
import hypothesis.configuration
import requests
import schemathesis
import schemathesis.cli
from schemathesis.auths import GLOBAL_AUTH_STORAGE
from schemathesis.cli.commands.run.handlers.base import EventHandler
from schemathesis.engine import events

from contracts import settings
from contracts.client import ApiClient, TokenAuth
from contracts.identities import Credentials
from contracts.project import Project
from contracts.state import RunState, activate

REPLY_CHARS = 300  # of a failing reply's body, in its finding
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT, as schemathesis exits on Ctrl-C


@dataclass(frozen=True, slots=True)
class RunOptions:
    base_url: str
    spec: Path
    seed: int
    max_examples: int
    headers: tuple[tuple[str, str], ...] = ()
    auth: requests.auth.AuthBase | None = None
    read_only: bool = False
    verbose: bool = False
    credentials: Credentials | None = None  # the identities' tokens, when the spec needs them
    unauthenticated: tuple[str, ...] = ()  # "METHOD /path" whose scheme the harness cannot meet
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True, slots=True)
class Finding:
    """One unique failure: which check, on what, why, and the request that shows it."""

    check: str
    operation: str
    message: str
    curl: str = ""
    reply: tuple[str, str, int] | None = None  # (method, path, status) of the failing reply
    console: tuple[str, ...] = ()  # what the emulator's console said about that reply


@dataclass(slots=True)
class RunResult:
    exit_code: int = 2
    operations: int = 0
    examples: int = 0
    findings: list[Finding] = field(default_factory=list)
    output: str = ""  # schemathesis's own console output

    @property
    def failures(self) -> Counter[str]:
        """Unique failures by check name."""
        return Counter(f.check for f in self.findings)


_collected: list[RunResult] = []


@schemathesis.cli.handler()
class SummaryCollector(EventHandler[Any]):
    """Copies the run's numbers out of schemathesis's statistics when the run ends."""

    def __init__(self, *args: Any, **params: Any) -> None:
        self.errors: list[Finding] = []

    def handle_event(self, ctx: Any, event: Any) -> None:
        if isinstance(event, events.NonFatalError):
            message = f"{event.info.title}: {event.info.message}".splitlines()[0]
            self.errors.append(Finding("errors", event.label, message))

    def shutdown(self, ctx: Any) -> None:
        stats = ctx.statistic
        result = RunResult(
            exit_code=int(ctx.exit_code),
            operations=len(stats.tested_operations),
            examples=int(stats.total_cases),
            findings=[*findings(stats), *self.errors],
        )
        _collected.append(result)


def findings(stats: Any) -> list[Finding]:
    """Every unique failure in schemathesis's statistics, named by the check that raised it."""
    check_of = dict(stats.observed_failures.values())  # failure -> check name
    found = []
    for label, groups in sorted(stats.failures.items()):
        for group in groups.values():
            for failure in group.failures:
                message = " ".join(f"{failure.title}: {failure.message}".split())
                if not failure.message.strip() and group.response is not None:
                    # ST101 "Server error" has no message: say what the server answered
                    message = f"{failure.title}: {reply_text(group.response)}"
                found.append(
                    Finding(check_of.get(failure, "unknown"), failure.operation or label,
                            message, group.code_sample or "", reply_of(group.response))
                )
    return found


def reply_text(response: Any) -> str:
    """`502 {"message": "Internal server error"}`: the status and the body, on one line."""
    body = bytes(response.content or b"").decode("utf-8", "replace")
    text = " ".join(body.split()) or "(empty body)"
    return f"{response.status_code} {text[:REPLY_CHARS]}"


def reply_of(response: Any) -> tuple[str, str, int] | None:
    """(method, path, status) of a reply, as the emulator's access line shows them."""
    request = getattr(response, "request", None)
    if response is None or request is None or not request.url:
        return None
    return str(request.method), urlsplit(str(request.url)).path, int(response.status_code)


def argv(options: RunOptions, config_file: Path) -> list[str]:
    """The `schemathesis` command line of this run."""
    args = [
        "--config-file",
        str(config_file),
        "run",
        str(options.spec),
        "--url",
        options.base_url,
        "--seed",
        str(options.seed),
        "--max-examples",
        str(options.max_examples),
        "--phases",
        ",".join(options.phases),
        "--warnings",
        "off",
    ]
    for name, value in options.headers:
        args += ["--header", f"{name}: {value}"]
    if options.read_only:
        args += ["--include-method", "GET"]
    for operation in options.unauthenticated:  # auth_required alone sends them requests
        args += ["--exclude-name", operation]
    return args


def run_auth(options: RunOptions) -> requests.auth.AuthBase | None:
    """The run's auth: the first identity's token (then SigV4, if asked), else SigV4 alone."""
    creds = options.credentials
    if creds is None:
        return options.auth
    ((name, value),) = creds.header(creds.identities[0].token).items()
    return TokenAuth(name, value, options.auth)


def run(options: RunOptions, project: Project, state: RunState) -> RunResult:
    """Run schemathesis against the base URL, recording into `state`; return the numbers."""
    if state.model.access.protected:  # a request that leaves out its credential: 401 or 403
        extra = tuple(c for c in ("401", "403") if c not in project.rejected_statuses)
        project = dataclasses.replace(project, rejected_statuses=(*project.rejected_statuses,
                                                                  *extra))
    auth = run_auth(options)
    if auth is not None:
        GLOBAL_AUTH_STORAGE.set_from_requests(auth)
    state.client = ApiClient(options.base_url, dict(options.headers), auth)
    state.credentials = options.credentials
    activate(state)
    _collected.clear()
    output = _Tee(sys.stdout if options.verbose else None)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="contracts-") as tmp,
            _Interrupts() as interrupts,
            contextlib.redirect_stdout(output),
        ):
            config_file = settings.write(Path(tmp), project, read_only=options.read_only)
            # Hypothesis keeps its own files (.hypothesis/) in the working directory otherwise.
            hypothesis.configuration.set_hypothesis_home_dir(Path(tmp) / "hypothesis")
            exit_code = _invoke(argv(options, config_file))
    finally:
        hypothesis.configuration.set_hypothesis_home_dir(None)
        activate(None)
        GLOBAL_AUTH_STORAGE.unregister()
    result = _collected[-1] if _collected else RunResult()
    result.output = output.getvalue()
    if options.credentials is not None:  # no token in a report, a curl line or JUnit
        redact = options.credentials.redact
        result.output = redact(result.output)
        result.findings = [dataclasses.replace(f, message=redact(f.message),
                                               curl=redact(f.curl))
                           for f in result.findings]  # the reply stays: its console lines
    # A Ctrl-C that lands in a weakref callback or __del__ is printed and dropped by Python
    # ("Exception ignored in ..."), and the run goes on to the end: it was still interrupted.
    result.exit_code = EXIT_INTERRUPTED if interrupts.seen and exit_code == 0 else exit_code
    return result


class _Tee(io.StringIO):
    """Keeps everything written; also passes it on to `echo` when given (--verbose)."""

    def __init__(self, echo: TextIO | None) -> None:
        super().__init__()
        self.echo = echo

    def write(self, text: str) -> int:
        if self.echo is not None:
            self.echo.write(text)
            self.echo.flush()
        return super().write(text)

    def isatty(self) -> bool:
        return False


class _Interrupts:
    """Within the block, notes every SIGINT, then lets the usual KeyboardInterrupt happen."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _note(self, signum: int, frame: Any) -> None:
        self.seen = True
        if callable(self._previous):
            self._previous(signum, frame)
        else:
            raise KeyboardInterrupt


def _invoke(args: list[str]) -> int:
    try:
        schemathesis.cli.schemathesis.main(
            args=args, prog_name="schemathesis", standalone_mode=False
        )
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 1
    return 0
