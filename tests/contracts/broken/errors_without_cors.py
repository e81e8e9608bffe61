"""GET /reviews/{id} error replies (404) lose the Access-Control-Allow-Origin header."""

from __future__ import annotations

from typing import Any

from api import reviews

HANDLERS = {"get": "get"}


def get(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.get(event, context)
    if reply["statusCode"] >= 400:
        reply["headers"].pop("Access-Control-Allow-Origin", None)
    return reply
