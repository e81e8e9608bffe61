"""The HTTP API (v2) Lambda proxy event, payload format 2.0 and 1.0, built as pure functions.

AWS, "Working with AWS Lambda proxy integrations for HTTP APIs" (its sample events are the
golden files tests/fixtures/events/apigateway-v2-*.json): format 2.0 has lower-cased `headers`
with repeated values comma-joined, `queryStringParameters` likewise, `cookies` taken out of the
Cookie headers, no `multiValue*` maps; keys with nothing to say (`cookies`,
`queryStringParameters`, `pathParameters`, `body`, `stageVariables`) are left out. Format 1.0
is the REST event (events_v1.py) with `version`, the `$default` stage and no stage in paths.
"""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass
from typing import Any

from emulator.gateway.events_v1 import RequestMeta, build_proxy_event, request_time
from emulator.gateway.http import HttpRequest

STAGE = "$default"
# Hop-by-hop headers API Gateway does not hand on; Cookie goes to `cookies` in format 2.0.
_DROPPED = frozenset({"connection", "cookie"})
_TEXT_SUFFIXES = ("json", "xml", "javascript")


@dataclass(frozen=True, slots=True)
class EventMeta:
    """The per-request values API Gateway makes up (injected: the builders stay pure)."""

    request_id: str
    epoch_ms: int
    account_id: str
    api_id: str
    domain_name: str  # Host header, else "{api_id}.execute-api.{region}.amazonaws.com"


def build_event_v2(request: HttpRequest, *, route_key: str,
                   path_parameters: dict[str, str] | None, meta: EventMeta) -> dict[str, Any]:
    """Build the payload format 2.0 event for one request."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": urllib.parse.urlencode(request.query),
    }
    if cookies := request_cookies(request):
        event["cookies"] = cookies
    event["headers"] = _joined((k.lower(), v) for k, v in request.headers
                               if k.lower() not in _DROPPED)
    if query := _joined(request.query):
        event["queryStringParameters"] = query
    event["requestContext"] = _context_v2(request, route_key, meta)
    if request.body:
        event["body"], event["isBase64Encoded"] = encode_body(request)
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


def build_event_v1(request: HttpRequest, *, resource: str,
                   path_parameters: dict[str, str] | None, meta: EventMeta) -> dict[str, Any]:
    """Build the payload format 1.0 event: the REST shape, `$default` stage, no stage prefix."""
    rest_meta = RequestMeta(
        request_id=meta.request_id, extended_request_id=meta.request_id,
        epoch_ms=meta.epoch_ms, account_id=meta.account_id, api_id=meta.api_id,
        resource_id="", stage=STAGE, domain_name=meta.domain_name)
    event = build_proxy_event(request, resource=resource, path=request.path,
                              path_parameters=path_parameters, meta=rest_meta)
    context = event["requestContext"]
    context["path"] = request.path  # no stage in the path on the $default stage
    context["resourceId"] = None  # AWS's sample: null on an HTTP API
    if multi := event["multiValueQueryStringParameters"]:
        # AWS's 1.0 sample: the first value of a repeated query parameter (REST: the last).
        event["queryStringParameters"] = {k: v[0] for k, v in multi.items()}
    if request.body:
        event["body"], event["isBase64Encoded"] = encode_body(request)
    return {"version": "1.0", **event}


def request_cookies(request: HttpRequest) -> list[str]:
    """Every cookie of every Cookie header, in order ("a=1; b=2" -> ["a=1", "b=2"])."""
    return [part.strip() for name, value in request.headers if name.lower() == "cookie"
            for part in value.split(";") if part.strip()]


def encode_body(request: HttpRequest) -> tuple[str, bool]:
    """The body as text, or base64 when it is binary (HTTP API has no binaryMediaTypes).

    Text: no Content-Type or a textual one (text/*, *json, *xml, *javascript) and valid UTF-8;
    anything else, application/x-www-form-urlencoded included, arrives base64-encoded, which
    is what users of deployed HTTP APIs report for form posts.
    """
    media = (request.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    textual = not media or media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)
    if textual:
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def _joined(pairs: Any) -> dict[str, str]:
    """Repeated names comma-joined, in first-seen order."""
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]},{value}" if name in out else value
    return out


def _context_v2(request: HttpRequest, route_key: str, meta: EventMeta) -> dict[str, Any]:
    return {
        "accountId": meta.account_id,
        "apiId": meta.api_id,
        "domainName": meta.domain_name,
        "domainPrefix": meta.domain_name.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent") or "",
        },
        "requestId": meta.request_id,
        "routeKey": route_key,
        "stage": STAGE,
        "time": request_time(meta.epoch_ms),
        "timeEpoch": meta.epoch_ms,
    }
