"""Handlers run inside the emulator's own process, for debugging (`--inprocess`).

Emulates the same invoke contract as the process-per-environment pool (the Invoker protocol),
with the same context object, error payloads and marshalling, taken from bootstrap.py (our
runtime client): handlers are imported into this process, so `breakpoint()` and IDE debuggers
work. It is not an execution environment, and these are its limits (see LIMITS, which the CLI
prints at start):

- one invocation at a time, in the caller's thread (others wait; reservedConcurrency still
  throttles);
- `os.environ` is swapped for the function's environment during each invocation: every thread
  of the emulator sees it meanwhile, and module-level code sees the environment of the first
  function that imported the module;
- modules are imported once per process and shared by every function (one cold start in all);
- no hard timeout and no integration timeout: a handler running long (or paused in a debugger)
  is never stopped, only reported afterwards; `os._exit()` ends the emulator itself;
- handler output goes straight to the emulator's stdout/stderr, without a request-id prefix.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime import bootstrap, lambda_env, logs
from emulator.runtime.invoker import THROTTLE_ERROR, InvokeResult, Outcome, RuntimeSettings

logger = logging.getLogger(__name__)

LIMITS = (
    "handlers run in the emulator's process, one invocation at a time",
    "os.environ is swapped per invocation (shared by every thread meanwhile)",
    "modules are imported once and shared by all functions: one cold start",
    "no timeout is enforced (a long run is only reported), os._exit() stops the emulator",
)


class InProcessInvoker:
    """Invoker that imports handlers and calls them in this process (a debugging aid)."""

    def __init__(
        self,
        service: ServiceConfig,
        aws_env: Callable[[FunctionConfig], Mapping[str, str]],
        settings: RuntimeSettings | None = None,
    ) -> None:
        self._service = service
        self._aws_env = aws_env
        self._settings = settings or RuntimeSettings(shell_env=dict(os.environ))
        self._lock = threading.Lock()  # one invocation at a time
        self._count_lock = threading.Lock()
        self._admitted = dict.fromkeys(service.functions, 0)
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._log_stream = logs.new_log_stream_name()
        self._root = str(service.root)
        self._added_root = self._root not in sys.path
        if self._added_root:
            sys.path.insert(0, self._root)

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float) -> InvokeResult:
        """Run one invocation now, in this thread (`wait_s` is not enforced here)."""
        config = self._service.functions[function]
        with self._count_lock:
            reserved = config.reserved_concurrency
            if reserved is not None and self._admitted[function] >= reserved:
                return InvokeResult(Outcome.THROTTLED, error=THROTTLE_ERROR)
            self._admitted[function] += 1
        try:
            with self._lock, self._function_environment(config):
                return self._run(config, event, request_id)
        finally:
            with self._count_lock:
                self._admitted[function] -= 1

    @contextmanager
    def _function_environment(self, config: FunctionConfig) -> Iterator[None]:
        env = lambda_env.build_environment(
            self._service,
            config,
            runtime_api="",  # there is no Runtime API in-process
            aws_env=self._aws_env(config),
            passthrough=self._settings.env_passthrough,
            shell_env=self._settings.shell_env,
            task_root=self._root,
            log_stream=self._log_stream,
        )
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _run(self, config: FunctionConfig, event: bytes, request_id: str) -> InvokeResult:
        cold = config.name not in self._handlers
        started = time.monotonic()
        if cold:
            try:
                self._handlers[config.name] = bootstrap.load_handler(config.handler)
            except Exception as e:
                error = bootstrap.error_from_exception(_without_own_frame(e))
                bootstrap.log_error(error)
                return InvokeResult(Outcome.ERROR, error=error, cold=True)
        init_ms = (time.monotonic() - started) * 1000 if cold else 0.0
        logs.log_start(config.name, request_id)
        result = self._call(config, self._handlers[config.name], event, request_id)
        result = InvokeResult(
            result.outcome, result.payload, result.error, cold, result.duration_ms, init_ms
        )
        if result.duration_ms > config.timeout_s * 1000:
            logger.warning(
                "%s ran %.0f ms, past its %.0f s timeout: Lambda would have stopped it",
                config.name,
                result.duration_ms,
                config.timeout_s,
            )
        logs.log_end(config.name, request_id)
        line = logs.report_line(
            request_id,
            duration_ms=result.duration_ms,
            memory_mb=config.memory_mb,
            max_used_mb=None,
            init_ms=init_ms if cold else None,
        )
        logs.log_report(config.name, line)
        return result

    def _call(
        self, config: FunctionConfig, handler: Callable[..., Any], event: bytes, request_id: str
    ) -> InvokeResult:
        deadline_ms = int(time.time() * 1000 + config.timeout_s * 1000)
        arn = lambda_env.function_arn(self._service, config)
        context = bootstrap.LambdaContext(request_id, None, None, deadline_ms, arn)
        started = time.monotonic()
        try:
            response = handler(bootstrap.unmarshal_event(event, "application/json"), context)
            body, _ = bootstrap.marshal_response(response)
        except Exception as e:
            error = bootstrap.error_from_exception(_without_own_frame(e), request_id)
            bootstrap.log_error(error)
            elapsed = (time.monotonic() - started) * 1000
            return InvokeResult(Outcome.ERROR, error=error, duration_ms=elapsed)
        except SystemExit as e:  # a runtime process would end here; the emulator must not
            code = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
            status = f"exit status {code}"
            message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
            error = {"errorType": "Runtime.ExitError", "errorMessage": message}
            return InvokeResult(Outcome.CRASH, error=error)
        return InvokeResult(Outcome.OK, body, duration_ms=(time.monotonic() - started) * 1000)

    def close(self) -> None:
        """Nothing runs in the background; forget the task root on sys.path."""
        if self._added_root and self._root in sys.path:
            sys.path.remove(self._root)


def _without_own_frame(exc: BaseException) -> BaseException:
    """Drop this module's frame from a traceback, so it starts where AWS's would."""
    tb = exc.__traceback__
    return exc.with_traceback(tb.tb_next) if tb is not None and tb.tb_next else exc
