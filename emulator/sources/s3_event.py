"""The event S3 hands a function for a bucket notification (pure).

AWS's shape ("Event message structure", S3 User Guide; the Lambda developer guide's sample S3
event): {"Records": [{eventVersion "2.1", eventSource "aws:s3", awsRegion, eventTime,
eventName (ObjectCreated:Put, ...), userIdentity {principalId}, requestParameters
{sourceIPAddress}, responseElements {x-amz-request-id, x-amz-id-2}, s3 {s3SchemaVersion,
configurationId, bucket {name, ownerIdentity {principalId}, arn}, object {key (URL-encoded),
size, eTag, sequencer}}}]}. moto's notification record carries the bucket, object, event name
and time; the identity and request fields, which moto leaves out, are filled with local values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, unquote_plus

PRINCIPAL = "AWS:EMULATOR"  # what the emulator's local credentials stand for


def s3_record(moto_record: Mapping[str, Any], configuration_id: str, sequence: int
              ) -> dict[str, Any]:
    """A record of moto's notification in AWS's full shape."""
    s3 = moto_record.get("s3") or {}
    bucket, obj = dict(s3.get("bucket") or {}), dict(s3.get("object") or {})
    # URL-encoded as S3 sends it: spaces as +, slashes kept (moto encodes them too)
    key = quote_plus(unquote_plus(str(obj.get("key", ""))), safe="/")
    request_id = hashlib.sha1(f"{obj.get('key')}{sequence}".encode()).hexdigest()[:16].upper()
    object_part = {"key": key, "size": obj.get("size"), "eTag": obj.get("eTag"),
                   "sequencer": f"{sequence:016X}"}
    if str(moto_record.get("eventName", "")).startswith("ObjectRemoved"):
        object_part = {"key": key, "sequencer": f"{sequence:016X}"}
    return {
        "eventVersion": moto_record.get("eventVersion", "2.1"),
        "eventSource": "aws:s3",
        "awsRegion": moto_record.get("awsRegion"),
        "eventTime": moto_record.get("eventTime"),
        "eventName": moto_record.get("eventName"),
        "userIdentity": {"principalId": PRINCIPAL},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": request_id,
                             "x-amz-id-2": hashlib.sha256(request_id.encode()).hexdigest()},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {"name": bucket.get("name"),
                       "ownerIdentity": {"principalId": PRINCIPAL},
                       "arn": bucket.get("arn") or f"arn:aws:s3:::{bucket.get('name')}"},
            "object": object_part,
        },
    }
