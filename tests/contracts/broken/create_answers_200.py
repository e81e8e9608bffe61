"""POST /reviews answers 200 instead of 201."""

from __future__ import annotations

from typing import Any

from api import reviews

HANDLERS = {"create": "create"}


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reply = reviews.create(event, context)
    if reply["statusCode"] == 201:
        reply["statusCode"] = 200
    return reply
