"""DELETE /reviews/{id} deployed without the authorizer: the handler trusts whoever calls and
deletes any review (auth missing on DELETE)."""

from __future__ import annotations

from typing import Any

from api import http, store, validation

HANDLERS = {"delete": "delete"}
UNPROTECTED = {"delete"}


@http.endpoint
def delete(event: http.Event) -> http.Response:
    review_id = validation.review_id(http.path_param(event, "id"))
    item: Any = store.get(review_id)
    if item is store.NOT_FOUND:
        raise http.not_found()
    outcome = store.delete(review_id, str(item.get("authorId")))
    if outcome is store.NOT_FOUND:
        raise http.not_found()
    return http.respond(204)
