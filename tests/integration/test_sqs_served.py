"""Queues of `resources:` and `sqs` events, in the real emulator process (fixture: queues).

The http function sends with boto3 to the URL `!Ref Jobs` gives (https://sqs.<region>...,
reached through AWS_ENDPOINT_URL); the workers record every record they get in a table that
GET /seen lists. Each step waits on the emulator's own "sqs <queue> -> <function>" line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

QUEUES = REPO / "tests" / "fixtures" / "services" / "queues" / "serverless.yml"
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/queues-dev-"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(QUEUES, "--no-reload", "--state-dir", str(state)).start(timeout=90)
    try:
        yield process
    finally:
        assert process.stop() == 0
        assert not re.search(r"^Traceback", process.log, re.M)  # the emulator's own: none


@pytest.fixture(scope="module")
def sqs(emulator: EmulatorProcess) -> Any:
    return moto_sqs(emulator)


def moto_sqs(emulator: EmulatorProcess) -> Any:
    """A client of moto's (the endpoint the start banner names), as a developer's would be."""
    return emulator.aws_client("sqs")


def send(emulator: EmulatorProcess, queue: str, *bodies: str) -> list[str]:
    reply = emulator.request("POST", f"/send/{queue}", body={"bodies": list(bodies)})
    assert reply.status == 200, reply.body
    assert reply.json()["url"] == URL + {"jobs": "Jobs", "partial": "Partial"}[queue]
    ids: list[str] = reply.json()["ids"]
    return ids


def seen(emulator: EmulatorProcess, message_id: str) -> list[dict[str, Any]]:
    reply = emulator.request("GET", "/seen")
    assert reply.status == 200, reply.body
    return sorted((i for i in reply.json() if i["record"]["messageId"] == message_id),
                  key=lambda i: str(i["id"]))


def wait_lines(emulator: EmulatorProcess, pattern: str, count: int, start: int) -> None:
    for _ in range(count):
        line = emulator.wait_for(pattern, timeout=20, start=start)
        start = emulator.output.index(line, start) + 1


def test_the_worker_gets_the_message_and_it_is_deleted(emulator: EmulatorProcess,
                                                       sqs: Any) -> None:
    banner = emulator.log.split("Ready:")[0]  # each mapping is named once before Ready
    assert "sqs queues-dev-Jobs -> worker (batchSize 5)\n" in banner
    assert "sqs queues-dev-Partial -> partial (batchSize 10, ReportBatchItemFailures)\n" in banner
    mark = len(emulator.output)
    (message_id,) = send(emulator, "jobs", "hello")
    wait_lines(emulator, r"^sqs queues-dev-Jobs -> worker: 1 message, ok$", 1, mark)
    (item,) = seen(emulator, message_id)
    record = item["record"]
    assert (item["function"], record["body"], record["eventSource"]) == (
        "worker", "hello", "aws:sqs")
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:queues-dev-Jobs"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["origin"]["stringValue"] == "send"
    attributes = sqs.get_queue_attributes(QueueUrl=URL + "Jobs", AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert attributes == {"ApproximateNumberOfMessages": "0",
                          "ApproximateNumberOfMessagesNotVisible": "0"}


def test_a_failing_message_is_redelivered_then_dead_lettered(emulator: EmulatorProcess) -> None:
    mark = len(emulator.output)
    (message_id,) = send(emulator, "jobs", "fail always")
    # maxReceiveCount 2: delivered twice (each time an error), then moved to the DLQ
    wait_lines(emulator, r"^sqs queues-dev-Jobs -> worker: 1 message, error: left on the queue$",
               2, mark)
    reply = emulator.request("GET", "/dlq")  # the handler long-polls the DLQ
    assert reply.status == 200, reply.body
    assert [m["body"] for m in reply.json()] == ["fail always"]
    counts = [i["record"]["attributes"]["ApproximateReceiveCount"]
              for i in seen(emulator, message_id)]
    assert counts == ["1", "2"]


def test_report_batch_item_failures_keeps_only_the_reported(emulator: EmulatorProcess,
                                                            sqs: Any) -> None:
    mark = len(emulator.output)
    good, bad = send(emulator, "partial", "good", "bad one")
    wait_lines(emulator, r"^sqs queues-dev-Partial -> partial: \d messages?, ok, 1 reported "
                         r"failed$", 2, mark)
    assert len(seen(emulator, good)) == 1  # deleted after its first delivery
    assert len(seen(emulator, bad)) >= 2  # reported, so back on the queue each time
    sqs.purge_queue(QueueUrl=URL + "Partial")


def test_a_bucket_of_resources_is_created(emulator: EmulatorProcess) -> None:
    reply = emulator.request("POST", "/upload", body="some bytes")
    assert reply.status == 200, reply.body
    assert reply.json() == {"bucket": "queues-dev-uploads",
                            "arn": "arn:aws:s3:::queues-dev-uploads", "body": "some bytes"}


EXTRA = """\
  extra:
    handler: handlers.worker
    events:
      - sqs:
          arn: !GetAtt Extra.Arn

resources:
  Resources:
    Extra:
      Type: AWS::SQS::Queue
"""


def test_a_queue_and_worker_added_while_running_are_served(tmp_path: Path) -> None:
    folder = tmp_path / "svc"
    shutil.copytree(QUEUES.parent, folder, ignore=shutil.ignore_patterns(".emulator"))
    config = folder / "serverless.yml"
    emu = EmulatorProcess(config, "--in-memory").start(timeout=90)
    try:
        mark = len(emu.output)
        config.write_text(config.read_text().replace("\nresources:\n  Resources:\n", EXTRA))
        emu.wait_for(r"^Reloaded serverless.yml: .*\+1 queue \(queues-dev-Extra\)", 30, mark)
        moto_sqs(emu).send_message(QueueUrl=URL + "Extra", MessageBody="late")
        wait_lines(emu, r"^sqs queues-dev-Extra -> extra: 1 message, ok$", 1, mark)
    finally:
        assert emu.stop() == 0
