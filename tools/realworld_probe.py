"""One request per declared route, and what kind of reply came back.

A reply is one of: the gateway's "no such route" answer (the route is not served), a reply the
gateway made itself (5xx integration error, authorizer or API-key denial), or the handler's
own reply. The gateway's bodies differ per tool: API Gateway's are AWS's documented ones
(what the emulator returns), serverless-offline's are its own.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import urllib.parse
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tools.realworld_routes import Route

REQUEST_TIMEOUT_S = 40.0  # past API Gateway's 29 s integration timeout: the gateway answers first
_JSON_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# API Gateway's own error bodies (https://docs.aws.amazon.com/apigateway/latest/developerguide/
# supported-gateway-response-types.html): {"message": "..."} with these messages.
_AWS_GATEWAY_5XX = frozenset({"Internal server error", "Internal Server Error",
                              "Endpoint request timed out", "Service Unavailable", None})
_AWS_DENIED = frozenset({"Unauthorized", "Forbidden",
                         "User is not authorized to access this resource",
                         "User is not authorized to access this resource with an explicit deny"})
_OFFLINE_NO_ROUTE = "Serverless-offline: route not found."


class Kind(Enum):
    NO_ROUTE = "no route"  # the gateway does not know the route
    GATEWAY_ERROR = "gateway 5xx"  # the route is served, the integration failed
    DENIED = "denied"  # an authorizer or API key check answered
    HANDLER = "handler"  # the function's own reply
    NO_REPLY = "no reply"  # connection refused / reset / timed out


@dataclass(frozen=True, slots=True)
class Probe:
    """One route requested once."""

    route: Route
    status: int | None
    kind: Kind
    detail: str  # the first characters of the body, or the connection error

    @property
    def served(self) -> bool:
        return self.kind not in (Kind.NO_ROUTE, Kind.NO_REPLY)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def classify_aws(api: str, status: int, body: bytes) -> Kind:
    """Classify a reply by API Gateway's documented bodies (the emulator's replies)."""
    data = _json(body)
    message = data.get("message", data.get("Message")) if isinstance(data, dict) else None
    only_message = isinstance(data, dict) and set(data) <= {"message", "Message"}
    # Either API kind's "no route" reply counts whatever kind the route is: a tool may serve
    # both on one port, and a REST 403 to an HTTP API route means that route is not served.
    if status == 403 and message == "Missing Authentication Token":
        return Kind.NO_ROUTE
    if status == 404 and only_message and message == "Not Found":
        return Kind.NO_ROUTE
    if status >= 500 and only_message and message in _AWS_GATEWAY_5XX:
        return Kind.GATEWAY_ERROR
    if status in (401, 403) and only_message and message in _AWS_DENIED:
        return Kind.DENIED
    return Kind.HANDLER


def classify_offline(api: str, status: int, body: bytes) -> Kind:
    """Classify a reply by serverless-offline 13's own bodies (src/events/http/HttpServer.js)."""
    data = _json(body)
    if status in (502, 504) and not body.strip():
        return Kind.GATEWAY_ERROR  # a failed or timed-out invocation on a REST route
    if not isinstance(data, dict):
        return Kind.HANDLER
    if status == 404 and (data.get("error") == _OFFLINE_NO_ROUTE
                          or set(data) == {"statusCode", "error", "message"}):
        return Kind.NO_ROUTE
    # Its mock of a Lambda error: {errorMessage, errorType, stackTrace}, with a 502 on REST
    # routes and, on HTTP API routes, as the body of a 200.
    if {"errorMessage", "errorType"} <= set(data) or "offlineInfo" in data:
        return Kind.GATEWAY_ERROR
    if status in (401, 403) and set(data) == {"statusCode", "error", "message"}:
        return Kind.DENIED  # a Boom error: authorizer or API key
    return classify_aws(api, status, body)


CLASSIFIERS = {"emulator": classify_aws, "offline": classify_offline}


def _loopback(url: urllib.parse.SplitResult) -> None:
    host = url.hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"refusing to send a request to {host}: loopback only")


def probe(base: str, route: Route, stage: str, tool: str,
          timeout: float = REQUEST_TIMEOUT_S) -> Probe:
    """Request the route once at `base` (scheme://host:port) and classify the reply."""
    url = urllib.parse.urlsplit(base)
    _loopback(url)
    method = route.request_method()
    body = b"{}" if method in _JSON_BODY_METHODS else None
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=timeout)
    try:
        conn.putrequest(method, route.request_path(stage), skip_accept_encoding=True)
        if body is not None:
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        reply = conn.getresponse()
        status, data = reply.status, reply.read()
    except (OSError, http.client.HTTPException) as exc:
        return Probe(route, None, Kind.NO_REPLY, f"{type(exc).__name__}: {exc}"[:120])
    finally:
        conn.close()
    kind = CLASSIFIERS[tool](route.api, status, data)
    return Probe(route, status, kind, data[:120].decode("utf-8", "replace"))
