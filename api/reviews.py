"""The reviews resource: one Lambda handler per API Gateway route (parse, validate, store,
respond). API Gateway does the routing, so there is no router here.
"""

from __future__ import annotations

from api import authors, http, store, validation

__all__ = ("create", "delete", "get", "list_reviews", "update")

NOT_AUTHOR = "Only the author of a review may change or delete it"


@http.endpoint
def create(event: http.Event) -> http.Response:
    """POST /reviews: 201 and the new review, by the signed-in caller."""
    author = authors.caller(event)
    data = validation.review_input(http.json_body(event))
    return http.respond(201, authors.present(store.create(data.review, author)))


@http.endpoint
def list_reviews(event: http.Event) -> http.Response:
    """GET /reviews[?author=<id>]: 200 and one page of reviews with the next page's token."""
    limit = validation.limit(http.query_param(event, "limit"))
    author = validation.author_filter(http.query_param(event, "author"))
    start = validation.start_key(http.query_param(event, "nextToken"), author)
    page = store.list_page(limit, start, author)
    return http.respond(200, {"items": [authors.present(i) for i in page.items],
                              "nextToken": page.next_token})


@http.endpoint
def get(event: http.Event) -> http.Response:
    """GET /reviews/{id}: 200 and the review, or 404."""
    item = store.get(validation.review_id(http.path_param(event, "id")))
    if item is store.NOT_FOUND:
        raise http.not_found()
    return http.respond(200, authors.present(item))


@http.endpoint
def update(event: http.Event) -> http.Response:
    """PUT /reviews/{id}: 200 and the updated review; 404 (never creates); 403 when the
    caller is not the author."""
    author = authors.caller(event)
    review_id = validation.review_id(http.path_param(event, "id"))
    data = validation.review_input(http.json_body(event))
    item = store.update(review_id, data.review, author)
    if item is store.NOT_FOUND:
        raise http.not_found()
    if item is store.NOT_AUTHOR:
        raise http.HttpError(403, NOT_AUTHOR)
    return http.respond(200, authors.present(item))


@http.endpoint
def delete(event: http.Event) -> http.Response:
    """DELETE /reviews/{id}: 204 with no body; 404; 403 when the caller is not the author."""
    author = authors.caller(event)
    outcome = store.delete(validation.review_id(http.path_param(event, "id")), author.id)
    if outcome is store.NOT_FOUND:
        raise http.not_found()
    if outcome is store.NOT_AUTHOR:
        raise http.HttpError(403, NOT_AUTHOR)
    return http.respond(204)
