"""The SQS event a batch becomes, and what a ReportBatchItemFailures reply leaves on the queue."""

from __future__ import annotations

import json

import pytest

from emulator.runtime.sample_events import sample_event
from emulator.sources.sqs_event import failed_message_ids, sqs_event

ARN = "arn:aws:sqs:eu-west-1:123456789012:jobs.fifo"
# One message as boto3's receive_message returns it (AttributeNames/MessageSystemAttributeNames
# All, MessageAttributeNames All), from a FIFO queue.
MESSAGE = {
    "MessageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
    "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    "MD5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
    "Body": "test",
    "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
                   "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                   "ApproximateFirstReceiveTimestamp": "1545082649185",
                   "MessageGroupId": "1", "MessageDeduplicationId": "1",
                   "SequenceNumber": "18849496460467696128"},
    "MD5OfMessageAttributes": "ignored",
    "MessageAttributes": {
        "text": {"StringValue": "hi", "DataType": "String"},
        "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary.png"},
        "list": {"StringListValues": ["a"], "BinaryListValues": [b"b"], "DataType": "String"}},
}


def test_a_record_has_lambdas_shape() -> None:
    (record,) = sqs_event([MESSAGE], ARN, "eu-west-1")["Records"]
    assert record == {
        "messageId": MESSAGE["MessageId"], "receiptHandle": MESSAGE["ReceiptHandle"],
        "body": "test", "attributes": MESSAGE["Attributes"],
        "messageAttributes": {
            "text": {"stringValue": "hi", "stringListValues": [], "binaryListValues": [],
                     "dataType": "String"},
            "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [],
                     "dataType": "Binary.png"},
            "list": {"stringListValues": ["a"], "binaryListValues": ["Yg=="],
                     "dataType": "String"}},
        "md5OfBody": MESSAGE["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": ARN,
        "awsRegion": "eu-west-1"}
    json.dumps(record)  # what is sent to the function must serialize


def test_records_carry_the_keys_of_the_sample_event_in_order() -> None:
    sample = sample_event("sqs", region="eu-west-1", account_id="123456789012")["Records"][0]
    record = sqs_event([MESSAGE, {**MESSAGE, "MessageId": "2"}], ARN, "eu-west-1")["Records"]
    assert [list(r) for r in record] == [list(sample)] * 2
    assert [r["messageId"] for r in record] == [MESSAGE["MessageId"], "2"]


IDS = ["a", "b", "c"]


@pytest.mark.parametrize(("reply", "failed"), [
    (b"null", set()),
    (b"{}", set()),
    (b'{"batchItemFailures": []}', set()),
    (b'{"batchItemFailures": null}', set()),
    (b'"done"', set()),
    (b'{"batchItemFailures": [{"itemIdentifier": "b"}]}', {"b"}),
    (b'{"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "c"}]}', {"a", "c"}),
    (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', set(IDS)),
    (b'{"batchItemFailures": [{"itemIdentifier": null}]}', set(IDS)),
    (b'{"batchItemFailures": [{"id": "a"}]}', set(IDS)),
    (b'{"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}', set(IDS)),
    (b'{"batchItemFailures": "a"}', set(IDS)),
    (b"{not json", set(IDS)),
])
def test_batch_item_failures(reply: bytes, failed: set[str]) -> None:
    assert failed_message_ids(reply, IDS) == failed
