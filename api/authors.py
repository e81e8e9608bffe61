"""Who wrote a review: the caller's verified claims in, `author: {id, name}` out.

API Gateway's COGNITO_USER_POOLS authorizer verifies the ID token and hands its claims to the
handler as `requestContext.authorizer.claims`, every value a string (AWS, "Control access to a
REST API using Amazon Cognito user pools as an authorizer"). The author is taken from there,
never from the body: `id` is the user's `sub` (a UUID that never changes), `name` the `name`
attribute, else `cognito:username`.

Reviews stored before authors existed carry a free-text `name` and no author id. They stay
readable, shown as `author: {"id": null, "name": <that name>}`, and nobody may change or
delete them through the API (no caller's `sub` can match a missing id). See docs/users.md.
"""

from __future__ import annotations

from typing import Any

from api import http, store

UNAUTHORIZED = "Unauthorized"


def caller(event: http.Event) -> store.Author:
    """The signed-in user of this request, from the claims the gateway verified."""
    context = event.get("requestContext") or {}
    claims: Any = (context.get("authorizer") or {}).get("claims")
    sub = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(sub, str) or not sub:
        # The gateway refuses a request without a valid token (401) before it gets here;
        # this is a route deployed without the authorizer. Fail closed.
        raise http.HttpError(401, UNAUTHORIZED)
    name = claims.get("name") or claims.get("cognito:username") or sub
    return store.Author(id=sub, name=str(name))


def present(item: store.Item) -> store.Item:
    """A stored review as the API shows it: `author` in place of the stored author fields."""
    author = {"id": item.get("authorId"), "name": item.get("authorName", item.get("name"))}
    shown = {k: v for k, v in item.items() if k not in store.AUTHOR_FIELDS}
    return {"id": shown.pop("id"), "review": shown.pop("review"), "author": author, **shown}
