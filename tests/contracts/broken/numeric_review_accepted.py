"""POST /reviews accepts a number as `review` (and stores it as text) instead of a 400."""

from __future__ import annotations

import json
from typing import Any

from api import reviews

HANDLERS = {"create": "create"}


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("review"), int | float):
        body["review"] = str(body["review"])
        event = {**event, "body": json.dumps(body), "isBase64Encoded": False}
    return reviews.create(event, context)
