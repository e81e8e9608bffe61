"""PUT changes the review but leaves `updatedAt` where it was."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from api import reviews

HANDLERS = {"update": "update"}


def update(event: dict[str, Any], context: Any) -> dict[str, Any]:
    before = reviews.get(event, context)
    reply = reviews.update(event, context)
    if reply["statusCode"] != 200 or before["statusCode"] != 200:
        return reply
    old = json.loads(before["body"])["updatedAt"]
    body = json.loads(reply["body"])
    boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE"]).update_item(
        Key={"id": body["id"]},
        UpdateExpression="SET updatedAt = :old",
        ExpressionAttributeValues={":old": old},
    )
    body["updatedAt"] = old
    reply["body"] = json.dumps(body)
    return reply
