"""Scheduled rules: a function with `schedule` events runs on its schedule while the emulator runs.

AWS (EventBridge User Guide, "Creating a rule that runs on a schedule"; Lambda developer guide,
"Asynchronous invocation"): EventBridge invokes the function asynchronously at each scheduled
time, so a slow run never delays the next one; Lambda retries a failed asynchronous invocation
twice, about one and then two minutes later. A rate counts from when the rule is created (here:
when the emulator starts, or when a reload adds the rule); a cron expression is in UTC unless
`timezone` (method: scheduler) says otherwise. One timer thread per rule, asleep between runs
(woken at least once a minute so a changed wall clock is noticed). `--no-schedules` leaves
every rule unrun and says so in the start-up lines.
"""

from __future__ import annotations

import logging
import threading
import uuid
import zoneinfo
from datetime import UTC, datetime, tzinfo

from emulator.config.events.base import SourceEvent
from emulator.config.events.schedule import ScheduleEvent
from emulator.runtime.invoker import Outcome
from emulator.runtime.outcomes import INIT_TIMEOUT_S
from emulator.sources.base import RunnerContext
from emulator.sources.schedule_event import scheduled_event, target_input

log = logging.getLogger("emulator.schedule")

RETRY_DELAYS_S = (60.0, 120.0)  # Lambda's two retries of a failed asynchronous invocation
MAX_SLEEP_S = 60.0


class ScheduleTimer:
    """One rule's timer: sleeps until the next run, invokes in a thread of its own, repeats."""

    def __init__(self, context: RunnerContext, event: ScheduleEvent,
                 clock: type[datetime] = datetime) -> None:
        self.context, self.event, self.clock = context, event, clock
        self.zone: tzinfo = zoneinfo.ZoneInfo(event.timezone) if event.timezone else UTC
        self.schedule = event.schedule
        self.started = clock.now(self.zone)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"schedule-{event.function}")

    @classmethod
    def create(cls, context: RunnerContext, event: SourceEvent) -> ScheduleTimer | Unrun:
        assert isinstance(event, ScheduleEvent)
        return cls(context, event) if context.settings.schedules else Unrun(event)

    def start(self) -> ScheduleTimer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()

    def next_run(self) -> datetime | None:
        return self.schedule.next_after(self.started, self.clock.now(self.zone))

    def describe(self) -> str:
        upcoming = self.next_run()
        when = "never again" if upcoming is None else f"next run {_iso(upcoming)}"
        return f"schedule {self.event.expression} -> {self.event.function} ({when})"

    def _run(self) -> None:
        upcoming = self.next_run()
        while upcoming is not None and not self.stopping.is_set():
            left = (upcoming - self.clock.now(self.zone)).total_seconds()
            if left > 0:
                self.stopping.wait(min(left, MAX_SLEEP_S))
                continue
            threading.Thread(target=self._deliver, args=(upcoming,), daemon=True,
                             name=f"schedule-run-{self.event.function}").start()
            upcoming = self.next_run()

    def _deliver(self, when: datetime) -> None:
        """One run: the invoke, and Lambda's asynchronous retries of a failure."""
        payload = target_input(self.event, scheduled_event(self.event.rule_arn, when))
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS_S)):
            if self.stopping.wait(delay):
                return
            service = self.context.service()
            function = service.functions.get(self.event.function)
            if function is None:
                return
            result = self.context.invoker.invoke(
                function.name, payload, str(uuid.uuid4()),
                function.timeout_s + INIT_TIMEOUT_S + 5)
            retry = "" if attempt == 0 else f" (retry {attempt})"
            if result.outcome is Outcome.OK:
                log.info("schedule %s -> %s: ok%s", self.event.expression,
                         self.event.function, retry)
                return
            more = (f", retrying in {RETRY_DELAYS_S[attempt]:.0f} s"
                    if attempt < len(RETRY_DELAYS_S) else ", dropped after 2 retries")
            log.info("schedule %s -> %s: %s%s%s", self.event.expression, self.event.function,
                     result.outcome.value, retry, more)


class Unrun:
    """A rule left unrun by --no-schedules: named at start, never fired."""

    def __init__(self, event: ScheduleEvent) -> None:
        self.event = event

    def start(self) -> Unrun:
        return self

    def stop(self) -> None:
        pass

    def describe(self) -> str:
        return (f"schedule {self.event.expression} -> {self.event.function} "
                "(not run: --no-schedules)")


def _iso(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    local = "" if moment.utcoffset() == utc.utcoffset() else f", {moment.isoformat()}"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ") + local
