"""Sample events of the non-HTTP sources, shaped like AWS's documented samples (pure).

For `python -m emulator invoke FUNCTION --event-type KIND`: the Lambda developer guide's
sample events for EventBridge scheduled rules ("Using Lambda with Amazon EventBridge
(CloudWatch Events)"), SQS ("Using Lambda with Amazon SQS"), DynamoDB Streams ("Using AWS
Lambda with Amazon DynamoDB") and S3 ("Using AWS Lambda with Amazon S3"), with the service's
region and account filled in and fresh ids and times.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

KINDS = ("schedule", "sqs", "dynamodb-stream", "s3")


def sample_event(kind: str, *, region: str, account_id: str, now: float | None = None
                 ) -> dict[str, Any]:
    """The sample event of one kind (one of KINDS)."""
    return _BUILDERS[kind](region, account_id, time.time() if now is None else now)


def _iso(now: float, millis: bool = False) -> str:
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{text}.{int(now * 1000) % 1000:03d}Z" if millis else f"{text}Z"


def _schedule(region: str, account: str, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": _iso(now),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/my-scheduled-rule"],
        "detail": {},
    }


def _sqs(region: str, account: str, now: float) -> dict[str, Any]:
    millis = str(int(now * 1000))
    return {"Records": [{
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "MessageReceiptHandle",
        "body": "Hello from SQS!",
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": millis,
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": millis,
        },
        "messageAttributes": {},
        "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{region}:{account}:my-queue",
        "awsRegion": region,
    }]}


def _dynamodb_stream(region: str, account: str, now: float) -> dict[str, Any]:
    return {"Records": [{
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": int(now),
            "Keys": {"Id": {"N": "101"}},
            "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
            "SequenceNumber": "111",
            "SizeBytes": 26,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": (f"arn:aws:dynamodb:{region}:{account}:table/ExampleTableWithStream/"
                           f"stream/{_iso(now, millis=True)[:-1]}"),
    }]}


def _s3(region: str, account: str, now: float) -> dict[str, Any]:
    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": _iso(now, millis=True),
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "EXAMPLE123456789",
                             "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstu"
                                           "vwxyzABCDEFGH"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "testConfigRule",
            "bucket": {"name": "example-bucket", "ownerIdentity": {"principalId": "EXAMPLE"},
                       "arn": "arn:aws:s3:::example-bucket"},
            "object": {"key": "test/key", "size": 1024,
                       "eTag": "0123456789abcdef0123456789abcdef",
                       "sequencer": "0A1B2C3D4E5F678901"},
        },
    }]}


_BUILDERS: dict[str, Callable[[str, str, float], dict[str, Any]]] = {
    "schedule": _schedule,
    "sqs": _sqs,
    "dynamodb-stream": _dynamodb_stream,
    "s3": _s3,
}
