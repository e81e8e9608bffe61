"""The reviews resource: one Lambda handler per API Gateway route (parse, validate, store,
respond). API Gateway does the routing, so there is no router here.
"""

from __future__ import annotations

import random

from api import http, store, validation

__all__ = ("create", "delete", "get", "list_reviews", "update")

# When a client omits `name` on create, one of these is picked at random.
AUTHOR_NAMES = (
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Margaret Hamilton",
)


@http.endpoint
def create(event: http.Event) -> http.Response:
    """POST /reviews: 201 and the new review."""
    data = validation.review_input(http.json_body(event))
    name = data.name if data.name is not None else random.choice(AUTHOR_NAMES)
    return http.respond(201, store.create(data.review, name))


@http.endpoint
def list_reviews(event: http.Event) -> http.Response:
    """GET /reviews: 200 and one page of reviews with the token of the next page."""
    limit = validation.limit(http.query_param(event, "limit"))
    start = validation.start_key(http.query_param(event, "nextToken"))
    page = store.list_page(limit, start)
    return http.respond(200, {"items": page.items, "nextToken": page.next_token})


@http.endpoint
def get(event: http.Event) -> http.Response:
    """GET /reviews/{id}: 200 and the review, or 404."""
    item = store.get(validation.review_id(http.path_param(event, "id")))
    if item is store.NOT_FOUND:
        raise http.not_found()
    return http.respond(200, item)


@http.endpoint
def update(event: http.Event) -> http.Response:
    """PUT /reviews/{id}: 200 and the updated review, or 404 (never creates)."""
    review_id = validation.review_id(http.path_param(event, "id"))
    data = validation.review_input(http.json_body(event))
    item = store.update(review_id, data.review, data.name)
    if item is store.NOT_FOUND:
        raise http.not_found()
    return http.respond(200, item)


@http.endpoint
def delete(event: http.Event) -> http.Response:
    """DELETE /reviews/{id}: 204 with no body, or 404."""
    if store.delete(validation.review_id(http.path_param(event, "id"))) is store.NOT_FOUND:
        raise http.not_found()
    return http.respond(204)
