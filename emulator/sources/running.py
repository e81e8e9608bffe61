"""The runners of one emulator run: started with the service, swapped on reload, stopped.

On a reload each kind's runners are compared event by event: an event that is unchanged keeps
its runner (a poller keeps polling, a timer keeps its next run), a new one starts, a removed or
changed one stops. Runners read the config as now served, so a function's new timeout applies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from emulator.aws.queues import create_queues_and_buckets
from emulator.config.events.base import SourceEvent
from emulator.config.service import ServiceConfig
from emulator.runtime.invoker import Invoker
from emulator.sources.base import Runner, RunnerContext, SourceSettings
from emulator.sources.table import RUNNERS

log = logging.getLogger("emulator.sources")


class EventSources:
    """The runners of one emulator run; `reload` keeps the ones whose event is unchanged."""

    def __init__(self, invoker: Invoker, endpoint: str,
                 settings: SourceSettings | None = None) -> None:
        self.invoker, self.endpoint = invoker, endpoint
        self.settings = settings or SourceSettings()
        self.runners: list[Runner] = []
        self.shared: dict[str, Any] = {}  # what runners share (RunnerContext.shared)
        self._service: ServiceConfig | None = None
        self._lock = threading.Lock()

    def current(self) -> ServiceConfig:
        assert self._service is not None, "EventSources.start was not called"
        return self._service

    def start(self, service: ServiceConfig) -> EventSources:
        """Create the queues and buckets of `resources:`, then run each enabled event."""
        create_queues_and_buckets(service, self.endpoint)
        context = RunnerContext(self.current, self.invoker, self.endpoint, self.settings,
                                self.shared)
        wanted = served_events(service)
        with self._lock:
            self._service = service
            kept = [r for r in self.runners if r.event in wanted]
            old = [r for r in self.runners if r.event not in wanted]
            running = {r.event for r in kept}
            new = [runner.start() for runner in (
                RUNNERS[e.kind](context, e) for e in wanted if e not in running)
                if runner is not None]
            self.runners = kept + new
        _stop(old)
        for runner in new:
            log.info("%s", runner.describe())
        return self

    def reload(self, service: ServiceConfig) -> None:
        """A hot reload's new config: new queues and buckets, runners for changed events."""
        self.start(service)

    def stop(self) -> None:
        with self._lock:
            old, self.runners = self.runners, []
        _stop(old)
        for helper in self.shared.values():
            helper.stop()


def served_events(service: ServiceConfig) -> list[SourceEvent]:
    """The enabled events of the served functions that have a runner, without repeats."""
    return list(dict.fromkeys(e for e in service.events if e.enabled and e.kind in RUNNERS
                              and e.function in service.functions))


def _stop(runners: Sequence[Runner]) -> None:
    for runner in runners:
        runner.stop()
