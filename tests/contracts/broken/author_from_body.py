"""POST /reviews takes the author from the body when one is sent (never from the claims alone):
a client can write a review in another user's name."""

from __future__ import annotations

from typing import Any

from api import authors, http, store, validation

HANDLERS = {"create": "create"}


@http.endpoint
def create(event: http.Event) -> http.Response:
    author = authors.caller(event)
    body: Any = http.json_body(event)
    claimed = body.pop("author", None) if isinstance(body, dict) else None
    if isinstance(claimed, dict) and isinstance(claimed.get("id"), str):
        author = store.Author(id=claimed["id"], name=str(claimed.get("name") or author.name))
    data = validation.review_input(body)
    return http.respond(201, authors.present(store.create(data.review, author)))
