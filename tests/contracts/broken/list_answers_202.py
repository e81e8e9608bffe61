"""GET /reviews answers 202 instead of 200 (a status a client does not expect from a read)."""

from __future__ import annotations

from typing import Any

from api import reviews

HANDLERS = {"list": "list_reviews"}


def list_reviews(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply: dict[str, Any] = reviews.list_reviews(event, context)
    if reply["statusCode"] == 200:
        reply["statusCode"] = 202
    return reply
