"""Checks of our own: what openapi.yaml cannot say, and API Gateway's answer to other methods.

Each is a small named function registered with schemathesis (signature `(ctx, response, case)`;
an AssertionError is a failure reported under the function's name). Checks that follow reviews
across requests are in contracts.lifecycle.
"""

from __future__ import annotations

import uuid

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contracts import lifecycle
from contracts.state import reviews_in
from contracts.wire import (
    Case,
    body_of,
    current_state,
    declared_methods,
    instant,
    is_gateway_reply,
    sent_method,
    succeeded,
)

GATEWAY_403 = {"message": "Missing Authentication Token"}


@schemathesis.check
def undeclared_method_is_gateway_403(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A method the resource lacks gets API Gateway's 403 Missing Authentication Token, not 405."""
    sent = sent_method(response)
    if sent == "OPTIONS" or sent in declared_methods(case):
        return None  # OPTIONS is the gateway's CORS preflight on these routes
    if response.status_code != 403:
        raise AssertionError(
            f"{sent} {case.operation.path} is not in the API: API Gateway "
            f"answers 403, got {response.status_code}"
        )
    if sent != "HEAD" and body_of(response) != GATEWAY_403:
        raise AssertionError(f"{sent} {case.operation.path}: expected the body {GATEWAY_403}")
    return None


@schemathesis.check
def cors_header_on_handler_replies(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Every reply a handler produced carries Access-Control-Allow-Origin: * (errors too)."""
    if is_gateway_reply(response):
        return None
    origin = response.headers.get("access-control-allow-origin")
    if origin != ["*"]:
        raise AssertionError(
            f"A {response.status_code} reply from the handler carries "
            f"Access-Control-Allow-Origin {origin}, expected ['*']"
        )
    credentials = response.headers.get("access-control-allow-credentials", [""])
    if credentials[0].lower() == "true":
        raise AssertionError(
            "Access-Control-Allow-Credentials: true next to "
            "Access-Control-Allow-Origin: * (browsers reject the pair)"
        )
    return None


@schemathesis.check
def no_content_has_nobody_of(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A 204 has an empty body."""
    if response.status_code == 204 and response.content:
        raise AssertionError(f"204 with a {len(response.content)}-byte body")
    return None


@schemathesis.check
def review_ids_are_uuids(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Every review id the API returns is a UUID v4 in its 8-4-4-4-12 form."""
    if not succeeded(case, response):
        return None
    for review in reviews_in(body_of(response)):
        try:
            parsed = uuid.UUID(review["id"])
        except ValueError:
            parsed = None
        if parsed is None or parsed.version != 4 or len(review["id"]) != 36:
            raise AssertionError(f"id {review['id']!r} is not a UUID v4")
    return None


@schemathesis.check
def created_at_not_after_updated_at(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """updatedAt >= createdAt on every review; equal on the one a create returns."""
    if not succeeded(case, response):
        return None
    creating = case.operation.method.upper() == "POST"
    for review in reviews_in(body_of(response)):
        created, updated = instant(review.get("createdAt")), instant(review.get("updatedAt"))
        if created is None or updated is None:
            continue
        if updated < created:
            raise AssertionError(
                f"updatedAt {review['updatedAt']} is before createdAt "
                f"{review['createdAt']} (id {review['id']})"
            )
        if creating and updated != created:
            raise AssertionError(
                f"A new review has createdAt {review['createdAt']} but "
                f"updatedAt {review['updatedAt']}; they must be equal"
            )
    return None


def _foreign_token(case: Case, response: schemathesis.Response) -> bool:
    state = current_state()
    token = (case.query or {}).get("nextToken")
    return (
        state is not None
        and response.status_code == 400
        and case.operation.path == "/reviews"
        and case.operation.method.upper() == "GET"
        and isinstance(token, str)
        and not state.issued(token)
    )


@schemathesis.check
def valid_data_accepted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Schemathesis's positive_data_acceptance, except a 400 for a nextToken the API never issued.

    Any string is a schema-valid `nextToken`, but the contract makes a token the API did not
    issue a 400. Tokens the API did issue (recorded from list replies, followed by the spec's
    NextPage link) must still be accepted, as must everything else.
    """
    if _foreign_token(case, response):
        return None
    result: bool | None = positive_data_acceptance(ctx, response, case)
    return result


CHECK_NAMES = (
    "undeclared_method_is_gateway_403",
    "cors_header_on_handler_replies",
    "no_content_has_no_body",
    "review_ids_are_uuids",
    "created_at_not_after_updated_at",
    "valid_data_accepted",
    *lifecycle.CHECK_NAMES,
)
