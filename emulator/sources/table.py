"""The runners of the event kinds: one row each (the config side is config/events/table.py)."""

from __future__ import annotations

from emulator.sources.base import RunnerFactory
from emulator.sources.s3 import S3Notifications
from emulator.sources.schedule import ScheduleTimer
from emulator.sources.sqs import SqsPoller
from emulator.sources.stream import StreamPoller

RUNNERS: dict[str, RunnerFactory] = {
    "sqs": SqsPoller.create,
    "schedule": ScheduleTimer.create,
    "stream": StreamPoller.create,
    "s3": S3Notifications.create,
}
