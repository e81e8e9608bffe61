"""Event source mappings: functions with `sqs` events get their queue's messages, as Lambda does.

AWS ("Using Lambda with Amazon SQS"): Lambda long-polls the queue, invokes the function
synchronously with up to batchSize messages, deletes the batch when the function succeeds and
leaves it when it fails, so the messages reappear after the queue's visibility timeout (and
move to the dead-letter queue after the RedrivePolicy's maxReceiveCount: moto does that on
ReceiveMessage). With ReportBatchItemFailures only the reported messages stay; messages no
filterPattern matches are deleted undelivered ("Lambda event filtering": SQS). One poller
thread per enabled event here (a row of sources/table.py): one batch at a time per mapping
(AWS runs up to maximumConcurrency batches at once). The poller's SQS calls are signed with
the emulator's key, so the function's role is not checked on them (AWS gives the mapping its
own permissions).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

from emulator.aws.tables import local_client
from emulator.config.events.base import SourceEvent
from emulator.config.events.filters import any_matches, sqs_view
from emulator.config.events.sqs import SqsEvent
from emulator.runtime.invoker import Outcome
from emulator.runtime.outcomes import INIT_TIMEOUT_S
from emulator.sources.base import RunnerContext
from emulator.sources.sqs_event import failed_message_ids, sqs_event

log = logging.getLogger("emulator.sqs")

WAIT_S = 1  # long-poll wait of one ReceiveMessage: how soon a stop is noticed
RETRY_S = 5.0  # a missing queue, or moto not answering: look again after this


class SqsPoller:
    """One `sqs` event's mapping: a thread that receives, invokes, and deletes."""

    def __init__(self, context: RunnerContext, event: SqsEvent) -> None:
        self.context, self.event = context, event
        self.client = local_client("sqs", context.endpoint, context.service().region)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"sqs-{event.function}-{event.queue_name}")

    @classmethod
    def create(cls, context: RunnerContext, event: SourceEvent) -> SqsPoller:
        assert isinstance(event, SqsEvent)
        return cls(context, event)

    def start(self) -> SqsPoller:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Signal; the thread ends after its current call (at most WAIT_S, or an invoke).

        Not waited for: a stopping poller delivers nothing more and its errors are not
        reported, and the invoker's close ends an invoke in flight (its messages stay).
        """
        self.stopping.set()

    def describe(self) -> str:
        event = self.event
        return (f"sqs {event.queue_name} -> {event.function} (batchSize {event.batch_size}"
                f"{', ReportBatchItemFailures' if event.report_batch_item_failures else ''})")

    def _run(self) -> None:
        url = self._queue_url()
        while url is not None and not self.stopping.is_set():
            try:
                messages = self._filtered(url, self._receive(url))
                if messages and not self.stopping.is_set():
                    self._deliver(url, messages)
            except Exception as exc:  # moto restarting, a dropped connection: try again
                if self.stopping.is_set():
                    return
                if "NonExistentQueue" in _reason(exc):  # deleted, or moto restarted empty
                    url = self._queue_url()
                    continue
                log.warning("sqs %s -> %s: %s (retrying in %.0f s)", self.event.queue_name,
                            self.event.function, exc, RETRY_S)
                self.stopping.wait(RETRY_S)

    def _queue_url(self) -> str | None:
        """The queue's URL at moto; warns once while the queue does not exist."""
        warned = False
        while not self.stopping.is_set():
            try:
                url: str = self.client.get_queue_url(QueueName=self.event.queue_name)["QueueUrl"]
                return url
            except Exception as exc:
                if not warned:
                    log.warning("%s: queue %s does not exist locally (%s); its messages are "
                                "not delivered until it does", self.event.key,
                                self.event.queue_name, _reason(exc))
                    warned = True
            self.stopping.wait(RETRY_S)
        return None

    def _receive(self, url: str) -> list[dict[str, Any]]:
        """Up to batchSize messages; over 10, gathered within maximumBatchingWindow."""
        event = self.event
        deadline = time.monotonic() + event.maximum_batching_window_s
        messages: list[dict[str, Any]] = []
        while len(messages) < event.batch_size and not self.stopping.is_set():
            reply = self.client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(10, event.batch_size - len(messages)),
                WaitTimeSeconds=WAIT_S, MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"])
            messages += reply.get("Messages", [])
            if not messages or time.monotonic() >= deadline:
                break
        return messages

    def _filtered(self, url: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages the filterPatterns let through; Lambda deletes the others."""
        if not self.event.filter_patterns or not messages:
            return messages
        region = self.context.service().region
        records = sqs_event(messages, self.event.arn, region)["Records"]
        passed = [m for m, r in zip(messages, records, strict=True)
                  if any_matches(self.event.filter_patterns, sqs_view(r))]
        dropped = [m for m in messages if m not in passed]
        self._delete(url, dropped)
        if dropped:
            log.info("sqs %s -> %s: %d message%s filtered out (deleted)", self.event.queue_name,
                     self.event.function, len(dropped), "" if len(dropped) == 1 else "s")
        return passed

    def _delete(self, url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):  # DeleteMessageBatch takes 10 entries
            self.client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(messages[start:start + 10])])

    def _deliver(self, url: str, messages: list[dict[str, Any]]) -> None:
        service = self.context.service()
        event, function = self.event, service.functions[self.event.function]
        payload = json.dumps(sqs_event(messages, event.arn, service.region)).encode()
        wait_s = function.timeout_s + INIT_TIMEOUT_S + 5  # Lambda waits for the function
        result = self.context.invoker.invoke(function.name, payload, str(uuid.uuid4()), wait_s)
        ids = [m["MessageId"] for m in messages]
        if result.outcome is not Outcome.OK:
            kept = set(ids)
            outcome = f"{result.outcome.value}: left on the queue"
        elif event.report_batch_item_failures:
            kept = failed_message_ids(result.payload, ids)
            outcome = f"ok, {len(kept)} reported failed" if kept else "ok"
        else:
            kept, outcome = set(), "ok"
        self._delete(url, [m for m in messages if m["MessageId"] not in kept])
        log.info("sqs %s -> %s: %d message%s, %s", event.queue_name, event.function,
                 len(messages), "" if len(messages) == 1 else "s", outcome)


def _reason(exc: Exception) -> str:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else type(exc).__name__
