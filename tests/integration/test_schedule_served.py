"""`schedule` events in the real emulator process (fixture: schedule).

The start-up lines name each rule and its next run; a `cron(* * * * ? *)` rule runs at the next
minute (so the first test may wait up to a minute), with its inputTransformer applied;
`--no-schedules` names every rule as not run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.integration.emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

CONFIG = REPO / "tests" / "fixtures" / "services" / "schedule" / "serverless.yml"
RULE = "arn:aws:events:us-east-1:123456789012:rule/sched-dev-TickEventsRuleSchedule1"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(CONFIG, "--no-reload", "--state-dir", str(state)).start(timeout=90)
    try:
        yield process
    finally:
        assert process.stop() == 0
        assert not re.search(r"^Traceback", process.log, re.M)


def test_the_start_lines_name_each_rule_and_its_next_run(emulator: EmulatorProcess) -> None:
    ready = next(i for i, line in enumerate(emulator.output) if line.startswith("Ready: "))
    lines = [line for line in emulator.output[:ready] if line.startswith("schedule ")]
    assert len(lines) == 3, lines  # the disabled rule is not run, so not named
    assert re.fullmatch(rf"schedule cron\(\* \* \* \* \? \*\) -> tick \(next run {ISO}\)",
                        lines[0])
    assert re.fullmatch(r"schedule cron\(0 3 \? \* MON-FRI \*\) -> nightly \(next run "
                        r"\d{4}-\d\d-\d\dT03:00:00Z\)", lines[1])
    assert re.fullmatch(r"schedule rate\(2 hours\) -> nightly \(next run \S+Z\)", lines[2])
    assert emulator.request("GET", "/ping").body == b"pong"


def test_a_rule_runs_its_function_with_the_transformed_input(emulator: EmulatorProcess) -> None:
    ran = emulator.wait_for(r"^schedule cron\(\* \* \* \* \? \*\) -> tick: ok$", timeout=100)
    assert ran
    printed = emulator.wait_for(r"EVENT \{", timeout=5)
    event = json.loads(printed.split("EVENT ", 1)[1])
    when = datetime.fromisoformat(event["when"].replace("Z", "+00:00"))
    assert when.second == 0 and when <= datetime.now(UTC)
    assert event == {"when": event["when"], "rule": RULE,
                     "note": f"fired at {event['when']}"}


def test_no_schedules_names_every_rule_as_not_run(tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(CONFIG, "--no-reload", "--no-schedules", "--state-dir",
                              str(state)).start(timeout=90)
    try:
        lines = [line for line in process.output if line.startswith("schedule ")]
    finally:
        assert process.stop() == 0
    assert lines == ["schedule cron(* * * * ? *) -> tick (not run: --no-schedules)",
                     "schedule cron(0 3 ? * MON-FRI *) -> nightly (not run: --no-schedules)",
                     "schedule rate(2 hours) -> nightly (not run: --no-schedules)"]
