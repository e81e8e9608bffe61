"""The process side of one Lambda execution environment: spawn, watch, log, kill.

Emulates the sandbox around a Lambda runtime: a process with its own environment variables,
whose stdout/stderr become the function's log stream, and which is destroyed as a whole
(SIGKILL to its process group) on timeout, crash or shutdown.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future

from emulator.runtime.invocations import Invocation
from emulator.runtime.logs import OutputPump
from emulator.runtime.runtime_api import RuntimeApiServer

logger = logging.getLogger(__name__)

_Job = tuple[list[str], Mapping[str, str], str, "Future[subprocess.Popen[bytes]]"]


def popen(args: list[str], env: Mapping[str, str], cwd: str) -> subprocess.Popen[bytes]:
    """Start a runtime process in its own process group, stdin kept as the parent-death pipe."""
    pipe = subprocess.PIPE
    if os.name == "posix":
        return subprocess.Popen(
            args, env=env, cwd=cwd, stdin=pipe, stdout=pipe, stderr=pipe, start_new_session=True
        )
    flags = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined,unused-ignore]
    return subprocess.Popen(
        args, env=env, cwd=cwd, stdin=pipe, stdout=pipe, stderr=pipe, creationflags=flags
    )


class Spawner:
    """Starts every environment process from one long-lived thread.

    Linux's PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the
    process: an environment spawned from a short-lived request thread would be killed with it.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="environment-spawner", daemon=True)
        self._thread.start()

    def popen(self, args: list[str], env: Mapping[str, str], cwd: str) -> subprocess.Popen[bytes]:
        future: Future[subprocess.Popen[bytes]] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the environment pool is closed")
            self._jobs.put((args, env, cwd, future))
        return future.result()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            args, env, cwd, future = job
            try:
                future.set_result(popen(args, env, cwd))
            except BaseException as e:
                future.set_exception(e)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._jobs.put(None)
        self._thread.join()


class Wait(enum.Enum):
    """What ended a wait on an invocation."""

    REPLIED = enum.auto()  # the runtime posted a response, an error or an init error
    EXITED = enum.auto()  # the process is gone
    TIMED_OUT = enum.auto()  # past the init limit or the function's timeout
    WAIT_EXPIRED = enum.auto()  # the caller's deadline passed; the invocation runs on


def exit_status(code: int | None) -> str:
    """Describe a process exit the way Lambda's errors do ("exit status 1", "signal: killed")."""
    names = {9: "killed", 11: "segmentation fault", 6: "aborted", 15: "terminated"}
    if code is None or code >= 0:
        return f"exit status {code}"
    return f"signal: {names.get(-code, str(-code))}"


class Environment:
    """One execution environment: a runtime process, its Runtime API server and log pumps."""

    def __init__(
        self,
        key: str,
        process: subprocess.Popen[bytes],
        server: RuntimeApiServer,
        on_exit: Callable[[Environment], None],
        spawned_at: float,
        *,
        generation: int = 0,
    ) -> None:
        self.key = key  # the function's key under `functions:`
        self.generation = generation  # the pool's code generation it was spawned under
        self.process = process
        self.pid = process.pid
        self.server = server
        self.channel = server.channel
        self.spawned_at = spawned_at  # monotonic time the spawn began (init starts there)
        self.fresh = True  # no invocation yet: the next one is a cold start
        self._on_exit = on_exit
        self._close_lock = threading.Lock()
        self._closed = False
        assert process.stdout is not None and process.stderr is not None
        self._pumps = [
            OutputPump(key, process.stdout, self._request_id, f"{key}-{self.pid}-stdout"),
            OutputPump(key, process.stderr, self._request_id, f"{key}-{self.pid}-stderr"),
        ]
        self._waiter = threading.Thread(
            target=self._wait_exit, name=f"{key}-{self.pid}-wait", daemon=True
        )
        self._pipes = _pipe_inodes(process)

    def start(self) -> None:
        for pump in self._pumps:
            pump.start()
        self._waiter.start()

    def _request_id(self) -> str | None:
        current = self.channel.current
        if current is None or current.delivered_at is None:
            return None  # init output: CloudWatch shows it without a request id
        return current.request_id

    def wait(self, invocation: Invocation, init_deadline: float, wait_deadline: float) -> Wait:
        """Block until `invocation` is answered, ends, or a deadline passes.

        The function's timeout runs from delivery (GET /next), as Lambda's does: a cold start's
        init phase has its own limit, `init_deadline`. Delivery does not wake this wait: before
        it, the wait ends by `now + timeout` at the latest, which is never after the deadline
        counted from a later delivery, and then it waits out the rest.
        """
        channel = self.channel
        with channel.cond:
            while True:
                if invocation.reply is not None:
                    return Wait.REPLIED
                if channel.exit_code is not None:
                    invocation.done = True
                    return Wait.EXITED
                now = time.monotonic()
                delivered = invocation.delivered_at
                limit = init_deadline if delivered is None else delivered + invocation.timeout_s
                if now >= limit:
                    invocation.done = True
                    return Wait.TIMED_OUT
                if now >= wait_deadline:
                    return Wait.WAIT_EXPIRED
                wake = min(limit, wait_deadline)
                if delivered is None:
                    wake = min(wake, now + invocation.timeout_s)
                channel.cond.wait(wake - now)

    def _wait_exit(self) -> None:
        code = self.process.wait()
        logger.debug("environment %s (pid %d) exited with %s", self.key, self.pid, code)
        self.channel.mark_exited(code)
        self._on_exit(self)

    def drain_output(self) -> None:
        """Return once what the process wrote so far is in the log (see OutputPump.drain)."""
        for pump in self._pumps:
            pump.drain()

    def kill(self) -> None:
        """SIGKILL the whole process group (the runtime and anything the handler started)."""
        if self.process.returncode is not None:
            return
        try:
            if os.name == "posix":
                os.killpg(self.pid, signal.SIGKILL)
            else:
                self.process.kill()
        except (ProcessLookupError, PermissionError):
            pass

    def close(self) -> None:
        """Kill the process and release everything it used; idempotent, from any thread."""
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self.kill()
                self.process.wait()
                # What the handler detached from the group (setsid) still holds these pipes:
                # Lambda freezes and then destroys the whole sandbox, so do we, and the reply
                # never waits for a pipe such a process keeps open.
                strays = kill_holders(self._pipes)
                if strays:
                    logger.info("environment %s: killed %d detached process(es): %s", self.key,
                                len(strays), ", ".join(map(str, strays)))
                if self.process.stdin is not None:
                    self.process.stdin.close()
                self.server.close()
                for pump in self._pumps:
                    pump.stop()
                for pump in self._pumps:
                    pump.join()
        if threading.current_thread() is not self._waiter:
            self._waiter.join()


def _pipe_inodes(process: subprocess.Popen[bytes]) -> frozenset[str]:
    """The `pipe:[inode]` names of the process's stdin/stdout/stderr pipes (Linux /proc)."""
    names = set()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                names.add(f"pipe:[{os.fstat(stream.fileno()).st_ino}]")
    return frozenset(names)


def kill_holders(pipes: frozenset[str]) -> list[int]:
    """SIGKILL every other process that holds one of `pipes` open; return their pids.

    Where /proc is missing (macOS, Windows) nothing is found: such a process lives on, but
    the pumps stop regardless (OutputPump.stop), so no reply waits for it.
    """
    if not pipes or not os.path.isdir("/proc/self/fd"):
        return []
    me, killed = os.getpid(), []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        if _holds(entry.name, pipes):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def _holds(pid: str, pipes: frozenset[str]) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # gone, or not ours to read
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") in pipes:
                return True
    return False
