"""PUT on a missing id creates the review (unconditional write) instead of answering 404."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import boto3

from api import reviews

HANDLERS = {"update": "update"}


def update(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.update(event, context)
    if reply["statusCode"] != 404 or not event.get("body"):
        return reply
    body = json.loads(event["body"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    item = {
        "id": event["pathParameters"]["id"],
        "review": body["review"],
        "name": body.get("name", "Ada Lovelace"),
        "createdAt": now,
        "updatedAt": now,
    }
    boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE"]).put_item(Item=item)
    reply["statusCode"], reply["body"] = 200, json.dumps(item)
    return reply
