"""GET /reviews?author=<id> ignores the filter: every author's reviews come back."""

from __future__ import annotations

from api import authors, http, store, validation

HANDLERS = {"list": "list_reviews"}


@http.endpoint
def list_reviews(event: http.Event) -> http.Response:
    limit = validation.limit(http.query_param(event, "limit"))
    validation.author_filter(http.query_param(event, "author"))  # checked, then ignored
    start = validation.start_key(http.query_param(event, "nextToken"), None)
    page = store.list_page(limit, start, None)
    return http.respond(200, {"items": [authors.present(i) for i in page.items],
                              "nextToken": page.next_token})
