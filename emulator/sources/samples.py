"""`invoke --event-type KIND` from the project's own config: the function's first event of that
kind fills the sample (its rule and target input, its queue, its table's stream, its bucket
and rules); a function without one gets the generic sample (runtime/sample_events.py).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from emulator.config.events.s3 import S3Event
from emulator.config.events.schedule import ScheduleEvent
from emulator.config.events.sqs import SqsEvent
from emulator.config.events.stream import StreamEvent
from emulator.config.service import ServiceConfig
from emulator.runtime.sample_events import sample_event
from emulator.sources.schedule_event import scheduled_event, target_input

_SOURCE_KIND = {"schedule": "schedule", "sqs": "sqs", "dynamodb-stream": "stream", "s3": "s3"}


def configured_event(kind: str, service: ServiceConfig, function: str,
                     now: float | None = None) -> dict[str, Any]:
    """The sample of `kind` shaped by `function`'s own event of that kind, if it has one."""
    now = time.time() if now is None else now
    sample = sample_event(kind, region=service.region, account_id=service.account_id, now=now)
    event = next((e for e in service.events_of(_SOURCE_KIND[kind]) if e.function == function),
                 None)
    if isinstance(event, ScheduleEvent):
        when = datetime.fromtimestamp(now, UTC).replace(second=0, microsecond=0)
        value: dict[str, Any] = json.loads(
            target_input(event, scheduled_event(event.rule_arn, when)))
        return value
    record = sample["Records"][0]
    if isinstance(event, SqsEvent):
        record["eventSourceARN"] = event.arn
    elif isinstance(event, StreamEvent):
        label = record["eventSourceARN"].rsplit("/stream/", 1)[1]
        record["eventSourceARN"] = event.arn.replace("/stream/*", f"/stream/{label}")
    elif isinstance(event, S3Event):
        _fill_s3(record, event)
    return sample


def _fill_s3(record: dict[str, Any], event: S3Event) -> None:
    record["s3"]["bucket"].update(name=event.bucket, arn=f"arn:aws:s3:::{event.bucket}")
    record["s3"]["object"]["key"] = f"{event.prefix or ''}example{event.suffix or '.txt'}"
    family, _, specific = event.event[3:].partition(":")
    record["eventName"] = f"{family}:{'Put' if family == 'ObjectCreated' else 'Delete'}" \
        if specific in ("*", "") else f"{family}:{specific}"
