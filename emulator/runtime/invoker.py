"""The Invoker seam: how the gateway and the CLI run a function, and what comes back.

One protocol, several back ends (STYLE.md): EnvironmentPool (a process per execution
environment, environments.py) and InProcessInvoker (inprocess.py).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

THROTTLE_ERROR = {"errorType": "TooManyRequestsException", "errorMessage": "Rate Exceeded."}


class Outcome(Enum):
    OK = "ok"  # the runtime posted .../response
    ERROR = "error"  # the runtime posted .../error or init/error (handler raised, bad handler)
    TIMEOUT = "timeout"  # the function ran past its own timeout; environment killed
    CRASH = "crash"  # the environment process died mid-invoke (os._exit, segfault)
    THROTTLED = "throttled"  # beyond reservedConcurrency (API Gateway answers 500)
    INTEGRATION_TIMEOUT = "integration_timeout"  # still running after wait_s (API Gateway: 504)


@dataclass(frozen=True, slots=True)
class InvokeResult:
    outcome: Outcome
    payload: bytes = b""  # OK: the raw result body the runtime posted
    error: Mapping[str, Any] | None = None  # ERROR: {"errorMessage","errorType","stackTrace",...}
    cold: bool = False
    duration_ms: float = 0.0  # the handler's run time (Lambda's "Duration")
    init_duration_ms: float = 0.0  # cold starts: spawn to the first GET /next ("Init Duration")


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    python: str = sys.executable  # interpreter for environments (--python)
    runtime_client: str = "builtin"  # "builtin" | "awslambdaric"
    max_concurrency: int = 4  # environments per function (--max-concurrency)
    env_passthrough: tuple[str, ...] = ()  # names copied from the emulator's own environment
    shell_env: Mapping[str, str] = field(default_factory=dict)  # where passthrough values come from


class Invoker(Protocol):
    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float) -> InvokeResult:
        """Run one invocation of `function` (key under functions:) with a serialized event."""
        ...

    def close(self) -> None:
        """Stop every environment; no process is left behind."""
        ...
