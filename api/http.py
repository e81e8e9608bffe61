"""HTTP plumbing for API Gateway REST (v1) Lambda proxy integrations.

Parses the proxy event (body, query string, path parameters) and builds proxy results. API
Gateway adds no CORS header to proxied replies (only its own OPTIONS preflight has them), so
every reply built here carries `Access-Control-Allow-Origin: *` itself, errors included.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

logger = logging.getLogger(__name__)

Event = dict[str, Any]
Response = dict[str, Any]
Endpoint = Callable[[Event], Response]
Handler = Callable[[Event, Any], Response]

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
JSON_CONTENT_TYPE = "application/json"
INTERNAL_ERROR = "Internal server error"
NOT_FOUND = "Review not found"


class HttpError(Exception):
    """A client error, raised where it is found and rendered once by `endpoint`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> HttpError:
    """Return a 400 error to raise."""
    return HttpError(400, message)


def not_found() -> HttpError:
    """Return the 404 error to raise."""
    return HttpError(404, NOT_FOUND)


def _json_default(value: object) -> object:
    # boto3's resource layer returns every DynamoDB number as Decimal and sets as set.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode(body: object) -> str:
    """Serialize a body to JSON, DynamoDB's Decimal numbers included."""
    return json.dumps(body, default=_json_default, allow_nan=False)


def respond(status: int, body: object | None = None) -> Response:
    """Build a proxy result; `Content-Type` only when there is a body, CORS always."""
    headers = dict(CORS_HEADERS)
    if body is None:
        return {"statusCode": status, "headers": headers, "body": "", "isBase64Encoded": False}
    headers["Content-Type"] = JSON_CONTENT_TYPE
    return {
        "statusCode": status,
        "headers": headers,
        "body": encode(body),
        "isBase64Encoded": False,
    }


def error(status: int, message: str) -> Response:
    """Build an error reply `{"message": ...}`."""
    return respond(status, {"message": message})


def _raw_body(event: Event) -> str:
    body = event.get("body")
    # API Gateway passes an absent body as null, not "".
    if body is None or body == "":
        raise bad_request("A JSON request body is required")
    if not isinstance(body, str):
        raise bad_request("The request body must be text")
    if not event.get("isBase64Encoded"):
        return body
    try:
        return base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise bad_request("The request body is not valid base64-encoded UTF-8") from exc


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def json_body(event: Event) -> object:
    """Decode the request body as strict JSON (NaN and Infinity are not JSON)."""
    text = _raw_body(event)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise bad_request("The request body is not valid JSON") from exc


def query_param(event: Event, name: str) -> str | None:
    """Return one query string parameter (API Gateway sends null when there are none)."""
    params = event.get("queryStringParameters") or {}
    value = params.get(name)
    return value if isinstance(value, str) else None


def path_param(event: Event, name: str) -> str | None:
    """Return one path parameter (API Gateway sends null when there are none)."""
    params = event.get("pathParameters") or {}
    value = params.get(name)
    return value if isinstance(value, str) else None


def endpoint(func: Endpoint) -> Handler:
    """Wrap an endpoint as a Lambda handler: client errors rendered, faults become a 500."""

    @functools.wraps(func)
    def handler(event: Event, context: Any) -> Response:
        try:
            return func(event)
        except HttpError as exc:
            return error(exc.status, exc.message)
        except Exception:
            # Details go to the log (CloudWatch), never to the client.
            request_id = getattr(context, "aws_request_id", None)
            logger.exception("Unhandled error in %s (request %s)", func.__name__, request_id)
            return error(500, INTERNAL_ERROR)

    return handler
