"""Lambda execution environments: one process each, warm pools per function, the Invoker seam.

Emulates Lambda's execution environment lifecycle ("Lambda execution environment lifecycle" in
the developer guide): an environment is a process that imports the handler once (init, a cold
start) and then serves one invocation at a time through the Runtime API (`runtime_api`); an idle
environment is reused (most recently used first); a busy function gets another environment up
to a local cap, beyond which requests queue; `reservedConcurrency` throttles at once; past the
function's timeout the environment is killed (SIGKILL, whole process group) and the next request
cold-starts; a crash or an init error also discards the environment. Environments never outlive
the emulator: each watches a pipe from this process and, on Linux, has PR_SET_PDEATHSIG. Hot
reload (reload.py) retires a function's environments, as a deploy of new code does: idle ones
stop at once, busy ones after their invocation, and the next invocation cold-starts.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime import lambda_env, logs
from emulator.runtime.dependencies import DependencyError
from emulator.runtime.invocations import Invocation, RuntimeChannel
from emulator.runtime.invoker import (
    THROTTLE_ERROR,
    FunctionRuntime,
    InvokeResult,
    Outcome,
    RuntimeSettings,
)
from emulator.runtime.outcomes import INIT_TIMEOUT_S, Run, log_report, result_of
from emulator.runtime.process import Environment, Spawner, Wait
from emulator.runtime.runtime_api import RuntimeApiServer

logger = logging.getLogger(__name__)

BOOTSTRAP_PATH = Path(__file__).resolve().with_name("bootstrap.py")


class _Slots:
    """Concurrency state of one function; guarded by the pool's condition."""

    def __init__(self, function: FunctionConfig, max_concurrency: int) -> None:
        self.idle: list[Environment] = []  # LIFO: the most recently used is reused first
        self.live = 0  # environments starting, busy or idle
        self.admitted = 0  # invocations queued or running (what reservedConcurrency limits)
        self.generation = 0  # bumped on retire: older environments are not reused
        self.configure(function, max_concurrency)

    def configure(self, function: FunctionConfig, max_concurrency: int) -> None:
        self.function = function
        reserved = function.reserved_concurrency
        self.cap = max(1, min(max_concurrency, reserved if reserved is not None else 1 << 30))


class EnvironmentPool:
    """Process-per-environment Invoker speaking the Lambda Runtime API."""

    def __init__(
        self,
        service: ServiceConfig,
        settings: RuntimeSettings,
        aws_env: Callable[[FunctionConfig], Mapping[str, str]],
    ) -> None:
        self._service = service
        self._settings = settings
        self._aws_env = aws_env
        self._cond = threading.Condition()
        self._slots = {
            key: _Slots(fn, settings.max_concurrency) for key, fn in service.functions.items()
        }
        self._envs: set[Environment] = set()
        self._finishers: list[threading.Thread] = []
        self._closed = False
        self._spawner = Spawner()
        for function in service.functions.values():
            self._warn_ignored(function)

    def _warn_ignored(self, function: FunctionConfig) -> None:
        names = lambda_env.ignored_names(
            function, passthrough=self._settings.env_passthrough, aws_env=self._aws_env(function)
        )
        if names:
            logger.warning(
                "function %s: environment variables set by Lambda/the emulator win over "
                "the configured ones: %s",
                function.name,
                ", ".join(names),
            )

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float) -> InvokeResult:
        """Run one invocation; see Outcome for what can come back. KeyError: unknown function."""
        slots = self._slots[function]
        started = time.monotonic()
        if not self._admit(slots):
            logs.log_platform(function, request_id, "Rate Exceeded. (reservedConcurrency)")
            return InvokeResult(Outcome.THROTTLED, error=THROTTLE_ERROR)
        handed_off = False
        try:
            try:
                env = self._acquire(slots, started + wait_s)
            except OSError as e:  # the interpreter could not be started (a bad --python)
                logs.log_platform(function, request_id, f"cannot start the runtime: {e}")
                error = {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": str(e)}
                return InvokeResult(Outcome.ERROR, error=error, cold=True)
            if env is None:
                return self._not_started(request_id, started)
            run = Run(env, self._invocation(slots.function, request_id, event), env.fresh, started)
            env.fresh = False
            env.channel.assign(run.invocation)
            state = self._await(run, started + wait_s)
            if state is Wait.WAIT_EXPIRED:
                handed_off = True
                self._finish_in_background(run, slots)
                elapsed = (time.monotonic() - started) * 1000
                return InvokeResult(Outcome.INTEGRATION_TIMEOUT, cold=run.cold, duration_ms=elapsed)
            return self._finish(run, state, slots)
        finally:
            if not handed_off:
                self._leave(slots)

    def _invocation(self, function: FunctionConfig, request_id: str, event: bytes) -> Invocation:
        arn = lambda_env.function_arn(self._service, function)
        return Invocation(request_id, event, function.timeout_s, arn)

    def _not_started(self, request_id: str, started: float) -> InvokeResult:
        if self._closed:
            message = f"RequestId: {request_id} Error: the emulator is shutting down"
            error = {"errorType": "Runtime.ExitError", "errorMessage": message}
            return InvokeResult(Outcome.CRASH, error=error)
        elapsed = (time.monotonic() - started) * 1000  # queued for a free environment too long
        return InvokeResult(Outcome.INTEGRATION_TIMEOUT, duration_ms=elapsed)

    # --- concurrency ------------------------------------------------------------------------

    def _admit(self, slots: _Slots) -> bool:
        reserved = slots.function.reserved_concurrency
        with self._cond:
            if reserved is not None and slots.admitted >= reserved:
                return False
            slots.admitted += 1
            return True

    def _leave(self, slots: _Slots) -> None:
        with self._cond:
            slots.admitted -= 1

    def _acquire(self, slots: _Slots, deadline: float) -> Environment | None:
        """Return an idle environment, else a new one under the cap, else wait for one."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if slots.idle:
                    return slots.idle.pop()
                if slots.live < slots.cap:
                    slots.live += 1
                    generation = slots.generation
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
        try:
            env = self._spawn(slots.function, generation)
        except BaseException:
            with self._cond:
                slots.live -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._envs.add(env)
            closed = self._closed
        if closed:
            self._discard(env, slots)
            return None
        return env

    def _spawn(self, function: FunctionConfig, generation: int) -> Environment:
        spawned_at = time.monotonic()
        service = self._service  # read once: a reload may swap it
        key = function.name
        where = self._where(service, function)
        server = RuntimeApiServer(RuntimeChannel(
            on_delivered=lambda invocation: logs.log_start(key, invocation.request_id)),
            guarded=True)
        server.start()
        task_root = where.task_root or str(service.root)
        env = lambda_env.build_environment(
            service,
            function,
            runtime_api=server.address,
            aws_env=self._aws_env(function),
            passthrough=self._settings.env_passthrough,
            shell_env=self._settings.shell_env,
            task_root=task_root,
            log_stream=logs.new_log_stream_name(),
            runtime_dir=str(BOOTSTRAP_PATH.parent),
        )
        args = [where.python, *where.launcher, str(BOOTSTRAP_PATH), "--parent-pid",
                str(os.getpid())]
        if self._settings.runtime_client == "awslambdaric":
            args += ["--client", "awslambdaric"]
        if where.import_paths:
            args += ["--import-path", os.pathsep.join(where.import_paths)]
        try:
            process = self._spawner.popen(args, env, task_root)
        except BaseException:
            server.close()
            raise
        server.admit(process.pid)
        environment = Environment(
            function.name, process, server, self._on_exit, spawned_at, generation=generation
        )
        environment.start()
        return environment

    def _where(self, service: ServiceConfig, function: FunctionConfig) -> FunctionRuntime:
        """The interpreter and paths of this function's environments (its virtualenv)."""
        if self._settings.runtime_for is None:
            return FunctionRuntime(python=self._settings.python)
        try:
            return self._settings.runtime_for(service, function)
        except DependencyError as exc:  # a requirement changed on reload and cannot install
            raise OSError(str(exc)) from None

    def _on_exit(self, env: Environment) -> None:
        """An environment's process ended: an idle one is dropped from the pool right away."""
        slots = self._slots[env.key]
        with self._cond:
            if env not in slots.idle:
                return  # busy: its invocation sees the exit and discards it
            slots.idle.remove(env)
        self._discard(env, slots)

    def _discard(self, env: Environment, slots: _Slots) -> None:
        """Kill an environment for good and free its slot."""
        env.close()
        with self._cond:
            if env in self._envs:
                self._envs.discard(env)
                slots.live -= 1
            self._cond.notify_all()

    def _release(self, env: Environment, slots: _Slots) -> None:
        with self._cond:
            current = env.generation == slots.generation  # else retired while it ran
            if not self._closed and current and env.channel.exit_code is None:
                slots.idle.append(env)
                self._cond.notify_all()
                return
        self._discard(env, slots)

    # --- one invocation ---------------------------------------------------------------------

    def _await(self, run: Run, wait_deadline: float) -> Wait:
        """Wait for the invocation to end (or `wait_deadline`); START is logged on delivery."""
        return run.env.wait(run.invocation, run.assigned_at + INIT_TIMEOUT_S, wait_deadline)

    def _finish_in_background(self, run: Run, slots: _Slots) -> None:
        """Let an invocation the caller stopped waiting for run on to its end (or timeout)."""

        def finish() -> None:
            try:
                self._finish(run, self._await(run, math.inf), slots)
            finally:
                self._leave(slots)

        thread = threading.Thread(target=finish, name=f"finish-{run.env.key}", daemon=True)
        with self._cond:
            self._finishers = [t for t in self._finishers if t.is_alive()]
            self._finishers.append(thread)
        thread.start()

    def _finish(self, run: Run, state: Wait, slots: _Slots) -> InvokeResult:
        """Turn how the invocation ended into a result; reuse or discard the environment."""
        env, invocation = run.env, run.invocation
        now = time.monotonic()
        duration_ms = (now - invocation.delivered_at) * 1000 if invocation.delivered_at else 0.0
        result = result_of(run, state, duration_ms)
        reusable = result.outcome in (Outcome.OK, Outcome.ERROR) and env.channel.init_error is None
        reporting = logs.FUNCTION_LOG.isEnabledFor(logging.INFO)
        if reporting and reusable:
            env.drain_output()  # the handler's lines come before END and REPORT
        # A reused environment's memory is read when REPORT is written; one about to be killed
        # now, while it still exists.
        max_used = logs.max_memory_used_mb(env.pid) if reporting and not reusable else None
        if reusable:
            self._release(env, slots)
        else:
            self._discard(env, slots)
        if reporting:
            log_report(run, result, max_used, self._slots[run.env.key].function.memory_mb)
        return result

    # --- hot reload -------------------------------------------------------------------------

    def retire(self, functions: Collection[str]) -> int:
        """Stop reusing the environments of `functions`; return how many were retired.

        Idle ones are stopped now; busy ones finish their invocation, then are stopped. Every
        invocation that starts after this returns gets an environment spawned after it.
        """
        return self.replace_service(self._service, retire=functions)

    def replace_service(self, service: ServiceConfig, *, retire: Collection[str] = ()) -> int:
        """Serve `service` from now on (new functions, new settings), retiring `retire`."""
        cap = self._settings.max_concurrency
        with self._cond:
            changed = [f for k, f in service.functions.items()
                       if k not in self._slots or self._slots[k].function != f]
            self._service = service
            for function in changed:
                if function.name in self._slots:
                    self._slots[function.name].configure(function, cap)
                else:
                    self._slots[function.name] = _Slots(function, cap)
            stopped: list[tuple[Environment, _Slots]] = []
            retired = 0
            for key in retire:
                slots = self._slots.get(key)
                if slots is None:
                    continue
                slots.generation += 1
                stopped += [(env, slots) for env in slots.idle]
                retired += sum(1 for env in self._envs if env.key == key)
                slots.idle.clear()
        for env, slots in stopped:
            self._discard(env, slots)
        for function in changed:
            self._warn_ignored(function)
        return retired

    # --- introspection and shutdown ---------------------------------------------------------

    def environment_pids(self, function: str | None = None) -> list[int]:
        """Return the process ids of the live environments (of one function, or all)."""
        with self._cond:
            return [e.pid for e in self._envs if function is None or e.key == function]

    def close(self) -> None:
        """Kill every environment, join every thread; no process is left behind."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            envs = list(self._envs)
            self._cond.notify_all()
        for env in envs:
            env.kill()
        for env in envs:
            env.close()
        with self._cond:
            finishers = list(self._finishers)
        for thread in finishers:
            thread.join()
        self._spawner.close()
