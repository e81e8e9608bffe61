"""The Invoker seam: how the gateway and the CLI run a function, and what comes back.

One protocol, several back ends (STYLE.md): EnvironmentPool (a process per execution
environment, environments.py) and InProcessInvoker (inprocess.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from emulator.config.service import FunctionConfig, ServiceConfig

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
class FunctionRuntime:
    """Where one function's environments run: interpreter, extra import path, task root."""

    python: str  # the handlers' virtualenv (dependencies.py)
    import_paths: tuple[str, ...] = ()  # after the task root, as /opt/python (layers)
    task_root: str | None = None  # the package root (a `module:` folder); None: the service's
    launcher: tuple[str, ...] = ()  # before bootstrap.py's path: python3.6's (old_pythons.py)


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    python: str = sys.executable  # interpreter for environments (--python)
    runtime_client: str = "builtin"  # "builtin" | "awslambdaric"
    max_concurrency: int = 4  # environments per function (--max-concurrency)
    env_passthrough: tuple[str, ...] = ()  # names copied from the emulator's own environment
    shell_env: Mapping[str, str] = field(default_factory=dict)  # where passthrough values come from
    # Per function (the handlers' virtualenv, dependencies.py); None: `python` for every one.
    runtime_for: Callable[[ServiceConfig, FunctionConfig], FunctionRuntime] | None = None


class Invoker(Protocol):
    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float) -> InvokeResult:
        """Run one invocation of `function` (key under functions:) with a serialized event."""
        ...

    def close(self) -> None:
        """Stop every environment; no process is left behind."""
        ...
