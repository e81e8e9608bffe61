"""The scheduled event (golden JSON from AWS's sample) and what a target's input makes of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.config.events.schedule import ScheduleEvent
from emulator.sources.schedule_event import scheduled_event, select, target_input

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "events"
RULE = "arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"
WHEN = datetime(2015, 10, 8, 16, 53, 6, tzinfo=UTC)


def rule(**options: object) -> ScheduleEvent:
    return ScheduleEvent("f", "k", "rate(1 minute)", RULE, **options)  # type: ignore[arg-type]


def test_the_event_is_eventbridges_scheduled_event() -> None:
    golden = json.loads((GOLDEN / "eventbridge-scheduled.json").read_text())
    assert scheduled_event(RULE, WHEN, "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa") == golden
    assert list(scheduled_event(RULE, WHEN)) == list(golden)  # AWS's key order


def test_without_input_the_target_gets_the_event() -> None:
    event = scheduled_event(RULE, WHEN)
    assert json.loads(target_input(rule(), event)) == event


def test_input_replaces_the_event() -> None:
    assert target_input(rule(input='{"task": "purge"}'), scheduled_event(RULE, WHEN)) == \
        b'{"task": "purge"}'


@pytest.mark.parametrize(("path", "expected"), [
    ("$", None),  # replaced below by the whole event
    ("$.detail", {}),
    ("$.resources[0]", RULE),
    ("$.time", "2015-10-08T16:53:06Z"),
    ("$.missing.deeper", None),
    ("$.resources[3]", None),
])
def test_input_path_selects_a_part(path: str, expected: object) -> None:
    event = scheduled_event(RULE, WHEN)
    wanted = event if path == "$" else expected
    assert select(event, path) == wanted
    assert json.loads(target_input(rule(input_path=path), event)) == wanted


def test_input_transformer_fills_values_as_json_or_inside_strings() -> None:
    template = ('{"at": <when>, "text": "rule <rule> ran at <when>", "region": <region>, '
                '"name": "<aws.events.rule-name>", "none": <missing>, "keep": "<unknown>"}')
    transformer = rule(paths_map=(("when", "$.time"), ("region", "$.region"),
                                  ("rule", "$.resources"), ("missing", "$.nope")),
                       template=template)
    payload = json.loads(target_input(transformer, scheduled_event(RULE, WHEN)))
    assert payload == {"at": "2015-10-08T16:53:06Z",
                       "text": f'rule ["{RULE}"] ran at 2015-10-08T16:53:06Z',
                       "region": "us-east-1", "name": "my-scheduled-rule", "none": None,
                       "keep": "<unknown>"}


def test_the_whole_event_is_a_predefined_variable() -> None:
    transformer = rule(template='{"wrapped": <aws.events.event>}')
    event = scheduled_event(RULE, WHEN)
    assert json.loads(target_input(transformer, event)) == {"wrapped": event}
