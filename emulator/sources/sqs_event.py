"""The event Lambda hands a function for a batch of SQS messages, and what its reply asks.

Pure functions. The event shape is AWS's ("Using Lambda with Amazon SQS", example event):
{"Records": [{messageId, receiptHandle, body, attributes, messageAttributes, md5OfBody,
eventSource "aws:sqs", eventSourceARN, awsRegion}]}, built from ReceiveMessage's Messages as
boto3 returns them. The reply rules are "Handling errors for an SQS event source in Lambda"
(partial batch responses): with ReportBatchItemFailures, an empty or missing
`batchItemFailures` is full success; invalid JSON, or an itemIdentifier that is empty, null or
not a messageId of the batch, makes the whole batch a failure.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from emulator.config import untrusted_json


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str, region: str
              ) -> dict[str, Any]:
    return {"Records": [_record(m, queue_arn, region) for m in messages]}


def _record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {name: _message_attribute(value) for name, value in
                              (message.get("MessageAttributes") or {}).items()},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """boto3's {"StringValue", "BinaryValue": bytes, "DataType"} -> Lambda's camelCase form."""
    out: dict[str, Any] = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _base64(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues") or [])
    out["binaryListValues"] = [_base64(v) for v in value.get("BinaryListValues") or []]
    out["dataType"] = value.get("DataType", "String")
    return out


def _base64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def failed_message_ids(payload: bytes, message_ids: Iterable[str]) -> set[str]:
    """The messages a ReportBatchItemFailures reply leaves on the queue (all: a bad reply)."""
    batch = set(message_ids)
    try:
        reply = untrusted_json.loads(payload) if payload.strip() else None
    except ValueError:
        return batch  # "an invalid JSON response": the whole batch failed
    failures = reply.get("batchItemFailures") if isinstance(reply, dict) else None
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return batch
    found = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in batch:
            return batch
        found.add(item)
    return found
