"""The two tools under test, started the same way: a process on a free loopback port, its
output in a log file, stopped with its whole process group.

- ours: `python -m emulator --config <scratch>/serverless.yml --port N` (default flags), with
  its embedded moto;
- theirs: `serverless offline start` (serverless@3 + serverless-offline@13) on the same
  scratch project, its handlers pointed at the benchmark's moto by AWS_ENDPOINT_URL_DYNAMODB.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from peer_setup import REPO, Scratch, clean_env, offline_env

OURS, THEIRS = "emulator", "serverless-offline"


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(slots=True)
class LogFile:
    """A process's output, read back by polling (no reader thread competing for the cores)."""

    path: Path
    offset: int = 0

    def mark(self) -> None:
        """Look only at what is written from now on."""
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def search(self, pattern: str) -> re.Match[str] | None:
        """Return the first match of `pattern` (multiline) after the mark, if any."""
        if not self.path.exists():
            return None
        with self.path.open("rb") as f:
            f.seek(self.offset)
            text = f.read().decode("utf-8", "replace")
        return re.search(pattern, text, re.MULTILINE)

    def count(self, pattern: str) -> int:
        """Return how many times `pattern` (multiline) occurs after the mark."""
        if not self.path.exists():
            return 0
        text = self.path.read_bytes()[self.offset:].decode("utf-8", "replace")
        return len(re.findall(pattern, text, re.MULTILINE))

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str] | None:
        """Poll for `pattern` every 20 ms for at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if found := self.search(pattern):
                return found
            time.sleep(0.02)
        return self.search(pattern)


@dataclass(slots=True)
class Running:
    """One started tool."""

    name: str
    process: subprocess.Popen[bytes]
    base: str  # http://127.0.0.1:port/dev
    log: LogFile
    started_at: float  # perf_counter just before the spawn
    dynamodb: str = ""  # the moto endpoint its handlers use
    closed: bool = field(default=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGINT (a clean shutdown, as Ctrl-C), then SIGKILL the process group after 15 s."""
        if self.closed:
            return
        self.closed = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # leftovers of its group, if any
        self.process.wait()


def start_ours(scratch: Scratch, log_path: Path, stage: str, extra: list[str]) -> Running:
    """Spawn the emulator on the scratch project with its default flags (plus `extra`)."""
    port = free_port()
    command = [sys.executable, "-m", "emulator", "--config", str(scratch.config),
               "--port", str(port), *extra]
    return _spawn(OURS, command, cwd=REPO, env=clean_env(), port=port, log_path=log_path,
                  stage=stage)


def start_theirs(scratch: Scratch, log_path: Path, stage: str, moto_endpoint: str,
                 reload: bool = False) -> Running:
    """Spawn `serverless offline start` on the scratch project."""
    port = free_port()
    command = ["node", str(scratch.node_modules / "serverless" / "bin" / "serverless.js"),
               "offline", "start", "--host", "127.0.0.1", "--httpPort", str(port),
               "--lambdaPort", str(free_port()), "--noSponsor"]
    if reload:
        command.append("--reloadHandler")
    running = _spawn(THEIRS, command, cwd=scratch.project, port=port, log_path=log_path,
                     env=offline_env(scratch, moto_endpoint), stage=stage)
    running.dynamodb = moto_endpoint
    return running


def _spawn(name: str, command: list[str], *, cwd: Path, env: dict[str, str], port: int,
           log_path: Path, stage: str) -> Running:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Running(name, process, f"http://127.0.0.1:{port}/{stage}", LogFile(log_path),
                   started)


def _stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (state, ppid, ...)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
        return f.read().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_pids(root: int) -> set[int]:
    """`root`, its descendants and its session (orphans included). Linux /proc only."""
    parents: dict[int, int] = {}
    session: set[int] = set()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                pid = int(entry)
                parents[pid] = int(_stat(pid)[1])
                if os.getsid(pid) == root:
                    session.add(pid)
    if not parents:
        return set()
    tree, grew = {root} | session, True
    while grew:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grew = len(tree) > before
    return tree


def cpu_by_role(running: Running, moto_pid: int | None = None) -> dict[str, float]:
    """CPU seconds used so far, by role: the tool's own process (`gateway`), its moto
    (`moto`: a child running moto, or `moto_pid`), everything else it started (`handlers`)."""
    pids = tree_pids(running.process.pid) | ({moto_pid} if moto_pid else set())
    roles = {"gateway": 0.0, "handlers": 0.0, "moto": 0.0}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            seconds = _cpu_seconds(pid)
            if pid == running.process.pid:
                roles["gateway"] += seconds
            elif pid == moto_pid or b"moto" in Path(f"/proc/{pid}/cmdline").read_bytes():
                roles["moto"] += seconds
            else:
                roles["handlers"] += seconds
    return roles


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by `root`, its descendants and its session; 0.0 without /proc."""
    total = 0.0
    for pid in tree_pids(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += _cpu_seconds(pid)
    return total


def settle(running: Running, timeout_s: float = 20, busy: float = 0.1) -> float:
    """Wait until the tool's processes use under `busy` of a core for 0.5 s; return seconds
    waited (a tool still cold-starting or finishing requests would skew the next measure)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        before = tree_cpu_seconds(running.process.pid)
        time.sleep(0.5)
        if tree_cpu_seconds(running.process.pid) - before < busy * 0.5:
            break
    return time.monotonic() - started


def find_dynamodb(running: Running, timeout_s: float = 30) -> str:
    """Read the emulator's `DynamoDB: <url>` line."""
    found = running.log.wait_for(r"^DynamoDB: (\S+)", timeout_s)
    if found is None:
        raise SystemExit(f"{running.name} printed no DynamoDB line; see {running.log.path}")
    return found.group(1)
