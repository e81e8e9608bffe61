"""The DynamoDB stream event (AWS's sample record) and the partial batch reply's retry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from emulator.sources.stream_event import first_failed, stream_event, stream_record

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "events"
ARN = ("arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/"
       "2015-06-27T00:48:05.899")


def boto3_record(view: str = "NEW_AND_OLD_IMAGES") -> dict[str, Any]:
    """A GetRecords record as boto3 hands it over (datetime, bytes)."""
    return {"eventID": "c4ca4238a0b923820dcc509a6f75849b", "eventName": "MODIFY",
            "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": datetime(2015, 4, 9, tzinfo=UTC),
                "Keys": {"Id": {"N": "101"}},
                "NewImage": {"Message": {"S": "This item has changed"}, "Id": {"N": "101"},
                             "Blob": {"B": b"\x00\x01"}},
                "OldImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
                "SequenceNumber": "4421584500000000017450439092", "SizeBytes": 59,
                "StreamViewType": view}}


def test_a_record_has_awss_shape() -> None:
    golden = json.loads((GOLDEN / "dynamodb-stream-record.json").read_text())
    assert stream_record(boto3_record(), ARN) == golden
    assert stream_event([boto3_record()], ARN) == {"Records": [golden]}


@pytest.mark.parametrize(("view", "images"), [
    ("KEYS_ONLY", set()), ("NEW_IMAGE", {"NewImage"}), ("OLD_IMAGE", {"OldImage"}),
    ("NEW_AND_OLD_IMAGES", {"NewImage", "OldImage"})])
def test_images_follow_the_stream_view_type(view: str, images: set[str]) -> None:
    body = stream_record(boto3_record(view), ARN)["dynamodb"]
    assert {"NewImage", "OldImage"} & set(body) == images
    assert body["StreamViewType"] == view


@pytest.mark.parametrize(("reply", "expected"), [
    (b"null", None), (b"{}", None), (b'{"batchItemFailures": []}', None),
    (b'{"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]}', 1),
    (b'{"batchItemFailures": [{"itemIdentifier": "9"}]}', 0),  # not in the batch
    (b'{"batchItemFailures": [{"itemIdentifier": null}]}', 0),
    (b'{"batchItemFailures": "x"}', 0), (b"not json", 0),
])
def test_a_partial_batch_reply_retries_from_the_lowest_failure(reply: bytes,
                                                               expected: int | None) -> None:
    assert first_failed(reply, ["1", "2", "3"]) == expected
