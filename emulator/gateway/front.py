"""One port, three APIs: which one a request belongs to.

- `/2015-03-31/functions/...` is the Lambda Invoke API (invoke_api.py), as on
  `lambda.{region}.amazonaws.com`: what a function's boto3 `lambda` client reaches.
- `/{stage}/...` is the REST API (v1, `http` events) when one of its resources has that path:
  deployed, it lives at `https://{id}.execute-api.../{stage}`.
- Anything else goes to the HTTP API (v2, `httpApi` events), served on its `$default` stage
  with no prefix, as `https://{other id}.execute-api...` serves it. A service with only REST
  routes keeps REST's `403 Missing Authentication Token` for unknown paths; with an HTTP API,
  unknown paths get its `404 Not Found`.
serverless-offline serves both on one port the same way (src/events/http/HttpServer.js:
`endpoint.isHttpApi || noPrependStageInUrl ? request.path : <path without /stage>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from emulator.config.paths import canonical_path
from emulator.config.service import ServiceConfig
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.http_api import HttpApi
from emulator.gateway.rest import Gateway
from emulator.gateway.routes import MatchKind


class SideApi(Protocol):
    """An API served beside the gateways on the same port (the Lambda Invoke API)."""

    def claims(self, path: str) -> bool: ...

    def handle(self, request: HttpRequest) -> HttpResponse: ...

    def reload(self, service: ServiceConfig) -> None: ...


class Front:
    """Dispatches each request to the API that owns its path; reloads them together."""

    def __init__(self, rest: Gateway, http_api: HttpApi, *sides: SideApi) -> None:
        self.rest, self.http_api, self.sides = rest, http_api, sides

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request with the API that owns its path."""
        for side in self.sides:
            if side.claims(request.path):
                return side.handle(request)
        if self.http_api.serves and not self._rest_owns(request):
            return self.http_api.handle(request)
        return self.rest.handle(request)

    def reload(self, service: ServiceConfig) -> None:
        """Serve `service` from the next request on, on every API."""
        self.rest.reload(service)
        self.http_api.reload(service)
        for side in self.sides:
            side.reload(service)

    def _rest_owns(self, request: HttpRequest) -> bool:
        deployment = self.rest.deployment
        prefix, path = deployment.prefix, canonical_path(request.path)
        if path != prefix and not path.startswith(prefix + "/"):
            return False
        match = deployment.routes.match(request.method, path[len(prefix):] or "/")
        return match.kind is not MatchKind.NONE


@dataclass(frozen=True, slots=True)
class RouteTable:
    """The start banner's routes, and the URL of the `Ready:` line."""

    lines: tuple[str, ...]
    ready: str  # the REST stage's base URL, or the port's root when only the HTTP API serves


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def route_table(service: ServiceConfig, origin: str) -> RouteTable:
    """Both APIs' routes with their URLs on this port (`origin`: "http://host:port")."""
    base, api_routes = f"{origin}{service.base_path}", service.http_api_routes
    width = max([len(r.method) for r in service.routes] + [len(r.method) for r in api_routes],
                default=3)
    counted = _count(len(service.routes), "route") + (
        f" + {_count(len(api_routes), 'httpApi route')}" if api_routes else "")
    lines = [f"{service.service} ({service.stage}, {service.region}): "
             f"{counted}, {_count(len(service.functions), 'function')}"]
    if service.routes and api_routes:
        lines.append(f"  REST API (http events), stage {service.stage}:")
    lines += [f"  {r.method:<{width}}  {base}{r.resource}  -> {r.function}"
              for r in service.routes]
    if api_routes:
        lines.append("  HTTP API (httpApi events), $default stage, no prefix:")
    for route in api_routes:
        target = route.path or "/*  ($default route: any other request)"
        payload = "" if route.payload == "2.0" else "  (payload 1.0)"
        lines.append(f"  {route.method:<{width}}  {origin}{target}  -> {route.function}{payload}")
    return RouteTable(tuple(lines), base if service.routes or not api_routes else origin)
