"""The SQS pollers (emulator/sources/) against a moto server, with an invoker that records.

Each test waits on what the fake invoker was handed (a queue of calls), never on time.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from emulator.aws.queues import create_queues_and_buckets
from emulator.aws.tables import local_client
from emulator.config.errors import ConfigError
from emulator.config.events.sqs import SqsEvent
from emulator.config.service import FunctionConfig, QueueConfig, ServiceConfig
from emulator.runtime.invoker import InvokeResult, Outcome
from emulator.sources.running import EventSources

ARN = "arn:aws:sqs:us-east-1:123456789012:"


class RecordingInvoker:
    """Answers each invoke with `reply(event)`; puts (function, event) on `calls`."""

    def __init__(self, reply: Callable[[dict[str, Any]], InvokeResult]) -> None:
        self.reply = reply
        self.calls: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        parsed = json.loads(event)
        result = self.reply(parsed)
        self.calls.put((function, parsed))
        return result

    def close(self) -> None:
        pass

    def next(self) -> tuple[str, dict[str, Any]]:
        return self.calls.get(timeout=10)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def service(event: SqsEvent, *queues: QueueConfig) -> ServiceConfig:
    function = FunctionConfig("worker", "svc-dev-worker", "app.work", {})
    return ServiceConfig("svc", "dev", "us-east-1", Path("."), Path("serverless.yml"),
                         {"worker": function}, (), queues=queues, events=(event,))


def counts(endpoint: str, name: str) -> tuple[str, str]:
    attributes = local_client("sqs", endpoint, "us-east-1").get_queue_attributes(
        QueueUrl=f"{endpoint}/123456789012/{name}", AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    values = attributes["Attributes"]
    return values["ApproximateNumberOfMessages"], values["ApproximateNumberOfMessagesNotVisible"]


def send(endpoint: str, name: str, *bodies: str) -> None:
    client = local_client("sqs", endpoint, "us-east-1")
    url = f"https://sqs.us-east-1.amazonaws.com/123456789012/{name}"  # what Ref gives
    client.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)])


def test_a_batch_is_delivered_then_deleted(endpoint: str) -> None:
    invoker = RecordingInvoker(lambda event: InvokeResult(Outcome.OK, b"null"))
    event = SqsEvent("worker", ARN + "ok-q", "functions.worker.events[0].sqs", batch_size=3)
    sources = EventSources(invoker, endpoint).start(service(event, QueueConfig(
        "Q", "ok-q", {"VisibilityTimeout": "30"})))
    try:
        send(endpoint, "ok-q", "a", "b", "c", "d")
        seen = []
        while len(seen) < 4:
            function, delivered = invoker.next()
            assert function == "worker"
            assert 1 <= len(delivered["Records"]) <= 3  # never more than batchSize
            seen += [r["body"] for r in delivered["Records"]]
            assert {r["eventSourceARN"] for r in delivered["Records"]} == {ARN + "ok-q"}
    finally:
        sources.stop()
    assert sorted(seen) == ["a", "b", "c", "d"]
    assert counts(endpoint, "ok-q") == ("0", "0")


def test_messages_no_filter_matches_are_deleted_undelivered(endpoint: str) -> None:
    invoker = RecordingInvoker(lambda event: InvokeResult(Outcome.OK, b"null"))
    event = SqsEvent("worker", ARN + "filter-q", "k", batch_size=10, filter_patterns=(
        '{"body": {"kind": ["order"]}}', '{"body": ["ping"]}'))
    sources = EventSources(invoker, endpoint).start(service(event, QueueConfig(
        "Q", "filter-q", {"VisibilityTimeout": "30"})))
    try:
        send(endpoint, "filter-q", '{"kind": "order", "n": 1}', '{"kind": "refund"}', "ping",
             "pong", '{"kind": "order", "n": 2}')
        seen: list[str] = []
        while len(seen) < 3:
            seen += [r["body"] for r in invoker.next()[1]["Records"]]
        deadline = time.monotonic() + 10
        while counts(endpoint, "filter-q") != ("0", "0"):  # the deletes follow the invoke
            assert time.monotonic() < deadline, counts(endpoint, "filter-q")
    finally:
        sources.stop()
    assert sorted(seen) == ["ping", '{"kind": "order", "n": 1}', '{"kind": "order", "n": 2}']
    assert invoker.calls.empty()


def test_an_error_leaves_the_batch_and_reported_failures_stay(endpoint: str) -> None:
    def reply(event: dict[str, Any]) -> InvokeResult:
        if any(r["body"] == "boom" for r in event["Records"]):
            return InvokeResult(Outcome.ERROR, error={"errorType": "RuntimeError"})
        return InvokeResult(Outcome.OK, json.dumps({"batchItemFailures": [
            {"itemIdentifier": r["messageId"]} for r in event["Records"]
            if r["body"] == "bad"]}).encode())

    invoker = RecordingInvoker(reply)
    event = SqsEvent("worker", ARN + "err-q", "k", report_batch_item_failures=True)
    sources = EventSources(invoker, endpoint).start(service(event, QueueConfig(
        "Q", "err-q", {"VisibilityTimeout": "60"})))
    try:
        send(endpoint, "err-q", "boom")
        invoker.next()
        send(endpoint, "err-q", "bad", "fine")
        bodies: list[str] = []
        while sorted(bodies) != ["bad", "fine"]:
            bodies += [r["body"] for r in invoker.next()[1]["Records"]]
    finally:
        sources.stop()
    # "boom" (the invoke failed) and "bad" (reported) are in flight until the visibility
    # timeout; "fine" was deleted
    assert counts(endpoint, "err-q") == ("0", "2")


class Warnings(logging.Handler):
    """Collects warnings; `arrived` is set at the first."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.arrived.set()


def test_a_queue_that_does_not_exist_is_warned_about_once(endpoint: str) -> None:
    invoker = RecordingInvoker(lambda event: InvokeResult(Outcome.OK))
    event = SqsEvent("worker", ARN + "elsewhere", "functions.worker.events[2].sqs")
    warnings = Warnings()
    logger = logging.getLogger("emulator.sqs")
    logger.addHandler(warnings)
    try:
        sources = EventSources(invoker, endpoint).start(service(event))
        (poller,) = sources.runners
        assert warnings.arrived.wait(10)
        sources.stop()
        poller.thread.join(timeout=5)
    finally:
        logger.removeHandler(warnings)
    assert not poller.thread.is_alive()  # a stop ends the poller promptly
    assert warnings.messages == [
        "functions.worker.events[2].sqs: queue elsewhere does not exist locally "
        "(AWS.SimpleQueueService.NonExistentQueue); its messages are not delivered until it does"]


def test_queues_are_updated_in_place_and_a_refused_definition_names_the_resource(
        endpoint: str) -> None:
    def config(name: str = "upd-q", **attributes: str) -> ServiceConfig:
        queue = QueueConfig("Jobs", name, attributes)
        return dataclasses.replace(service(SqsEvent("worker", ARN + "upd-q", "k")),
                                   queues=(queue,), events=())

    create_queues_and_buckets(config(VisibilityTimeout="30"), endpoint)
    send(endpoint, "upd-q", "kept")
    create_queues_and_buckets(config(VisibilityTimeout="5"), endpoint)  # a reload
    client = local_client("sqs", endpoint, "us-east-1")
    url = f"{endpoint}/123456789012/upd-q"
    assert client.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])[
        "Attributes"] == {"VisibilityTimeout": "5"}
    assert counts(endpoint, "upd-q") == ("1", "0")  # the message is still there
    with pytest.raises(ConfigError) as raised:
        create_queues_and_buckets(config("new-q", MaximumMessageSize="1"), endpoint)
    assert raised.value.key == "resources.Resources.Jobs"
    assert "MaximumMessageSize" in raised.value.detail


def test_a_queue_deleted_under_its_poller_is_warned_about_once_and_picked_up_again(
        endpoint: str) -> None:
    invoker = RecordingInvoker(lambda event: InvokeResult(Outcome.OK, b"null"))
    event = SqsEvent("worker", ARN + "gone-q", "functions.worker.events[0].sqs")
    config = dataclasses.replace(service(event), queues=(QueueConfig("Q", "gone-q", {}),))
    warnings = Warnings()
    logger = logging.getLogger("emulator.sqs")
    logger.addHandler(warnings)
    sources = EventSources(invoker, endpoint).start(config)
    try:
        send(endpoint, "gone-q", "first")
        invoker.next()
        client = local_client("sqs", endpoint, "us-east-1")
        client.delete_queue(QueueUrl=f"{endpoint}/123456789012/gone-q")  # as a moto restart
        assert warnings.arrived.wait(10)
        create_queues_and_buckets(config, endpoint)
        send(endpoint, "gone-q", "second")
        assert [r["body"] for r in invoker.next()[1]["Records"]] == ["second"]
    finally:
        sources.stop()
        logger.removeHandler(warnings)
    assert len(warnings.messages) == 1
    assert "queue gone-q does not exist locally" in warnings.messages[0]
