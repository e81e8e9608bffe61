"""An HTTP API's CORS configuration (`provider.httpApi.cors`), applied by the gateway.

AWS, "Configuring CORS for an HTTP API": with CORS configured, API Gateway answers preflight
OPTIONS requests itself (even without an OPTIONS route), adds the configured CORS headers to
the response of every CORS request (one with an Origin), and ignores CORS headers the
integration returns. Unlike a REST API, where only the OPTIONS mock carries them (cors.py).
"""

from __future__ import annotations

from emulator.config.service import HttpApiCors
from emulator.gateway.http import HttpRequest, HttpResponse


def is_preflight(request: HttpRequest) -> bool:
    """An OPTIONS request with Origin and Access-Control-Request-Method."""
    return (request.method == "OPTIONS" and request.header("Origin") is not None
            and request.header("Access-Control-Request-Method") is not None)


def allowed_origin(cors: HttpApiCors, origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin value for this Origin; None: not an allowed origin."""
    if origin is None:
        return None
    if "*" in cors.allow_origins:
        return "*"
    return origin if origin in cors.allow_origins else None


def preflight(cors: HttpApiCors, request: HttpRequest) -> HttpResponse:
    """204 with the allowed methods, headers and age (no CORS headers for another origin)."""
    origin = allowed_origin(cors, request.header("Origin"))
    if origin is None:
        return HttpResponse(204, ())
    headers = [("Access-Control-Allow-Origin", origin),
               ("Access-Control-Allow-Methods", ",".join(cors.allow_methods)),
               ("Access-Control-Allow-Headers", ",".join(cors.allow_headers))]
    if cors.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(cors.max_age)))
    return HttpResponse(204, tuple(headers))


def decorate(cors: HttpApiCors, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Replace the integration's CORS headers with the configured ones (for a CORS request)."""
    headers = [(k, v) for k, v in response.headers
               if not k.lower().startswith("access-control-")]
    origin = allowed_origin(cors, request.header("Origin"))
    if origin is not None:
        headers.append(("Access-Control-Allow-Origin", origin))
        if cors.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if cors.expose_headers:
            headers.append(("Access-Control-Expose-Headers", ",".join(cors.expose_headers)))
    return HttpResponse(response.status, tuple(headers), response.body)
