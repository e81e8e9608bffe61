"""The schedule timer: runs on its schedule, retries failures as Lambda's async invoke does."""

from __future__ import annotations

import dataclasses
import json
import queue
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest

from emulator.config.events.schedule import ScheduleEvent
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.invoker import InvokeResult, Outcome
from emulator.sources import schedule as schedule_module
from emulator.sources.base import RunnerContext, SourceSettings
from emulator.sources.running import EventSources
from emulator.sources.schedule import ScheduleTimer

RULE = "arn:aws:events:us-east-1:123456789012:rule/svc-dev-JobEventsRuleSchedule1"
T0 = datetime(2026, 12, 7, 20, 0, 0, tzinfo=UTC)


class Invoker:
    def __init__(self, outcomes: list[Outcome] | None = None) -> None:
        self.outcomes = outcomes or []
        self.calls: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        self.calls.put((function, json.loads(event)))
        return InvokeResult(self.outcomes.pop(0) if self.outcomes else Outcome.OK, b"null")

    def close(self) -> None:
        pass


class SteppingClock(datetime):
    """A wall clock that moves 30 s on every reading: a rate(1 minute) fires at once."""

    moment = T0

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> SteppingClock:
        SteppingClock.moment += timedelta(seconds=30)
        return SteppingClock.moment  # type: ignore[return-value]


def service() -> ServiceConfig:
    function = FunctionConfig("job", "svc-dev-job", "app.main", {})
    return ServiceConfig("svc", "dev", "us-east-1", Path("."), Path("serverless.yml"),
                         {"job": function}, ())


def context(invoker: Invoker, schedules: bool = True) -> RunnerContext:
    return RunnerContext(service, invoker, "http://127.0.0.1:1",  # type: ignore[arg-type]
                         SourceSettings(schedules=schedules))


def test_a_rate_runs_the_function_with_the_scheduled_event() -> None:
    SteppingClock.moment = T0
    invoker = Invoker()
    event = ScheduleEvent("job", "functions.job.events[0].schedule", "rate(1 minute)", RULE)
    timer = ScheduleTimer(context(invoker), event, clock=SteppingClock).start()
    try:
        runs = [invoker.calls.get(timeout=10) for _ in range(3)]
    finally:
        timer.stop()
    # each run is invoked in a thread of its own (asynchronously), so they may arrive unordered
    times = sorted(datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for _, e in runs)
    assert [f for f, _ in runs] == ["job"] * 3
    assert times[0] == T0 + timedelta(minutes=1, seconds=30)  # started at T0 + 30 s
    assert len(set(times)) == 3
    assert all((t - times[0]) % timedelta(minutes=1) == timedelta(0) for t in times)
    assert runs[0][1]["resources"] == [RULE]
    assert runs[0][1]["detail-type"] == "Scheduled Event"


def test_a_failed_run_is_retried_twice_then_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule_module, "RETRY_DELAYS_S", (0.0, 0.0))
    invoker = Invoker([Outcome.ERROR, Outcome.ERROR, Outcome.ERROR])
    event = ScheduleEvent("job", "k", "rate(1 minute)", RULE, input='{"n": 1}')
    timer = ScheduleTimer(context(invoker), event)
    timer._deliver(T0)
    assert [invoker.calls.get_nowait()[1] for _ in range(3)] == [{"n": 1}] * 3
    assert invoker.calls.empty()


def test_describe_names_the_next_run_and_no_schedules_leaves_it_unrun() -> None:
    SteppingClock.moment = T0
    event = ScheduleEvent("job", "k", "cron(0 12 * * ? *)", RULE)
    timer = ScheduleTimer(context(Invoker()), event, clock=SteppingClock)
    assert timer.describe() == "schedule cron(0 12 * * ? *) -> job (next run 2026-12-08T12:00:00Z)"
    unrun = ScheduleTimer.create(context(Invoker(), schedules=False), event)
    assert unrun.start().describe() == ("schedule cron(0 12 * * ? *) -> job "
                                        "(not run: --no-schedules)")


def test_a_reload_keeps_the_timer_of_an_unchanged_rule() -> None:
    invoker = Invoker()
    events = (ScheduleEvent("job", "a", "cron(0 12 * * ? *)", RULE),
              ScheduleEvent("job", "b", "cron(0 13 * * ? *)", RULE))
    config = service()
    sources = EventSources(invoker, "http://127.0.0.1:1", SourceSettings())  # type: ignore[arg-type]
    try:
        sources.start(dataclasses.replace(config, events=events))
        first = list(sources.runners)
        sources.reload(dataclasses.replace(config, events=(
            events[0], ScheduleEvent("job", "b", "cron(0 14 * * ? *)", RULE))))
        assert sources.runners[0] is first[0]
        assert sources.runners[1] is not first[1]
        assert first[1].stopping.is_set()  # type: ignore[attr-defined]
    finally:
        sources.stop()
