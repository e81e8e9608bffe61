"""S3 event notifications: a write to a bucket through the local endpoint invokes the function.

AWS (S3 User Guide, "Amazon S3 Event Notifications"; Lambda developer guide, "Using Lambda
with Amazon S3"): S3 invokes the function asynchronously with one record per object event that
matches the notification's event type and prefix/suffix rules. Here moto does the noticing:
each mapping gets a queue of its own at moto (`emulator-s3-...`) that the bucket's notification
configuration sends every object event to (moto builds the records, on the request that wrote
the object); the runner reads the queue when moto's change counter moves, keeps the records its
`event` and `rules` ask for, completes them to AWS's shape (s3_event.py) and invokes. Without
`existing: true` the bucket is created, as the framework creates it. A failed invocation is
logged; Lambda's two asynchronous retries are not made.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from typing import Any
from urllib.parse import unquote_plus

from emulator.aws.tables import local_client
from emulator.config.events.base import SourceEvent
from emulator.config.events.s3 import S3Event
from emulator.runtime.invoker import Outcome
from emulator.runtime.outcomes import INIT_TIMEOUT_S
from emulator.sources.base import RunnerContext
from emulator.sources.changes import ChangeFeed
from emulator.sources.s3_event import s3_record

log = logging.getLogger("emulator.s3")

IDLE_WAIT_S = 5.0
RETRY_S = 5.0
EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]


class S3Notifications:
    """One `s3` event's notification: its queue at moto, and the thread that reads it."""

    def __init__(self, context: RunnerContext, event: S3Event) -> None:
        self.context, self.event = context, event
        region = context.service().region
        self.s3 = local_client("s3", context.endpoint, region)
        self.sqs = local_client("sqs", context.endpoint, region)
        digest = hashlib.sha1(f"{event.function}/{event.key}".encode()).hexdigest()[:12]
        self.queue = f"emulator-s3-{digest}"
        self.configuration_id = f"{event.function}-{digest}"
        feed = context.shared.get("change-feed")
        if feed is None:
            feed = context.shared["change-feed"] = ChangeFeed(context.endpoint)
        self.feed: ChangeFeed = feed
        self.sequence = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"s3-{event.function}-{event.bucket}")

    @classmethod
    def create(cls, context: RunnerContext, event: SourceEvent) -> S3Notifications:
        assert isinstance(event, S3Event)
        return cls(context, event)

    def start(self) -> S3Notifications:
        """Set the notification up now, so writes after the start line are seen."""
        try:
            self._url: str | None = self._set_up()
        except Exception as exc:
            log.warning("%s: bucket %s cannot be followed (%s); retrying", self.event.key,
                        self.event.bucket, _reason(exc))
            self._url = None
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()

    def describe(self) -> str:
        rules = "".join(f", {n} {v}" for n, v in (("prefix", self.event.prefix),
                                                  ("suffix", self.event.suffix)) if v)
        return f"s3 {self.event.bucket} -> {self.event.function} ({self.event.event}{rules})"

    def _set_up(self) -> str:
        """Create the bucket (unless existing) and the queue; point the bucket's
        notifications at the queue, next to the other mappings' queues."""
        from botocore.exceptions import ClientError

        region = self.context.service().region
        if not self.event.existing:
            try:
                where = ({} if region == "us-east-1" else
                         {"CreateBucketConfiguration": {"LocationConstraint": region}})
                self.s3.create_bucket(Bucket=self.event.bucket, **where)
            except ClientError as exc:
                if _reason(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        url: str = self.sqs.create_queue(QueueName=self.queue)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        config = self.s3.get_bucket_notification_configuration(Bucket=self.event.bucket)
        queues = [q for q in config.get("QueueConfigurations", []) if q.get("QueueArn") != arn]
        queues.append({"Id": self.configuration_id, "QueueArn": arn, "Events": EVENTS})
        self.s3.put_bucket_notification_configuration(
            Bucket=self.event.bucket, NotificationConfiguration={
                **{k: v for k, v in config.items() if k.endswith("Configurations")},
                "QueueConfigurations": queues})
        return url

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                url, self._url = self._url or self._set_up(), None
                self._follow(url)
            except Exception as exc:  # moto restarting, the bucket gone: set it up again
                if self.stopping.is_set():
                    return
                log.warning("s3 %s -> %s: %s (retrying in %.0f s)", self.event.bucket,
                            self.event.function, _reason(exc), RETRY_S)
                self.stopping.wait(RETRY_S)

    def _follow(self, url: str) -> None:
        while not self.stopping.is_set():
            seen = self.feed.count
            messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=0).get("Messages", [])
            for message in messages:
                self._deliver(json.loads(message["Body"]).get("Records", []))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if not messages:
                self.feed.wait_beyond(seen, IDLE_WAIT_S)

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            name = str(record.get("eventName", ""))
            key = unquote_plus(str((record.get("s3") or {}).get("object", {}).get("key", "")))
            if not self.event.wants(name, key):
                continue
            self.sequence += 1
            payload = json.dumps({"Records": [
                s3_record(record, self.configuration_id, self.sequence)]}).encode()
            function = self.context.service().functions[self.event.function]
            result = self.context.invoker.invoke(function.name, payload, str(uuid.uuid4()),
                                                 function.timeout_s + INIT_TIMEOUT_S + 5)
            outcome = "ok" if result.outcome is Outcome.OK else result.outcome.value
            log.info("s3 %s -> %s: %s %s, %s", self.event.bucket, self.event.function, name,
                     key, outcome)


def _reason(exc: Exception) -> str:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else type(exc).__name__
