"""Reading a schemathesis response and its case: what was sent, what came back."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import schemathesis

from contracts import state as run_state
from contracts.state import RunState

# Statuses only API Gateway itself produces for this API (its gateway responses carry no CORS
# header unless configured). A handler's own 500 must carry it, so 500 is not among them.
GATEWAY_STATUSES = frozenset({403, 413, 429, 502, 503, 504})
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})

Case = schemathesis.Case[Any]


def sent_method(response: schemathesis.Response) -> str:
    """The method that went on the wire, upper case."""
    return (response.request.method or "").upper()


def declared_methods(case: Case) -> set[str]:
    """The methods the spec declares on the case's path."""
    item: dict[str, Any] = case.operation.schema.raw_schema["paths"][case.operation.path]
    return {method.upper() for method in item} & HTTP_METHODS


def is_probe(case: Case, response: schemathesis.Response) -> bool:
    """A request with a method the operation does not declare (schemathesis's coverage probe)."""
    return sent_method(response) != str(case.operation.method).upper()


def body_of(response: schemathesis.Response) -> Any:
    """The JSON body, or None."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def operation_of(case: Case) -> str:
    """`METHOD /path` of the case's operation (the spec's method, not a probe's)."""
    return f"{case.operation.method.upper()} {case.operation.path}"


def path_id(case: Case) -> str | None:
    """The value of the item path's id parameter, if the case is on an item path."""
    state = current_state()
    collection = state.model.collection_of(case.operation.path) if state else None
    if collection is None or case.operation.path != collection.item_path:
        return None
    value = (case.path_parameters or {}).get(collection.id_param)
    return None if value is None else str(value)


def sent_body(case: Case) -> dict[str, Any] | None:
    """The JSON object the case sent, if it sent one."""
    body = case.body
    return body if isinstance(body, dict) else None


def current_state() -> RunState | None:
    """The state of the run in progress."""
    return run_state.current()


def succeeded(case: Case, response: schemathesis.Response) -> bool:
    """A 2xx to the operation's own method (not an undeclared-method probe)."""
    return 200 <= response.status_code < 300 and not is_probe(case, response)


def is_gateway_reply(response: schemathesis.Response) -> bool:
    """API Gateway's own replies (403 no route, 413, 502, 504...), not a handler's."""
    return "x-amzn-errortype" in response.headers or response.status_code in GATEWAY_STATUSES


def instant(text: object) -> datetime | None:
    """Parse an RFC 3339 timestamp; None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None  # response_schema_conformance reports the format
