"""DELETE answers 204 but never deletes: the review stays readable."""

from __future__ import annotations

from typing import Any

from api import reviews

HANDLERS = {"delete": "delete"}


def delete(event: dict[str, Any], context: Any) -> dict[str, Any]:
    found = reviews.get(event, context)
    if found["statusCode"] != 200:
        return found  # the real 404
    return {"statusCode": 204, "headers": {"Access-Control-Allow-Origin": "*"}, "body": ""}
