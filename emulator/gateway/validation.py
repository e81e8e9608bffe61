"""API Gateway's basic request validation of a REST (v1) method, before the integration runs.

AWS, "Request validation for REST APIs in API Gateway": the required request parameters in the
URI, query string and headers must be included and not blank (existence only, no type or
format); the payload must adhere to the method's JSON schema (draft 4) for the request's
content type, and when no model matches the content type (nor `$default`), the body is not
validated. A request without a Content-Type is read as `application/json`, and an empty body
as an empty JSON object (LocalStack's parity fix, verified against AWS by snapshot:
localstack/localstack PR 7916). Failures are the gateway responses BAD_REQUEST_PARAMETERS and
BAD_REQUEST_BODY, both 400, checked parameters first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft4Validator

from emulator.config.request_validation import RequestValidation
from emulator.gateway.http import HttpRequest

DEFAULT_CONTENT_TYPE = "application/json"
# Nesting that a JSON body may have before it is refused unparsed: API Gateway bounds payloads
# (10 MB) and a validator must not recurse without end on crafted input.
_MAX_DEPTH = 512


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the validator refused the request: which gateway response, and its message."""

    response_type: str  # "BAD_REQUEST_PARAMETERS" or "BAD_REQUEST_BODY"
    message: str


def check(request: HttpRequest, path_parameters: Mapping[str, str],
          validation: RequestValidation) -> Refusal | None:
    """Return why the request fails the method's validator, or None when it passes."""
    missing = [f"{location}.{name}" for location, name in validation.required
               if _blank(_value(request, path_parameters, location, name))]
    if missing:
        # The message API Gateway writes, e.g. "Missing required request parameters:
        # [header.x-api-version, querystring.page]" (as users report it on AWS's forums; the
        # names come in the method's order).
        return Refusal("BAD_REQUEST_PARAMETERS",
                       f"Missing required request parameters: [{', '.join(missing)}]")
    schema = _model(request, validation)
    if schema is not None and not _body_valid(request.body, schema):
        return Refusal("BAD_REQUEST_BODY", "Invalid request body")
    return None


def _value(request: HttpRequest, path_parameters: Mapping[str, str], location: str,
           name: str) -> str | None:
    if location == "header":
        return request.header(name)
    if location == "querystring":
        values = [v for k, v in request.query if k == name]
        return values[-1] if values else None
    return path_parameters.get(name)


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _model(request: HttpRequest, validation: RequestValidation) -> str | None:
    """The schema for the request's content type, else `$default`, else None (not validated)."""
    if not validation.models:
        return None
    raw = request.header("Content-Type") or DEFAULT_CONTENT_TYPE
    return validation.model(raw.split(";", 1)[0].strip().lower())


def _body_valid(body: bytes, schema: str) -> bool:
    if not body.strip():
        document: Any = {}
    else:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested past Python's
            return False
        if _too_deep(document):
            return False
    return bool(_validator(schema).is_valid(document))


@lru_cache(maxsize=256)
def _validator(schema_text: str) -> Draft4Validator:
    """One compiled validator per schema (schemas are checked once, at config load)."""
    return Draft4Validator(json.loads(schema_text))


def _too_deep(document: Any) -> bool:
    """Whether the document nests deeper than the validator will walk (iteratively checked)."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False
