"""The seam every runner plugs into: what it is given, and what it must answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.config.events.base import SourceEvent
from emulator.config.service import ServiceConfig
from emulator.runtime.invoker import Invoker


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """The command line's say over the sources (`--no-schedules`)."""

    schedules: bool = True


@dataclass(frozen=True, slots=True)
class RunnerContext:
    """What a runner needs: the config as now served (it changes on reload), the invoker,
    moto's endpoint, and the command line's settings."""

    service: Callable[[], ServiceConfig]
    invoker: Invoker
    endpoint: str
    settings: SourceSettings = field(default_factory=SourceSettings)
    # helpers the runners of one run share (the change feed), closed with EventSources.stop
    shared: dict[str, Any] = field(default_factory=dict)


class Runner(Protocol):
    """One event's runner: started once, stopped once (stop signals; it does not wait)."""

    @property
    def event(self) -> SourceEvent: ...

    def start(self) -> Runner: ...

    def stop(self) -> None: ...

    def describe(self) -> str: ...  # the start-up line naming it


# kind -> runner of one event (None: not run, e.g. schedules turned off)
RunnerFactory = Callable[[RunnerContext, SourceEvent], "Runner | None"]
