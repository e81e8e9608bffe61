"""moto's process, seen from the emulator: spawned early, configured, supervised, stopped.

The emulator binds moto's loopback socket itself and keeps it: the endpoint handed to every
function never changes, and a call made while moto is (re)starting waits in the socket's
backlog until moto serves it. When moto dies unexpectedly (a crash, `kill -9`), that is logged
at once and moto is started again on the same socket from the last snapshot plus the write
journal (state.py, journal.py), so no acknowledged write is lost. A call in flight at the crash
loses its connection; boto3 retries it (botocore retries connection errors) and the new moto
answers. After MAX_RESTARTS crashes within RESTART_WINDOW_S the socket is closed instead: calls
then fail at once with boto3's "Could not connect to the endpoint URL" and the console says why.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import replace

from emulator.aws.iam import CONTROL_PATH, IamSettings, policy_warnings
from emulator.aws.moto_process import MotoSettings
from emulator.aws.tables import scrubbed_env

log = logging.getLogger("emulator.aws.moto")

MAX_RESTARTS = 3
RESTART_WINDOW_S = 60.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class MotoServer:
    """moto in a child process of ours (emulator/aws/moto_process.py), restarted if it dies.

    Start-up overlaps moto's ~1 s import with the emulator's own start: `spawn` starts the
    process at once, `configure` sends its settings once the config is read.
    """

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        host, port = listener.getsockname()[:2]
        self.endpoint = f"http://{host}:{port}"
        self.control_token = secrets.token_hex(16)
        self.ready = threading.Event()  # the first moto serves
        self.stopping = threading.Event()
        self.restarts = 0
        self._settings: MotoSettings | None = None
        self._lock = threading.Lock()  # guards process replacement against stop()
        self.process = self._popen()

    @classmethod
    def start(cls, host: str = "127.0.0.1", settings: MotoSettings | None = None) -> MotoServer:
        """Start moto on a free loopback port and return once it serves (tables loaded)."""
        moto = cls.spawn(host)
        moto.configure(settings or MotoSettings())
        moto.wait_ready()
        return moto

    @classmethod
    def spawn(cls, host: str = "127.0.0.1") -> MotoServer:
        """Start the process now, on a socket bound here; it imports moto meanwhile."""
        return cls(socket.create_server((host, 0), backlog=512))

    def _popen(self) -> subprocess.Popen[bytes]:
        fd = self.listener.fileno()
        return subprocess.Popen(
            [sys.executable, "-m", "emulator.aws.moto_process", "--fd", str(fd)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(fd,),
            env=scrubbed_env(os.environ))

    def configure(self, settings: MotoSettings) -> None:
        """Send the settings (never in argv); a thread then watches moto for as long as it runs.

        That thread also spawns every replacement: Linux's parent-death signal follows the
        thread that forked, so the spawning thread must live as long as the child.
        """
        self._settings = replace(settings, control_token=self.control_token)
        self._send_settings(self.process)
        threading.Thread(target=self._supervise, name="moto-supervisor", daemon=True).start()

    def _send_settings(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and self._settings is not None
        try:
            process.stdin.write(self._settings.to_line())
            process.stdin.flush()
        except OSError:  # it died already: its exit is seen by the supervisor
            pass

    def _supervise(self) -> None:
        crashes: list[float] = []
        process = self.process
        while True:
            serving = self._wait_serving(process)
            if serving and not self.ready.is_set():
                self.ready.set()
            elif serving:
                log.info("moto restarted in %.0f ms (same endpoint, state restored)",
                         (time.monotonic() - crashes[-1]) * 1000)
            code = process.wait()
            if self.stopping.is_set():
                return
            crashes = [t for t in crashes if time.monotonic() - t < RESTART_WINDOW_S]
            crashes.append(time.monotonic())
            if len(crashes) > MAX_RESTARTS or not self.ready.is_set():
                self._give_up(code, len(crashes))
                return
            log.error("moto exited unexpectedly (%s): restarting it %s; DynamoDB calls wait "
                      "for it", _exit_status(code),
                      "from the last snapshot and the journal" if self._settings
                      and self._settings.state_file else "(--in-memory: its tables start empty)")
            with self._lock:
                if self.stopping.is_set():
                    return
                self._close_pipes(process)
                process = self.process = self._popen()
                self.restarts += 1
            self._send_settings(process)

    def _wait_serving(self, process: subprocess.Popen[bytes]) -> bool:
        assert process.stdout is not None
        return process.stdout.readline().startswith(b"PORT ")

    def _give_up(self, code: int, crashes: int) -> None:
        if not self.ready.is_set():
            log.error("moto did not start (%s): DynamoDB calls will fail", _exit_status(code))
        else:
            log.error("moto exited (%s), %d times within %.0f s: not restarted again; "
                      "DynamoDB calls fail until the emulator is restarted", _exit_status(code),
                      crashes, RESTART_WINDOW_S)
        self.listener.close()  # calls are refused at once instead of waiting

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Block until moto serves; raise RuntimeError when it does not."""
        if not self.ready.wait(timeout):
            raise RuntimeError(f"moto did not start within {timeout:.0f} s")

    def update_iam(self, iam: IamSettings | None) -> None:
        """Enforce another role from now on (a serverless.yml change); None: stop enforcing."""
        if iam is not None:
            for warning in policy_warnings(iam.statements):
                log.warning("%s", warning)
        if self._settings is not None:  # a restarted moto enforces the new role too
            self._settings = replace(self._settings, iam=iam)
        url = urllib.parse.urlsplit(self.endpoint)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        try:  # straight to loopback: never through a proxy of the environment
            connection.request("POST", CONTROL_PATH,
                               body=json.dumps({"iam": iam.to_json() if iam else None}),
                               headers={"X-Emulator-Token": self.control_token})
            status = connection.getresponse().status
        finally:
            connection.close()
        if status != 204:
            raise RuntimeError(f"moto refused the IAM update (HTTP {status})")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop moto (SIGTERM: it writes its final snapshot first) and reap the process."""
        with self._lock:
            self.stopping.set()
            process = self.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("moto did not stop within %.0f s; killed", timeout)
                process.kill()
        process.wait()
        self._close_pipes(process)
        self.listener.close()

    @staticmethod
    def _close_pipes(process: subprocess.Popen[bytes]) -> None:
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def _exit_status(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}"
    return f"exit code {code}"
