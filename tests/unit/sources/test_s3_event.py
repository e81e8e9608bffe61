"""The S3 notification record (AWS's sample's shape) made from moto's record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.sources.s3_event import s3_record

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "events"
MOTO = {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-12-07T21:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "moto",
               "bucket": {"name": "example-bucket", "arn": "arn:aws:s3:::example-bucket"},
               "object": {"key": "test%2Fa+b.txt", "size": 1024,
                          "eTag": "0123456789abcdef0123456789abcdef"}}}


def shape(value: Any) -> Any:
    return {k: shape(v) for k, v in value.items()} if isinstance(value, dict) else None


def test_a_record_has_every_key_of_awss_sample() -> None:
    golden = json.loads((GOLDEN / "s3-put.json").read_text())["Records"][0]
    record = s3_record(MOTO, "onUpload-1", 1)
    assert shape(record) == shape(golden)
    assert record["s3"]["configurationId"] == "onUpload-1"
    assert record["s3"]["object"] == {"key": "test/a+b.txt", "size": 1024,
                                      "eTag": "0123456789abcdef0123456789abcdef",
                                      "sequencer": "0000000000000001"}


@pytest.mark.parametrize(("name", "fields"), [
    ("ObjectCreated:Put", {"key", "size", "eTag", "sequencer"}),
    ("ObjectRemoved:Delete", {"key", "sequencer"}),  # a removed object has no size or eTag
])
def test_object_fields_by_event(name: str, fields: set[str]) -> None:
    assert set(s3_record({**MOTO, "eventName": name}, "c", 2)["s3"]["object"]) == fields
