"""`schedule` events of serverless.yml -> ScheduleEvent values, and the errors AWS would give."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.events.schedule import ScheduleEvent
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

RULE = "arn:aws:events:eu-west-1:123456789012:rule/"


def load(tmp_path: Path, events: str) -> tuple[ServiceConfig, Path]:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider:\n  runtime: python3.12\n  region: eu-west-1\n"
                    "functions:\n  nightly-job:\n    handler: app.main\n    events:\n"
                    + textwrap.indent(textwrap.dedent(events), "      "), encoding="utf-8")
    return load_service(path, env={}), path


def test_string_object_and_list_forms(tmp_path: Path) -> None:
    config, _ = load(tmp_path, """\
        - schedule: rate(10 minutes)
        - schedule:
            rate: ['cron(0 12 * * ? *)', rate(1 hour)]
            enabled: false
            input: {key: value}
        - schedule:
            rate: cron(0 9 ? * MON *)
            name: weekly
            inputPath: $.detail
            method: scheduler
            timezone: Europe/Paris
        - schedule:
            rate: rate(1 day)
            inputTransformer:
              inputPathsMap: {when: $.time}
              inputTemplate: '{"at": <when>}'
        """)
    name = "svc-dev-NightlyDashjobEventsRuleSchedule"
    assert config.events == (
        ScheduleEvent("nightly-job", "functions.nightly-job.events[0].schedule",
                      "rate(10 minutes)", RULE + name + "1"),
        ScheduleEvent("nightly-job", "functions.nightly-job.events[1].schedule.rate[0]",
                      "cron(0 12 * * ? *)", RULE + name + "2", enabled=False,
                      input='{"key": "value"}'),
        ScheduleEvent("nightly-job", "functions.nightly-job.events[1].schedule.rate[1]",
                      "rate(1 hour)", RULE + name + "2", enabled=False,
                      input='{"key": "value"}'),
        ScheduleEvent("nightly-job", "functions.nightly-job.events[2].schedule.rate",
                      "cron(0 9 ? * MON *)", RULE + "weekly", input_path="$.detail",
                      timezone="Europe/Paris"),
        ScheduleEvent("nightly-job", "functions.nightly-job.events[3].schedule.rate",
                      "rate(1 day)", RULE + name + "4", paths_map=(("when", "$.time"),),
                      template='{"at": <when>}'))
    assert config.unsupported == ()


@pytest.mark.parametrize(("events", "line", "key", "message"), [
    ("- schedule: rate(1 minutes)\n", 9, "functions.nightly-job.events[0].schedule",
     "invalid schedule expression: 'rate(1 minutes)': the unit is singular for 1"),
    ("- http: GET a\n- schedule:\n    rate: cron(0 0 * * * *)\n", 11,
     "functions.nightly-job.events[1].schedule.rate",
     "exactly one of Day-of-month and Day-of-week must be '?'"),
    ("- schedule:\n    rate: [rate(5 minutes), 'cron(0 0 ? * 9 *)']\n", 10,
     "functions.nightly-job.events[0].schedule.rate[1]", "Day-of-week '9': expected 1-7"),
    ("- schedule:\n    rate: rate(5 minutes)\n    input: {a: 1}\n    inputPath: $.detail\n",
     12, "functions.nightly-job.events[0].schedule.inputPath",
     "You can only set one of input, inputPath, or inputTransformer"),
    ("- schedule:\n    rate: rate(5 minutes)\n    input: 'not json'\n", 11,
     "functions.nightly-job.events[0].schedule.input", "input must be valid JSON"),
    ("- schedule:\n    rate: rate(5 minutes)\n    inputPath: detail\n", 11,
     "functions.nightly-job.events[0].schedule.inputPath", "a JSONPath such as $.detail"),
    ("- schedule:\n    rate: rate(5 minutes)\n    inputTransformer: {inputPathsMap: {}}\n",
     None, "functions.nightly-job.events[0].schedule.inputTransformer.inputTemplate",
     "inputTemplate is required"),
    ("- schedule:\n    rate: rate(5 minutes)\n    enabled: yes please\n", 11,
     "functions.nightly-job.events[0].schedule.enabled", "must be true or false"),
    ("- schedule:\n    rate: rate(5 minutes)\n    timezone: Mars/Olympus\n", 11,
     "functions.nightly-job.events[0].schedule.timezone", "unknown time zone"),
    ("- schedule:\n    enabled: true\n", 10, "functions.nightly-job.events[0].schedule",
     "rate is required"),
])
def test_bad_schedules_name_file_line_and_key(tmp_path: Path, events: str, line: int | None,
                                              key: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, events)
    error = raised.value
    assert (error.key, message in error.detail) == (key, True), error.detail
    if line is not None:
        assert error.line == line
