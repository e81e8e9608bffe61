"""Sample events of non-HTTP sources (emulator.sample_events): AWS's shapes, our region."""

from __future__ import annotations

import json

import pytest

from emulator.runtime.sample_events import KINDS, sample_event


@pytest.mark.parametrize("kind", KINDS)
def test_sample_events_carry_the_region_and_account(kind: str) -> None:
    text = json.dumps(sample_event(kind, region="eu-west-1", account_id="111122223333"))
    assert "eu-west-1" in text
    assert kind == "s3" or "111122223333" in text  # S3's sample names no account


def test_record_shapes() -> None:
    sqs = sample_event("sqs", region="us-east-1", account_id="1", now=0)["Records"][0]
    assert (sqs["eventSource"], sqs["attributes"]["SentTimestamp"]) == ("aws:sqs", "0")
    stream = sample_event("dynamodb-stream", region="us-east-1", account_id="1")
    assert stream["Records"][0]["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    s3 = sample_event("s3", region="us-east-1", account_id="1")["Records"][0]
    assert s3["eventName"] == "ObjectCreated:Put"
    schedule = sample_event("schedule", region="us-east-1", account_id="1", now=0)
    assert (schedule["detail-type"], schedule["time"]) == ("Scheduled Event",
                                                           "1970-01-01T00:00:00Z")
