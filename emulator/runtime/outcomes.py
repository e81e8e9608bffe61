"""How one invocation ended, as Lambda reports it: the result and the END/REPORT lines.

Timeouts are `Sandbox.Timedout` ("Task timed out after N.NN seconds"), a process that died is
`Runtime.ExitError` ("Runtime exited with error: ..."), as Lambda's platform logs them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from emulator.runtime import logs
from emulator.runtime.invocations import Invocation
from emulator.runtime.invoker import InvokeResult, Outcome
from emulator.runtime.process import Environment, Wait, exit_status

INIT_TIMEOUT_S = 10.0  # Lambda's limit on the init phase of an on-demand environment


@dataclass(slots=True)
class Run:
    """One invocation on one environment."""

    env: Environment
    invocation: Invocation
    cold: bool
    assigned_at: float


def result_of(run: Run, state: Wait, duration_ms: float) -> InvokeResult:
    """Turn how the invocation ended (replied, timed out, process gone) into Lambda's result."""
    invocation, channel = run.invocation, run.env.channel
    ready_at = channel.ready_at if channel.ready_at is not None else time.monotonic()
    init_ms = (ready_at - run.env.spawned_at) * 1000 if run.cold else 0.0
    common: dict[str, Any] = {"cold": run.cold, "init_duration_ms": init_ms}
    rid = invocation.request_id
    if state is Wait.REPLIED and invocation.reply is not None:
        reply = invocation.reply
        if reply.kind == "response":
            return InvokeResult(Outcome.OK, reply.body, None, duration_ms=duration_ms, **common)
        return InvokeResult(
            Outcome.ERROR, reply.body, reply.error, duration_ms=duration_ms, **common
        )
    if state is Wait.TIMED_OUT:
        seconds = invocation.timeout_s if invocation.delivered_at else INIT_TIMEOUT_S
        message = f"Task timed out after {seconds:.2f} seconds"
        logs.log_platform(run.env.key, rid, message)
        detail = f"RequestId: {rid} Error: {message}"
        error = {"errorType": "Sandbox.Timedout", "errorMessage": detail}
        return InvokeResult(Outcome.TIMEOUT, error=error, duration_ms=duration_ms, **common)
    status = exit_status(channel.exit_code)
    message = f"RequestId: {rid} Error: Runtime exited with error: {status}"
    logs.log_platform(run.env.key, rid, message)
    error = {"errorType": "Runtime.ExitError", "errorMessage": message}
    return InvokeResult(Outcome.CRASH, error=error, duration_ms=duration_ms, **common)


def log_report(run: Run, result: InvokeResult, max_used: int | None, memory_mb: int) -> None:
    """Write END and REPORT (START too when the runtime never took the event)."""
    status = {Outcome.TIMEOUT: "timeout", Outcome.CRASH: "error"}.get(result.outcome)
    error_type = None
    init_error = run.env.channel.init_error
    if init_error is not None:
        status = "error"
        error_type = str((init_error.error or {}).get("errorType", "Runtime.Unknown"))
    rid = run.invocation.request_id
    if run.invocation.delivered_at is None:  # ended before the runtime took the event
        logs.log_start(run.env.key, rid)
    logs.log_end(run.env.key, rid)
    report = logs.Report(
        rid,
        duration_ms=result.duration_ms,
        memory_mb=memory_mb,
        init_ms=result.init_duration_ms if run.cold else None,
        max_used_mb=max_used,
        pid=run.env.pid if max_used is None else None,
        status=status,
        error_type=error_type,
    )
    logs.log_report(run.env.key, report)
