"""S3 events in the real emulator process (fixture: uploads).

A handler writes objects with boto3 (the local endpoint); the functions of the buckets' `s3`
events get AWS's notification record for the objects their event type and rules select.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

CONFIG = REPO / "tests" / "fixtures" / "services" / "uploads" / "serverless.yml"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(CONFIG, "--no-reload", "--state-dir", str(state)).start(timeout=90)
    try:
        yield process
    finally:
        assert process.stop() == 0
        assert not re.search(r"^Traceback", process.log, re.M)


def put(emulator: EmulatorProcess, bucket: str, **body: Any) -> None:
    reply = emulator.request("POST", f"/files/{bucket}", body=body)
    assert reply.status == 200, reply.body


def shown(emulator: EmulatorProcess, start: int) -> dict[str, Any]:
    line = emulator.wait_for(r"S3EVENT \{", timeout=30, start=start)
    event: dict[str, Any] = json.loads(line.split("S3EVENT ", 1)[1])["event"]
    return event


def test_start_lines_name_each_notification(emulator: EmulatorProcess) -> None:
    assert ("s3 uploads-dev-incoming -> onUpload (s3:ObjectCreated:*, prefix incoming/, "
            "suffix .txt)") in emulator.output
    assert "s3 uploads-dev-archive -> onDelete (s3:ObjectRemoved:*)" in emulator.output


def test_a_put_the_rules_select_invokes_with_the_s3_record(emulator: EmulatorProcess) -> None:
    start = len(emulator.output)
    put(emulator, "incoming", key="other/skip.txt", text="no")  # prefix not matched
    put(emulator, "incoming", key="incoming/skip.png", text="no")  # suffix not matched
    put(emulator, "incoming", key="incoming/a b.txt", text="hello")
    (record,) = shown(emulator, start)["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == "uploads-dev-incoming"
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads-dev-incoming"
    assert record["s3"]["object"]["key"] == "incoming/a+b.txt"  # URL-encoded, as S3 sends it
    assert record["s3"]["object"]["size"] == 5
    assert set(record) == {"eventVersion", "eventSource", "awsRegion", "eventTime",
                           "eventName", "userIdentity", "requestParameters",
                           "responseElements", "s3"}
    assert not [line for line in emulator.output[start:] if "skip" in line and "S3EVENT" in line]


def test_a_delete_in_an_existing_bucket(emulator: EmulatorProcess) -> None:
    put(emulator, "archive", key="old.csv", text="x")  # created: not followed
    start = len(emulator.output)
    put(emulator, "archive", key="old.csv", delete=True)
    (record,) = shown(emulator, start)["Records"]
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert record["s3"]["object"]["key"] == "old.csv"
