"""Where a run sends its requests: the local emulator (started and stopped here) or a stage.

The emulator is started as `python -m emulator --config <serverless.yml> --port 0 --in-memory
--no-reload [--emulator-args ...]` (fresh tables, nothing saved) and is ready when it prints
`Ready: <base URL with the stage>`; nothing else of it is known here, so
`python -m contracts --base-url ...` needs nothing from the emulator or the handlers. Its console
is read for one more thing: the lines around each reply it logs with a 5xx status (the access
line `GET /dev/x 502 1.2 ms fn cold` and the `error:`/`warning:` lines before it), so that a
server error the run finds is reported with what the emulator said about it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

READY = re.compile(r"^Ready: (\S+)")
ACCESS = re.compile(r"^([A-Z]+) (\S+) (\d{3}) [\d.]+ ms\b")
NOTED = ("error:", "warning:")
NOTES_PER_REPLY = 6
PROTECTED_STAGES = frozenset({"prod", "production"})
# Hosts whose first path segment is the stage: API Gateway's own (regional, edge, private
# vpce) endpoints, and the emulator on loopback. A custom domain maps base paths to stages as
# it likes, so its URL says nothing about the stage.
_STAGE_FIRST = re.compile(r"\.execute-api\.[a-z0-9.-]+\.amazonaws\.com(\.cn)?", re.IGNORECASE)
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class TargetError(Exception):
    """The target could not be reached or started; reported as one line."""


def path_segments(base_url: str) -> list[str]:
    """The URL's path as the server sees it: percent-decoded, `.`/`..` and empty segments gone.

    `/prod/.`, `/%70rod` and `/x/../prod` all reach the stage `prod`; the guard reads this.
    """
    segments: list[str] = []
    for raw in urlsplit(base_url).path.split("/"):
        segment = raw
        while (decoded := unquote(segment)) != segment:  # %2570 -> %70 -> p
            segment = decoded
        if segment == "..":
            segments = segments[:-1]
        elif segment not in ("", "."):
            segments.append(segment)
    return segments


def stage_of(base_url: str) -> str | None:
    """The stage a base URL reaches (`.../dev` -> `dev`); None when the URL cannot say.

    API Gateway's endpoints and the emulator serve the stage as the first path segment; a
    custom domain (`https://api.example.com/v1`) maps its paths to any stage.
    """
    host = urlsplit(base_url).hostname or ""
    segments = path_segments(base_url)
    if not segments or not (_STAGE_FIRST.search(host) or _is_loopback(host)):
        return None
    return segments[0]


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuses_writes(base_url: str, stage: str | None = None) -> bool:
    """Whether writes need --allow-writes: a production stage, or one the URL cannot name.

    `stage` (--stage NAME) says what the stage is when the URL cannot.
    """
    name = stage if stage is not None else stage_of(base_url)
    return name is None or name.lower() in PROTECTED_STAGES


class Emulator:
    """`python -m emulator` on a free port, for the duration of a `with` block."""

    def __init__(self, config: Path, command: Sequence[str] | None = None,
                 extra_args: Sequence[str] = ()) -> None:
        self.command = [
            *(command or (sys.executable, "-m", "emulator")),
            "--config",
            str(config.resolve()),
            "--port",
            "0",
            "--in-memory",  # a fresh table: no saved state in, none out
            "--no-reload",  # the handlers under test do not change mid-run
            *extra_args,  # --emulator-args: --python, --stage, --param, ...
        ]
        self.base_url = ""
        self.output: deque[str] = deque(maxlen=200)  # the tail, shown when it fails to start
        self.console = ServerErrorLines()
        self._process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()
        self._pump_thread: threading.Thread | None = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> str:
        """Start the process; return its base URL once it printed its Ready line."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            self.command,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._pump_thread = threading.Thread(target=self._pump, name="emulator-output", daemon=True)
        self._pump_thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or not self.base_url:
            self.stop()
            tail = "\n".join(self.output)
            raise TargetError(f"the emulator did not print its Ready line: {tail}")
        return self.base_url

    def _pump(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self.output.append(line.rstrip("\n"))
            self.console.feed(line.rstrip("\n"))
            match = READY.match(line)
            if match and not self._ready.is_set():
                self.base_url = match.group(1)
                self._ready.set()
        self._ready.set()  # exited: start() stops waiting

    def stop(self) -> None:
        """Interrupt the emulator (as Ctrl-C does), wait, and kill it if it lingers."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _interrupt(process)
        if self._pump_thread is not None:
            self._pump_thread.join(STOP_TIMEOUT_S)  # ends at EOF: every writer has exited
            if not self._pump_thread.is_alive() and process.stdout is not None:
                process.stdout.close()


class ServerErrorLines:
    """The emulator's console lines about each reply it logged with a 5xx status."""

    def __init__(self) -> None:
        self._pending: deque[str] = deque(maxlen=NOTES_PER_REPLY)
        self._found: dict[tuple[str, str, int], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def feed(self, line: str) -> None:
        """Read one console line: a note is kept until the next access line takes it."""
        access = ACCESS.match(line)
        with self._lock:
            if access is None:
                if line.startswith(NOTED):
                    self._pending.append(line)
                return
            method, path, status = access.group(1), access.group(2), int(access.group(3))
            if status >= 500:
                self._found[(method, path, status)] = (*self._pending, line)
            self._pending.clear()

    def about(self, method: str, path: str, status: int) -> tuple[str, ...]:
        """The lines about the last `method path` answered `status` (none: not logged)."""
        with self._lock:
            return self._found.get((method.upper(), path, status), ())


def _interrupt(process: subprocess.Popen[str]) -> None:
    """SIGINT the process group (the emulator, its environments, moto); SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()
