"""DynamoDB Streams event source mappings: a table's changes reach its `stream` functions.

AWS ("Using AWS Lambda with Amazon DynamoDB"; "Configuring partial batch response"): Lambda
reads each shard in order and invokes the function synchronously with up to batchSize records
(gathered for up to maximumBatchingWindow); a failed batch is retried, in order, until it
succeeds, maximumRetryAttempts is used up (-1: until the records expire) or, with
bisectBatchOnFunctionError, split in halves that are retried apart; with
ReportBatchItemFailures the batch is retried from the lowest failed SequenceNumber. Records no
filterPattern matches are skipped. One thread per shard here (moto keeps one shard per table),
so a batch that fails forever holds up its own shard only, never other tables or the gateway.
The poller waits on moto's change counter (changes.py) between reads instead of polling, and
retries with a backoff of 0.5 s doubling to 10 s (Lambda's own retry timing is not documented).
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
from emulator.config.events.filters import any_matches
from emulator.config.events.stream import StreamEvent
from emulator.runtime.invoker import Outcome
from emulator.runtime.outcomes import INIT_TIMEOUT_S
from emulator.sources.base import RunnerContext
from emulator.sources.changes import ChangeFeed
from emulator.sources.stream_event import first_failed, stream_event, stream_record

log = logging.getLogger("emulator.stream")

IDLE_WAIT_S = 5.0  # a read at least this often even without a change signal
RETRY_S = 5.0  # a missing table or stream, or moto not answering: look again after this
BACKOFF_S = (0.5, 10.0)  # first and longest wait between retries of a failed batch


class StreamPoller:
    """One `stream` event's mapping: a thread that reads the table's stream, in order."""

    def __init__(self, context: RunnerContext, event: StreamEvent) -> None:
        self.context, self.event = context, event
        region = context.service().region
        self.streams = local_client("dynamodbstreams", context.endpoint, region)
        self.dynamodb = local_client("dynamodb", context.endpoint, region)
        feed = context.shared.get("change-feed")
        if feed is None:
            feed = context.shared["change-feed"] = ChangeFeed(context.endpoint)
        self.feed: ChangeFeed = feed
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"stream-{event.function}-{event.table_name}")

    @classmethod
    def create(cls, context: RunnerContext, event: SourceEvent) -> StreamPoller:
        assert isinstance(event, StreamEvent)
        return cls(context, event)

    def start(self) -> StreamPoller:
        """Take the shard iterator now (LATEST means from the start-up line on), then read."""
        try:
            self._first: tuple[str, str, str] | None = self._shard()
        except Exception:  # no table or stream yet: the thread looks again and warns
            self._first = None
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()

    def describe(self) -> str:
        event = self.event
        return (f"stream {event.table_name} -> {event.function} (batchSize {event.batch_size}, "
                f"{event.starting_position}"
                f"{', ReportBatchItemFailures' if event.report_batch_item_failures else ''})")

    def _run(self) -> None:
        warned = False
        while not self.stopping.is_set():
            try:
                first, self._first = self._first, None
                self._follow(*(first or self._shard()))
            except Exception as exc:  # no table or stream yet, moto restarting: look again
                if self.stopping.is_set():
                    return
                if not warned:
                    log.warning("%s: the stream of table %s cannot be read (%s); its records "
                                "are not delivered until it can", self.event.key,
                                self.event.table_name, _reason(exc))
                    warned = True
                self.stopping.wait(RETRY_S)

    def _shard(self) -> tuple[str, str, str]:
        """(stream ARN, shard id, first iterator) of the table's current stream."""
        table = self.dynamodb.describe_table(TableName=self.event.table_name)["Table"]
        arn = table["LatestStreamArn"]
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = self.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"],
            ShardIteratorType=self.event.starting_position)["ShardIterator"]
        return arn, shard["ShardId"], iterator

    def _follow(self, arn: str, shard: str, iterator: str) -> None:
        """Read the shard; deliver once batchSize records wait or the window is over."""
        pending: list[dict[str, Any]] = []
        due = 0.0  # when the oldest pending record must go (maximumBatchingWindow)
        while not self.stopping.is_set():
            seen = self.feed.count
            reply = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            iterator = reply.get("NextShardIterator") or iterator
            fresh = [r for r in reply.get("Records", []) if any_matches(
                self.event.filter_patterns, stream_record(r, arn))]
            if fresh and not pending:
                due = time.monotonic() + self.event.maximum_batching_window_s
            pending += fresh
            while pending and not self.stopping.is_set() and (
                    len(pending) >= self.event.batch_size or time.monotonic() >= due):
                batch, pending = (pending[:self.event.batch_size],
                                  pending[self.event.batch_size:])
                self._deliver(arn, batch)
            if not reply.get("Records"):
                left = due - time.monotonic() if pending else IDLE_WAIT_S
                self.feed.wait_beyond(seen, max(0.0, min(left, IDLE_WAIT_S)))

    def _deliver(self, arn: str, batch: list[dict[str, Any]]) -> None:
        """One batch until it succeeds or its retries are used up (split when bisecting)."""
        queue, attempts, wait = [batch], 0, BACKOFF_S[0]
        while queue and not self.stopping.is_set():
            records = queue.pop(0)
            retry_from = self._invoke(arn, records)
            if retry_from is None:
                attempts, wait = 0, BACKOFF_S[0]
                continue
            limit = self.event.maximum_retry_attempts
            if limit != -1 and attempts >= limit:
                log.warning("stream %s -> %s: %d record%s dropped after %d retries",
                            self.event.table_name, self.event.function, len(records),
                            "" if len(records) == 1 else "s", attempts)
                attempts, wait = 0, BACKOFF_S[0]
                continue
            attempts += 1
            rest = records[retry_from:]
            if self.event.bisect_on_error and len(rest) > 1 and retry_from == 0:
                half = len(rest) // 2
                queue[:0] = [rest[:half], rest[half:]]
            else:
                queue.insert(0, rest)
            self.stopping.wait(wait)
            wait = min(wait * 2, BACKOFF_S[1])

    def _invoke(self, arn: str, records: list[dict[str, Any]]) -> int | None:
        """Invoke once; the index to retry from, or None when the batch is done."""
        service = self.context.service()
        function = service.functions[self.event.function]
        payload = json.dumps(stream_event(records, arn)).encode()
        result = self.context.invoker.invoke(function.name, payload, str(uuid.uuid4()),
                                             function.timeout_s + INIT_TIMEOUT_S + 5)
        numbers = [str(r["dynamodb"]["SequenceNumber"]) for r in records]
        if result.outcome is not Outcome.OK:
            retry_from: int | None = 0
            outcome = f"{result.outcome.value}: retrying"
        elif self.event.report_batch_item_failures:
            retry_from = first_failed(result.payload, numbers)
            outcome = "ok" if retry_from is None else f"ok, retrying from record {retry_from}"
        else:
            retry_from, outcome = None, "ok"
        log.info("stream %s -> %s: %d record%s, %s", self.event.table_name,
                 self.event.function, len(records), "" if len(records) == 1 else "s", outcome)
        return retry_from


def _reason(exc: Exception) -> str:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else type(exc).__name__
