"""PUT /reviews/{id} lets any signed-in user change anyone's review (the owner check is
missing: the write runs as the review's author, whoever calls)."""

from __future__ import annotations

from typing import Any

from api import authors, http, store, validation

HANDLERS = {"update": "update"}


@http.endpoint
def update(event: http.Event) -> http.Response:
    authors.caller(event)  # signed in, but never compared with the author
    review_id = validation.review_id(http.path_param(event, "id"))
    data = validation.review_input(http.json_body(event))
    found: Any = store.get(review_id)
    if found is store.NOT_FOUND:
        raise http.not_found()
    owner = store.Author(id=str(found.get("authorId")), name=str(found.get("authorName")))
    item = store.update(review_id, data.review, owner)
    if item is store.NOT_FOUND or item is store.NOT_AUTHOR:
        raise http.not_found()
    return http.respond(200, authors.present(item))
