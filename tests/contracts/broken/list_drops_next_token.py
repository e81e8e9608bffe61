"""GET /reviews returns the first page and always `"nextToken": null`: later pages are lost."""

from __future__ import annotations

import json
from typing import Any

from api import reviews

HANDLERS = {"list": "list_reviews"}


def list_reviews(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.list_reviews(event, context)
    if reply["statusCode"] == 200:
        body = json.loads(reply["body"])
        body["nextToken"] = None
        reply["body"] = json.dumps(body)
    return reply
