"""An HTTP API's mapping of a Lambda result to an HTTP reply, payload format 2.0; pure.

AWS, "Working with AWS Lambda proxy integrations for HTTP APIs", "Lambda function response for
format 2.0": a result that is valid JSON without `statusCode` is inferred: 200,
`content-type: application/json`, the result itself as the body (a JSON string result is sent
as that string). A result with `statusCode` is read as `{cookies, isBase64Encoded, statusCode,
headers, body}`: each cookie becomes a Set-Cookie header. What cannot be read that way is
a 500 `{"message":"Internal Server Error"}`. Format 1.0 results follow the REST rules
(responses_v1.py), failures answered with HTTP API's 500 instead of REST's 502.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from emulator.config import untrusted_json
from emulator.gateway import errors_v2
from emulator.gateway.http import HttpResponse
from emulator.gateway.responses_v1 import MAX_RESULT_BYTES, Mapped, map_proxy_result

# A structured result without a content-type header: not stated by AWS's page; deployed HTTP
# APIs send text/plain (unconfirmed here, see README "HTTP API").
DEFAULT_STRUCTURED_TYPE = "text/plain; charset=utf-8"
_DIGITS = re.compile(r"[0-9]+")


class _Malformed(Exception):
    """A result the HTTP API cannot map (AWS answers 500)."""


def map_result_v2(payload: bytes) -> Mapped:
    """Map the raw JSON a function returned (format 2.0) to the client's reply."""
    try:
        return Mapped(_map(payload))
    except _Malformed as malformed:
        return Mapped(errors_v2.internal_server_error(), f"Malformed Lambda response: {malformed}")


def map_result_v1(payload: bytes) -> Mapped:
    """Map a format 1.0 result: REST's rules, HTTP API's 500 where REST answers 502."""
    mapped = map_proxy_result(payload, accept=None)
    if mapped.response.status == 502 and mapped.problem:
        return Mapped(errors_v2.internal_server_error(), mapped.problem)
    return mapped


def _map(payload: bytes) -> HttpResponse:
    if len(payload) > MAX_RESULT_BYTES:
        raise _Malformed(f"the result is {len(payload)} bytes, over Lambda's 6 MB limit")
    try:
        result = untrusted_json.loads(payload, max_depth=None)
    except ValueError:  # not JSON, or nested too deeply
        raise _Malformed("the result is not JSON") from None
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result.encode() if isinstance(result, str) else payload
        return HttpResponse(200, (("Content-Type", "application/json"),), body)
    headers = _headers(result.get("headers"))
    headers += tuple(("Set-Cookie", c) for c in _cookies(result.get("cookies")))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers += (("Content-Type", DEFAULT_STRUCTURED_TYPE),)
    return HttpResponse(_status(result["statusCode"]), headers, _body(result))


def _status(value: Any) -> int:
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise _Malformed(f"statusCode must be an HTTP status code (100-599), not {value!r}")
    return value


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _Malformed("headers must be an object")
    out = []
    for name, raw in value.items():
        if raw is None:
            continue
        if not isinstance(raw, str | int | float):
            raise _Malformed(f"header {name!r} must have a string value")
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        if any(c in text or c in name for c in "\r\n\0"):
            raise _Malformed(f"header {name!r} has a line break or NUL in its name or value")
        out.append((str(name), text))
    return tuple(out)


def _cookies(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise _Malformed("cookies must be a list of strings")
    if any(c in cookie for cookie in value for c in "\r\n\0"):
        raise _Malformed("a cookie has a line break or NUL in it")
    return value


def _body(result: Mapping[str, Any]) -> bytes:
    body, is_base64 = result.get("body"), result.get("isBase64Encoded", False)
    if body is None:
        return b""
    if not isinstance(body, str):
        raise _Malformed(f"body must be a string, not {type(body).__name__}")
    if not isinstance(is_base64, bool):
        raise _Malformed("isBase64Encoded must be a boolean")
    if not is_base64:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise _Malformed("isBase64Encoded is true but body is not valid base64") from None
