"""HTTP API (v2)'s own replies: what the gateway answers instead of, or without, the function.

Sources: AWS, "Working with routes for HTTP APIs" (no route: `{"message":"Not Found"}`);
"Troubleshooting issues with HTTP API Lambda integrations" (a failed integration:
`{"message":"Internal Server Error"}`); "Monitoring your HTTP API" and the HTTP API quotas
(413 Request Entity Too Large past the 10 MB payload quota). The integration timeout (30 s,
not adjustable) is answered 503 `{"message":"Service Unavailable"}`: no AWS page states the
HTTP API's reply (the knowledge-center page on 504s speaks of REST's timeout parameter);
deployed HTTP APIs are reported answering 503 (github.com/anomalyco/sst/issues/2232). The
Content-Type of these replies is application/json.
"""

from __future__ import annotations

from emulator.gateway.http import HttpResponse

_JSON = (("Content-Type", "application/json"),)


def _reply(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, _JSON, f'{{"message":"{message}"}}'.encode())


def not_found() -> HttpResponse:
    """404: no route matches the method and path, and there is no $default route."""
    return _reply(404, "Not Found")


def internal_server_error() -> HttpResponse:
    """500: the function raised, crashed, timed out, was throttled or returned garbage."""
    return _reply(500, "Internal Server Error")


def service_unavailable() -> HttpResponse:
    """503: the function was still running at the 30 s integration timeout."""
    return _reply(503, "Service Unavailable")


def request_entity_too_large() -> HttpResponse:
    """413: the request (as an event) is over the payload limit."""
    return _reply(413, "Request Entity Too Large")
