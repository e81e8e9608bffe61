"""Reviews carry a numeric `revision`, and GET /reviews/{id} encodes the item with plain
json.dumps: boto3 returns DynamoDB numbers as Decimal, so the handler raises TypeError.

create stores the number; list and update hide it, so the crash is the only bug.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from api import reviews

HANDLERS = {"create": "create", "get": "get", "list": "list_reviews", "update": "update"}


def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE"])


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.create(event, context)
    if reply["statusCode"] == 201:
        review_id = json.loads(reply["body"])["id"]
        _table().update_item(
            Key={"id": review_id},
            UpdateExpression="SET revision = :one",
            ExpressionAttributeValues={":one": 1},
        )
    return reply


def get(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.get(event, context)
    if reply["statusCode"] != 200:
        return reply
    item = _table().get_item(Key={"id": event["pathParameters"]["id"]}, ConsistentRead=True)
    reply["body"] = json.dumps(item["Item"])  # TypeError: Decimal is not JSON serializable
    return reply


def _without_revision(reply: dict[str, Any]) -> dict[str, Any]:
    if reply["statusCode"] == 200:
        body = json.loads(reply["body"])
        for review in body.get("items", [body]):
            review.pop("revision", None)
        reply["body"] = json.dumps(body)
    return reply


def list_reviews(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _without_revision(reviews.list_reviews(event, context))


def update(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _without_revision(reviews.update(event, context))
