"""The event EventBridge hands a function for a scheduled rule, and what its target input does.

Pure. The event is AWS's "Scheduled Event" (EventBridge User Guide, "Creating a rule that runs
on a schedule"; the Lambda developer guide's sample): {version "0", id, detail-type "Scheduled
Event", source "aws.events", account, time (the scheduled time, whole seconds, Z), region,
resources [the rule's ARN], detail {}}. A target's `input` replaces the event; `inputPath`
hands over the part it selects; an `inputTransformer` fills its template's <name> placeholders
from the paths map ("Transforming Amazon EventBridge target input": a value inside a JSON
string goes in as text, elsewhere as JSON; a path that matches nothing gives null), with the
predefined <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event> and
<aws.events.event.ingestion-time>.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from emulator.config.events.schedule import ScheduleEvent

_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


def scheduled_event(rule_arn: str, when: datetime, event_id: str | None = None
                    ) -> dict[str, Any]:
    """EventBridge's scheduled event for the run at `when`."""
    _, _, _, region, account, _ = rule_arn.split(":", 5)
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def target_input(schedule: ScheduleEvent, event: dict[str, Any]) -> bytes:
    """The payload the function is invoked with: the event, or what the target makes of it."""
    if schedule.input is not None:
        return schedule.input.encode()
    if schedule.input_path is not None:
        return json.dumps(select(event, schedule.input_path)).encode()
    if schedule.template is not None:
        return transform(schedule, event).encode()
    return json.dumps(event).encode()


def select(value: Any, path: str) -> Any:
    """A JSONPath of `$`, `.name` and `[n]` steps; None when it matches nothing."""
    for name, index in _STEP.findall(path[1:]):
        if name and isinstance(value, dict):
            value = value.get(name)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


def transform(schedule: ScheduleEvent, event: dict[str, Any]) -> str:
    """The inputTemplate with its placeholders filled."""
    assert schedule.template is not None
    values: dict[str, Any] = {name: select(event, path) for name, path in schedule.paths_map}
    values.update({"aws.events.rule-arn": schedule.rule_arn,
                   "aws.events.rule-name": schedule.rule_arn.rsplit("/", 1)[-1],
                   "aws.events.event": event,
                   "aws.events.event.ingestion-time": event.get("time")})
    template = schedule.template
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in values:
            continue
        out.append(template[last:match.start()])
        out.append(_filled(values[name], _inside_string(template, match.start())))
        last = match.end()
    return "".join(out) + template[last:]


def _filled(value: Any, quoted: bool) -> str:
    """A value as JSON; inside a string literal, as that literal's (escaped) text."""
    text = json.dumps(value)
    if not quoted:
        return text
    return text[1:-1] if isinstance(value, str) else json.dumps(text)[1:-1]


def _inside_string(text: str, position: int) -> bool:
    """Whether `position` of a JSON text is inside a string literal."""
    inside, escaped = False, False
    for char in text[:position]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside
