"""Start the real `python -m emulator` process and talk to it over real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIDELITY = REPO / "tests" / "fixtures" / "services" / "fidelity" / "serverless.yml"
REVIEW_API = REPO / "serverless.yml"
READY = re.compile(r"^Ready: (\S+)")
# The handlers' virtualenvs, shared by every emulator a test session starts (conftest.py sets
# it; each distinct set of inputs is built once per session, from uv's cache when it can be).
VENV_DIR: Path | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


class EmulatorProcess:
    """One `python -m emulator --port 0` process; stdout/stderr collected for assertions."""

    def __init__(self, config: Path, *args: str, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.config = config
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd or REPO
        self.output: list[str] = []
        self._changed = threading.Condition()
        self.base_url = ""
        self.proc: subprocess.Popen[str] | None = None
        self._tokens: dict[tuple[str, ...], str] = {}

    def start(self, timeout: float = 30) -> EmulatorProcess:
        """Start the emulator and return once it printed its Ready line."""
        own = {"--venv-dir", "--python", "--no-venv"} & set(self.args)
        shared = ["--venv-dir", str(VENV_DIR)] if VENV_DIR is not None and not own else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--config", str(self.config), "--port", "0",
             *shared, *self.args],
            cwd=self.cwd, env=self.env, text=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        line = self.wait_for(READY, timeout)
        match = READY.match(line)
        assert match, line
        self.base_url = match.group(1)
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.output.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.output.append("<exited>")
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = 10, start: int = 0) -> str:
        """Wait for an output line matching pattern (searched from line `start` on)."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        with self._changed:
            seen = start
            found: list[str] = []

            def ready() -> bool:
                nonlocal seen
                for line in self.output[seen:]:
                    if regex.search(line):
                        found.append(line)
                        return True
                    if line == "<exited>":
                        return True
                seen = len(self.output)
                return False

            self._changed.wait_for(ready, timeout)
        if not found:
            raise AssertionError(f"no line matching {regex.pattern!r} in:\n" + self.log)
        return found[0]

    @property
    def log(self) -> str:
        with self._changed:
            return "\n".join(self.output)

    def token(self, user: str, *flags: str) -> str:
        """An ID token of `user` of this emulator's user pool (`python -m emulator token`, which
        signs the user up on first use), kept for the next call with the same arguments."""
        key = (user, *flags)
        if key not in self._tokens:
            named = ("--stage", "--state-dir")
            same = [a for i, a in enumerate(self.args)
                    if a in named or (i > 0 and self.args[i - 1] in named)]
            made = subprocess.run(
                [sys.executable, "-m", "emulator", "token", "--config", str(self.config), *same,
                 "--user", user, *flags], cwd=self.cwd, env=self.env, capture_output=True,
                text=True, timeout=60, check=False)
            assert made.returncode == 0, made.stderr
            self._tokens[key] = made.stdout.strip()
        return self._tokens[key]

    def request(self, method: str, path: str, *, body: bytes | str | dict[str, Any] | None = None,
                headers: Sequence[tuple[str, str]] = (), timeout: float = 30,
                user: str | None = None) -> Reply:
        """Send one request to `{base_url}{path}` (path may carry a query); `user`: signed in
        as that user of the service's user pool (its ID token in `Authorization`)."""
        if user is not None:
            headers = [*headers, ("Authorization", self.token(user))]
        url = urllib.parse.urlsplit(self.base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        data = data.encode() if isinstance(data, str) else data
        try:
            conn.putrequest(method, url.path + path, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return Reply(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        """Stop like Ctrl-C would; return the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close()
                raise AssertionError("the emulator did not stop on " + str(sig)) from None
        self._close()
        return self.proc.returncode

    def _close(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        self._pump_thread.join(10)
        self.proc.stdout.close()


# The process tree, read from /proc (Linux): no environment may outlive the emulator.

def descendants(pid: int) -> set[int]:
    """Return the pids of every live descendant of pid (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: set[int], timeout: float = 10) -> set[int]:
    """Wait (bounded) until none of pids is alive; return those still alive."""
    deadline = time.monotonic() + timeout
    while (left := {p for p in pids if alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left
