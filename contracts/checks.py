"""Checks of our own about the HTTP exchange: API Gateway's answers, CORS, 204s, page tokens.

Each is a small named function registered with schemathesis (signature `(ctx, response, case)`;
an AssertionError is a failure reported under the function's name). The spec-derived semantic
checks are in contracts.semantics, the ones that follow resources across requests in
contracts.lifecycle. Which of them run is the project's choice (contracts.settings).
"""

from __future__ import annotations

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contracts.state import listing_filters
from contracts.wire import (
    Case,
    body_of,
    current_state,
    declared_methods,
    is_gateway_reply,
    sent_method,
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
    """Every reply a handler produced carries the project's Access-Control-Allow-Origin."""
    state = current_state()
    if is_gateway_reply(response) or state is None or state.cors_origin is None:
        return None
    origin = response.headers.get("access-control-allow-origin")
    if origin != [state.cors_origin]:
        raise AssertionError(
            f"A {response.status_code} reply from the handler carries "
            f"Access-Control-Allow-Origin {origin}, expected {[state.cors_origin]}"
        )
    credentials = response.headers.get("access-control-allow-credentials", [""])
    if credentials[0].lower() == "true":
        raise AssertionError(
            "Access-Control-Allow-Credentials: true next to "
            "Access-Control-Allow-Origin: * (browsers reject the pair)"
        )
    return None


@schemathesis.check
def no_content_has_no_body(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A 204 has an empty body."""
    if response.status_code == 204 and response.content:
        raise AssertionError(f"204 with a {len(response.content)}-byte body")
    return None


def _foreign_token(case: Case, response: schemathesis.Response) -> bool:
    """A 4xx to a listing whose page token the API never issued."""
    state = current_state()
    collection = state.model.collection_of(case.operation.path) if state else None
    if state is None or collection is None or collection.token_param is None:
        return False
    token = (case.query or {}).get(collection.token_param)
    return (
        400 <= response.status_code < 500
        and case.operation.path == collection.path
        and case.operation.method.upper() == "GET"
        and isinstance(token, str)
        and not state.issued(token, listing_filters(collection, dict(case.query or {})))
    )


@schemathesis.check
def valid_data_accepted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Schemathesis's positive_data_acceptance, except a 4xx for a page token never issued.

    Any string is a schema-valid page token, but an API may refuse one it did not issue.
    Tokens the API did issue (recorded from list replies, followed by the spec's link from the
    listing to itself) must still be accepted, as must everything else.
    """
    if _foreign_token(case, response):
        return None
    result: bool | None = positive_data_acceptance(ctx, response, case)
    return result


# Ours, by the project setting that turns each on (None: always on).
CHECKS = {
    "undeclared_method_is_gateway_403": "gateway",
    "cors_header_on_handler_replies": "cors-origin",
    "no_content_has_no_body": None,
    "valid_data_accepted": None,
}
