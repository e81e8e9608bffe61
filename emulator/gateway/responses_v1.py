"""API Gateway's mapping of a Lambda proxy result to an HTTP reply; pure.

Emulates the output format of a REST (v1) Lambda proxy integration (AWS, "Lambda proxy
integrations in API Gateway", output format) and the rules AWS applies that the page leaves out,
as recorded against AWS in LocalStack's `aws.validated` tests (test_apigateway_lambda.py) and
SAM CLI's start-api: every key is optional (`{}` is a 200 with an empty body), any other key is
a 502 "Malformed Lambda proxy response", `statusCode` may be a numeric string, boolean header
values are sent as "true"/"false", and a reply without Content-Type gets `application/json`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.config import untrusted_json
from emulator.gateway.http import HttpResponse, media_type_matches

MAX_RESULT_BYTES = 6_291_556  # Lambda's synchronous response payload limit (serialized result)
DEFAULT_CONTENT_TYPE = "application/json"
_ALLOWED_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body",
                           "isBase64Encoded"})
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class Mapped:
    """The reply, and why it is what it is when that is not obvious (for the developer's log)."""

    response: HttpResponse
    problem: str | None = None  # e.g. "body is not a string" when a 502 was produced
    malformed: bool = False  # the 502 is the gateway's own reply (a customisable one)


class _Malformed(Exception):
    """A result API Gateway rejects with 502 "Malformed Lambda proxy response"."""


def map_proxy_result(
    payload: bytes,
    *,
    accept: str | None,
    binary_media_types: Sequence[str] = (),
) -> Mapped:
    """Map the raw JSON result a function returned to the client's reply (502 when malformed)."""
    try:
        return _map(payload, accept, binary_media_types)
    except _Malformed as malformed:
        from emulator.gateway.errors import bad_gateway

        return Mapped(bad_gateway(), f"Malformed Lambda proxy response: {malformed}",
                      malformed=True)


def _map(payload: bytes, accept: str | None, binary_media_types: Sequence[str]) -> Mapped:
    if len(payload) > MAX_RESULT_BYTES:
        raise _Malformed(f"the result is {len(payload)} bytes, over Lambda's 6 MB response "
                         f"limit ({MAX_RESULT_BYTES} bytes)")
    result = _parse(payload)
    status = _status(result.get("statusCode"))
    headers = _headers(result.get("headers"), result.get("multiValueHeaders"))
    body_text = result.get("body")
    if body_text is not None and not isinstance(body_text, str):
        raise _Malformed(f"body must be a string, not {_json_type(body_text)}")
    is_base64 = result.get("isBase64Encoded")
    if is_base64 is not None and not isinstance(is_base64, bool):
        raise _Malformed(f"isBase64Encoded must be a boolean, not {_json_type(is_base64)}")
    body, problem = _body(body_text or "", bool(is_base64), accept,
                          _content_type(headers), binary_media_types)
    return Mapped(HttpResponse(status, headers, body), problem)


def _parse(payload: bytes) -> dict[str, Any]:
    try:
        result = untrusted_json.loads(payload, max_depth=None)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, nested too deeply
        raise _Malformed("the result is not JSON") from None
    if not isinstance(result, dict):
        raise _Malformed(f"the result must be a JSON object, not {_json_type(result)}")
    extra = sorted(set(result) - _ALLOWED_KEYS)
    if extra:
        raise _Malformed(f"unexpected key(s) {', '.join(extra)}; allowed: statusCode, headers, "
                         "multiValueHeaders, body, isBase64Encoded")
    return result


def _status(value: Any) -> int:
    if value is None:
        return 200  # AWS answers 200 when the result has no statusCode
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)  # AWS accepts "201" as well as 201
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed(f"statusCode must be an integer, not {value!r}")
    if not 100 <= value <= 599:
        raise _Malformed(f"statusCode {value} is not an HTTP status code (100-599)")
    return value


def _header_value(name: str, value: Any) -> str | None:
    if value is None:
        return None  # a null value sends no header (and still counts as set, see _headers)
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, int | float | str):
        raise _Malformed(f"header {name!r} has a {_json_type(value)} value; a string is required")
    text = str(value)
    if any(c in text or c in name for c in "\r\n\0"):  # would split or end the header block
        raise _Malformed(f"header {name!r} has a line break or NUL in its name or value")
    return text


def _headers(single: Any, multi: Any) -> tuple[tuple[str, str], ...]:
    """Merge `headers` and `multiValueHeaders`: for a name in both, the multi values win."""
    for key, value in (("headers", single), ("multiValueHeaders", multi)):
        if value is not None and not isinstance(value, Mapping):
            raise _Malformed(f"{key} must be an object, not {_json_type(value)}")
    single, multi = single or {}, multi or {}
    overridden = {name.lower() for name in multi}
    merged: list[tuple[str, str]] = []
    named = set(overridden)
    for name, value in single.items():
        named.add(name.lower())
        text = _header_value(name, value)
        if text is not None and name.lower() not in overridden:
            merged.append((name, text))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise _Malformed(f"multiValueHeaders[{name!r}] must be a list")
        merged.extend((name, t) for t in (_header_value(name, v) for v in values) if t is not None)
    # API Gateway REST sends Content-Type: application/json when the result names none; a
    # handler can prevent it only by setting the header to null.
    if "content-type" not in named:
        merged.append(("Content-Type", DEFAULT_CONTENT_TYPE))
    return tuple(merged)


def _content_type(headers: tuple[tuple[str, str], ...]) -> str | None:
    return next((v for k, v in reversed(headers) if k.lower() == "content-type"), None)


def _body(
    text: str, is_base64: bool, accept: str | None, content_type: str | None,
    binary_media_types: Sequence[str],
) -> tuple[bytes, str | None]:
    if not is_base64 or not text:
        return text.encode("utf-8"), None
    first_accept = accept.split(",", 1)[0] if accept else None
    if media_type_matches(first_accept, binary_media_types) or media_type_matches(
            content_type, binary_media_types):
        try:
            return base64.b64decode(text, validate=True), None
        except binascii.Error:
            raise _Malformed("isBase64Encoded is true but body is not valid base64") from None
    # As on AWS: without a binaryMediaTypes match the base64 text itself is the reply body.
    return text.encode("utf-8"), (
        f"isBase64Encoded is true but neither the request's first Accept type ({first_accept!r})"
        f" nor the response's Content-Type ({content_type!r}) matches binaryMediaTypes "
        f"{list(binary_media_types)}: the base64 text is sent as is")


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
