"""The event Lambda hands a function for a batch of DynamoDB stream records, and what it asks.

Pure. The shape is AWS's ("Using AWS Lambda with Amazon DynamoDB", example event): {"Records":
[{eventID, eventName INSERT|MODIFY|REMOVE, eventVersion, eventSource "aws:dynamodb", awsRegion,
dynamodb {ApproximateCreationDateTime (epoch seconds), Keys, NewImage, OldImage,
SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN}]}, built from GetRecords' records
as boto3 returns them (binary values back to base64, as the wire has them). The images follow
the stream's StreamViewType (KEYS_ONLY: none; NEW_IMAGE / OLD_IMAGE: one; NEW_AND_OLD_IMAGES:
both). A ReportBatchItemFailures reply names failed records by SequenceNumber; Lambda retries
from the lowest one ("Configuring partial batch response with DynamoDB and Lambda"); an
invalid reply fails the whole batch.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

_IMAGES = {"KEYS_ONLY": (), "NEW_IMAGE": ("NewImage",), "OLD_IMAGE": ("OldImage",),
           "NEW_AND_OLD_IMAGES": ("NewImage", "OldImage")}


def stream_event(records: Iterable[Mapping[str, Any]], stream_arn: str) -> dict[str, Any]:
    return {"Records": [stream_record(r, stream_arn) for r in records]}


def stream_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    change = dict(record.get("dynamodb") or {})
    view = str(change.get("StreamViewType") or "NEW_AND_OLD_IMAGES")
    created = change.get("ApproximateCreationDateTime")
    body: dict[str, Any] = {}
    if created is not None:
        body["ApproximateCreationDateTime"] = float(created.timestamp()) if isinstance(
            created, datetime) else created
    body["Keys"] = _wire(change.get("Keys") or {})
    for image in _IMAGES.get(view, ("NewImage", "OldImage")):
        if image in change:
            body[image] = _wire(change[image])
    body.update(SequenceNumber=change.get("SequenceNumber"), SizeBytes=change.get("SizeBytes"),
                StreamViewType=view)
    return {"eventID": record.get("eventID"), "eventName": record.get("eventName"),
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb", "awsRegion": record.get("awsRegion"),
            "dynamodb": body, "eventSourceARN": stream_arn}


def _wire(value: Any) -> Any:
    """boto3's bytes back to the base64 text DynamoDB JSON carries."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_wire(v) for v in value]
    return value


def first_failed(reply: bytes | None, sequence_numbers: Sequence[str]) -> int | None:
    """The index to retry from per a ReportBatchItemFailures reply; None: all succeeded.

    0 (the whole batch) when the reply is not valid or names a record not in the batch.
    """
    try:
        parsed = json.loads(reply or b"null")
    except ValueError:
        return 0
    if parsed is None or not isinstance(parsed, dict):
        return None
    failures = parsed.get("batchItemFailures")
    if not failures:
        return None
    if not isinstance(failures, list):
        return 0
    found = []
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in sequence_numbers:
            return 0
        found.append(sequence_numbers.index(item))
    return min(found)
