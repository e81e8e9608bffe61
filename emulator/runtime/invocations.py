"""One environment's invocations as Lambda tracks them: assigned, delivered, answered.

The state an environment's Runtime API server (runtime_api.py) shares with its pool
(environments.py): which invocation `GET /next` hands out, what the runtime posted back
(`/response`, `/error`, `/init/error`), and whether the process has exited.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.config import untrusted_json

MAX_RESPONSE_BYTES = 6_291_556  # Lambda's synchronous response limit (RAPID's MaxPayloadSize)
RESPONSE_TOO_LARGE_ERROR = {
    "errorType": "Function.ResponseSizeTooLarge",
    "errorMessage": "Response payload size exceeded maximum allowed payload size "
    f"({MAX_RESPONSE_BYTES} bytes).",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a runtime posted: kind is "response", "error" or "init_error"."""

    kind: str
    body: bytes = b""
    error: Mapping[str, Any] | None = None


class Invocation:
    """One invoke handed to an environment; mutable, guarded by its channel's condition."""

    __slots__ = (
        "delivered_at",
        "done",
        "event",
        "function_arn",
        "reply",
        "request_id",
        "timeout_s",
    )

    def __init__(self, request_id: str, event: bytes, timeout_s: float, function_arn: str) -> None:
        self.request_id = request_id
        self.event = event
        self.timeout_s = timeout_s
        self.function_arn = function_arn
        self.delivered_at: float | None = None  # monotonic time of GET /next
        self.reply: Reply | None = None
        self.done = False  # no more posts accepted (replied, timed out, crashed)


class RuntimeChannel:
    """The state one environment's Runtime API shares with its pool; all of it under `cond`."""

    def __init__(self, on_delivered: Callable[[Invocation], None] | None = None) -> None:
        self.cond = threading.Condition()
        self._on_delivered = on_delivered  # called by the runtime's thread, before the reply
        self.current: Invocation | None = None
        self.undelivered = False
        self.ready_at: float | None = None  # first GET /next: the end of the init phase
        self.init_error: Reply | None = None
        self.exit_code: int | None = None  # set when the process is gone
        self.closed = False

    def assign(self, invocation: Invocation) -> None:
        """Hand an invocation to the environment; its next GET /next returns it."""
        with self.cond:
            self.current = invocation
            self.undelivered = True
            self.cond.notify_all()

    def take_next(self) -> Invocation | None:
        """Block until an invocation is assigned (None once the channel is closed)."""
        with self.cond:
            if self.ready_at is None:
                self.ready_at = time.monotonic()
                self.cond.notify_all()
            while not self.undelivered and not self.closed:
                self.cond.wait()
            if self.closed or self.current is None:
                return None
            self.undelivered = False
            invocation = self.current
            invocation.delivered_at = time.monotonic()
            # No notify: the invoker's wait already ends by the function's timeout counted
            # from now (process.Environment.wait), so delivery needs no thread switch.
        if self._on_delivered is not None:
            self._on_delivered(invocation)
        return invocation

    def post(self, request_id: str, reply: Reply) -> bool:
        """Record the reply of the current invocation; False if the id is not one in progress."""
        with self.cond:
            current = self.current
            if current is None or current.request_id != request_id or current.done:
                return False
            if current.delivered_at is None:
                return False
            current.reply, current.done = reply, True
            self.cond.notify_all()
            return True

    def fail_init(self, reply: Reply) -> bool:
        """Record an init error; it answers the invocation waiting for this environment."""
        with self.cond:
            if self.ready_at is not None or self.init_error is not None:
                return False
            self.init_error = reply
            current = self.current
            if current is not None and not current.done:
                current.reply, current.done = reply, True
            self.cond.notify_all()
            return True

    def mark_exited(self, code: int) -> None:
        with self.cond:
            self.exit_code = code
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


def new_trace_id() -> str:
    """Return an X-Ray trace header like Lambda's: Root=1-<epoch hex>-<24 hex>;Parent=..."""
    random = os.urandom(20).hex()  # one system call for both ids
    return f"Root=1-{int(time.time()):08x}-{random[:24]};Parent={random[24:]};Sampled=0"


def parse_error(body: bytes, error_type: str | None) -> dict[str, Any]:
    """Return the error object a runtime posted (`errorType` from the body, else the header)."""
    try:
        parsed = untrusted_json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        if error_type and "errorType" not in parsed:
            parsed["errorType"] = error_type
        return parsed
    message = body.decode("utf-8", "replace")
    return {"errorType": error_type or "Runtime.Unknown", "errorMessage": message}
