"""DynamoDB Streams in the real emulator process (fixture: streams).

A handler writes through boto3 (the local endpoint); the stream poller hands the changes to the
audit function, filtered to inserts and modifications, in order; a function that fails every
batch of another table is retried without end and holds up neither the audit stream nor the
gateway. Each step waits on the emulator's own "stream <table> -> <function>" lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

CONFIG = REPO / "tests" / "fixtures" / "services" / "streams" / "serverless.yml"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(CONFIG, "--no-reload", "--state-dir", str(state)).start(timeout=90)
    try:
        yield process
    finally:
        assert process.stop() == 0
        assert not re.search(r"^Traceback", process.log, re.M)


def write(emulator: EmulatorProcess, table: str, **item: Any) -> None:
    reply = emulator.request("POST", f"/items/{table}", body=item)
    assert reply.status == 200, reply.body


def audited(emulator: EmulatorProcess, count: int, start: int) -> list[dict[str, Any]]:
    found = []
    for _ in range(count):
        line = emulator.wait_for(r"AUDIT \{", timeout=30, start=start)
        start = emulator.output.index(line, start) + 1
        found.append(json.loads(line.split("AUDIT ", 1)[1]))
    return found


def test_start_lines_name_each_mapping(emulator: EmulatorProcess) -> None:
    assert "stream streams-items -> audit (batchSize 10, LATEST)" in emulator.output
    assert "stream streams-poison -> stuck (batchSize 100, TRIM_HORIZON)" in emulator.output


def test_changes_reach_the_function_in_order_filtered(emulator: EmulatorProcess) -> None:
    start = len(emulator.output)
    write(emulator, "items", id="a", value=1)
    write(emulator, "items", id="a", value=2)
    write(emulator, "items", id="a", delete=True)  # REMOVE: filtered out
    write(emulator, "items", id="b", value=3)
    records = audited(emulator, 3, start)
    assert [(r["eventName"], r["keys"]) for r in records] == [
        ("INSERT", {"id": {"S": "a"}}), ("MODIFY", {"id": {"S": "a"}}),
        ("INSERT", {"id": {"S": "b"}})]
    assert records[1]["new"] == {"id": {"S": "a"}, "value": {"N": "2"}}
    assert records[1]["old"] == {"id": {"S": "a"}, "value": {"N": "1"}}
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:123456789012:table/streams-items/stream/"
                        r"\S+", records[0]["source"])


def test_a_batch_failing_forever_holds_up_nothing_else(emulator: EmulatorProcess) -> None:
    start = len(emulator.output)
    write(emulator, "poison", id="p")
    for _ in range(2):  # retried, again and again
        line = emulator.wait_for(r"^stream streams-poison -> stuck: 1 record, error: retrying$",
                                 timeout=30, start=start)
        start = emulator.output.index(line, start) + 1
    mark = len(emulator.output)
    write(emulator, "items", id="c", value=4)
    assert audited(emulator, 1, mark)[0]["keys"] == {"id": {"S": "c"}}
