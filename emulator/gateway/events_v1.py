"""The API Gateway REST (v1) Lambda proxy event, built as a pure function.

Emulates the input format of a Lambda proxy integration (AWS, "Lambda proxy integrations in
API Gateway"; the Lambda developer guide's sample event `apigateway-v1.json`): every documented
key, `null` rather than `{}` for absent maps, header names in the client's casing.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.gateway.http import HttpRequest, media_type_matches

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_IDENTITY_NULL_KEYS = (
    "accessKey", "accountId", "caller", "cognitoAuthenticationProvider",
    "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId",
    "user", "userArn",
)
# API Gateway does not pass these on to the function: events AWS recorded for POST requests
# with a body have no Content-Length, and none has Connection (both hop-level headers).
DROPPED_HEADERS = frozenset({"content-length", "connection"})


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """The per-request values API Gateway makes up (injected, so build_proxy_event stays pure)."""

    request_id: str  # UUID
    extended_request_id: str
    epoch_ms: int
    account_id: str
    api_id: str  # 10 lower-case alphanumerics
    resource_id: str
    stage: str
    domain_name: str  # Host header, else "{api_id}.execute-api.{region}.amazonaws.com"


def build_proxy_event(
    request: HttpRequest,
    *,
    resource: str,
    path: str,  # without the stage prefix
    path_parameters: Mapping[str, str] | None,
    meta: RequestMeta,
    binary_media_types: Sequence[str] = (),
    stage_variables: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the full documented REST proxy event for one request."""
    headers, multi_headers = _pair_maps(
        (k, v) for k, v in request.headers if k.lower() not in DROPPED_HEADERS)
    query, multi_query = _pair_maps(request.query)
    body, is_base64 = _event_body(request, binary_media_types)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        # API Gateway sends null, not {}, for absent path parameters and stage variables.
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": _request_context(request, resource, path, meta),
        "body": body,
        "isBase64Encoded": is_base64,
    }


def request_time(epoch_ms: int) -> str:
    """Format a time like $context.requestTime: "10/Mar/2020:00:03:59 +0000" (English months)."""
    t = time.gmtime(epoch_ms // 1000)
    return (f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def _pair_maps(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """Single-value (last value wins) and multi-value maps; both None when there are no pairs."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    if not single:
        return None, None
    return single, multi


def _event_body(request: HttpRequest, binary_media_types: Sequence[str]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False  # API Gateway sends null, not "", for an empty body
    if media_type_matches(request.header("Content-Type"), binary_media_types):
        return base64.b64encode(request.body).decode("ascii"), True
    # Without a matching binaryMediaTypes entry API Gateway passes the payload on as UTF-8 text.
    return request.body.decode("utf-8", errors="replace"), False


def _request_context(
    request: HttpRequest, resource: str, path: str, meta: RequestMeta
) -> dict[str, Any]:
    identity: dict[str, Any] = dict.fromkeys(_IDENTITY_NULL_KEYS)
    identity["sourceIp"] = request.source_ip
    identity["userAgent"] = request.header("User-Agent")
    return {
        "accountId": meta.account_id,
        "apiId": meta.api_id,
        "domainName": meta.domain_name,
        "domainPrefix": meta.domain_name.split(".", 1)[0],
        "extendedRequestId": meta.extended_request_id,
        "httpMethod": request.method,
        "identity": identity,
        "path": f"/{meta.stage}{path}",
        "protocol": "HTTP/1.1",
        "requestId": meta.request_id,
        "requestTime": request_time(meta.epoch_ms),
        "requestTimeEpoch": meta.epoch_ms,
        "resourceId": meta.resource_id,
        "resourcePath": resource,
        "stage": meta.stage,
    }
