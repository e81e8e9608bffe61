"""The `httpApi` events of functions and `provider.httpApi`: HTTP API (v2) routes and CORS.

Read as the Serverless Framework v3 compiles them (lib/plugins/aws/package/compile/events/
http-api.js): the string form `'GET /pets/{id}'`, the object form (`method`, `path`), method
`'*'` (ANY), the catch-all `'*'` (the `$default` route); `payload` ('2.0' unless
`provider.httpApi.payload` or the function's `httpApi.payload` says '1.0'); `cors: true` or a
cors object, whose allowed methods default to OPTIONS plus the methods of the routes.
Duplicate route keys are refused (Serverless: "Duplicate route ... configuration").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.config.document import Document
from emulator.config.http_authorizers import HttpAuthorizerConfig, route_auth
from emulator.config.paths import RouteError, parse_template
from emulator.config.service import HttpApiCors, HttpApiRoute
from emulator.config.yamlfile import KeyPath, format_path

ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE")
_METHOD = re.compile(r"\*|ANY|" + "|".join(ROUTE_METHODS), re.IGNORECASE)
_PATH = re.compile(r"\*|/\S*")
PAYLOADS = ("2.0", "1.0")
# Serverless's defaultCors.allowedHeaders for `cors: true`.
DEFAULT_CORS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key",
                        "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id")
_KNOWN_PROVIDER_KEYS = frozenset({"payload", "cors", "name", "metrics", "disableDefaultEndpoint",
                                  "useProviderTags", "authorizers"})


def provider_payload(doc: Document) -> str:
    """`provider.httpApi.payload`, checked ("2.0" when absent)."""
    http_api = doc.mapping(doc.provider.get("httpApi"), ("provider", "httpApi"))
    return _payload(doc, http_api.get("payload"), ("provider", "httpApi", "payload"), "2.0")


def function_payload(doc: Document, spec: dict[str, Any], key: KeyPath,
                     default_payload: str) -> str:
    """The payload version of one function's `httpApi` events (its own `httpApi.payload`)."""
    own = doc.mapping(spec.get("httpApi"), (*key, "httpApi"))
    return _payload(doc, own.get("payload"), (*key, "httpApi", "payload"), default_payload)


def _payload(doc: Document, value: Any, key: KeyPath, default: str) -> str:
    if value is None:
        return default
    text = f"{value:.1f}" if isinstance(value, int | float) and not isinstance(value, bool) \
        else str(value)
    if text not in PAYLOADS:
        raise doc.error(key, f"unknown payload format version {value!r}: HTTP API accepts "
                             "'2.0' or '1.0'")
    return text


def http_api_route(doc: Document, function: str, event: Any, key: KeyPath, *,
                   payload: str, authorizers: Mapping[str, HttpAuthorizerConfig]
                   ) -> HttpApiRoute:
    """One `httpApi` event (config/events/table.py walks the events)."""
    method, path, raw_authorizer = _method_path(doc, event, key)
    auth = route_auth(doc, raw_authorizer, (*key, "authorizer"), authorizers)
    authorizer = _name(raw_authorizer)
    if path == "*":
        if method not in (None, "*"):
            raise doc.error(key, f"path '*' (the catch-all $default route) takes method '*', "
                                 f"not {method!r}")
        return HttpApiRoute("ANY", None, function, payload, authorizer, auth)
    if method is None:
        raise doc.error(key, "method is required (GET, POST, ..., or '*')")
    if not _METHOD.fullmatch(method):
        raise doc.error(key, f"unknown HTTP method {method!r} (use one of "
                             f"{', '.join(ROUTE_METHODS)}, ANY or '*')")
    verb = "ANY" if method in ("*", "any", "ANY", "Any") else method.upper()
    try:
        parse_template(path)
    except RouteError as exc:
        raise doc.error(key, exc.detail) from None
    return HttpApiRoute(verb, path, function, payload, authorizer, auth)


def _method_path(doc: Document, event: Any, key: KeyPath
                 ) -> tuple[str | None, str, Any]:
    """(method, path, `authorizer:` as written) of the string or object form."""
    if isinstance(event, str):
        text = event.strip()
        if text == "*":
            return "*", "*", None
        parts = text.split()
        if len(parts) != 2 or not _PATH.fullmatch(parts[1]):
            raise doc.error(key, "use 'METHOD /path' (e.g. httpApi: 'GET /pets/{id}') or '*'")
        return parts[0], parts[1], None
    if not isinstance(event, dict):
        raise doc.error(key, "httpApi must be a string ('GET /path', '*') or a mapping")
    path, method = event.get("path"), event.get("method")
    if not isinstance(path, str) or not _PATH.fullmatch(path):
        raise doc.error((*key, "path"), "path is required: '/...' (starting with a slash) or "
                                        "'*'")
    if method is not None and not isinstance(method, str):
        raise doc.error((*key, "method"), "method must be a string")
    return method, path, event.get("authorizer")


def _name(value: Any) -> str | None:
    """The authorizer's name (or type, for aws_iam) as the route table shows it."""
    if value is None:
        return None
    return str(value.get("name") or value.get("type") or value.get("id")
               if isinstance(value, dict) else value)


def check_http_api_routes(doc: Document, routes: list[tuple[HttpApiRoute, KeyPath]]) -> None:
    """Refuse two events claiming the same route key, as `serverless package` does."""
    seen: dict[str, KeyPath] = {}
    for route, key in routes:
        first = seen.setdefault(route.route_key, key)
        if first is not key:
            raise doc.error(key, f"duplicate httpApi route '{route.route_key}' (also at "
                                 f"{format_path(first)})")


def http_api_cors(doc: Document, routes: list[HttpApiRoute]) -> HttpApiCors | None:
    """`provider.httpApi.cors` as Serverless compiles it; None when off or without routes."""
    key = ("provider", "httpApi")
    http_api = doc.mapping(doc.provider.get("httpApi"), key)
    for name in http_api:
        if name not in _KNOWN_PROVIDER_KEYS:
            doc.note((*key, str(name)))
    value = http_api.get("cors")
    if not value or not routes:
        return None
    if value is True:
        return HttpApiCors(("*",), DEFAULT_CORS_HEADERS, _route_methods(routes))
    ckey = (*key, "cors")
    cors = doc.mapping(value, ckey)
    max_age = cors.get("maxAge")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)):
        raise doc.error((*ckey, "maxAge"), "maxAge must be an integer (seconds)")
    methods = _strings(doc, cors.get("allowedMethods"), (*ckey, "allowedMethods"))
    return HttpApiCors(
        allow_origins=_strings(doc, cors.get("allowedOrigins"), (*ckey, "allowedOrigins"))
        or ("*",),
        allow_headers=_strings(doc, cors.get("allowedHeaders"), (*ckey, "allowedHeaders"))
        or DEFAULT_CORS_HEADERS,
        allow_methods=tuple(m.upper() for m in methods) or _route_methods(routes),
        allow_credentials=bool(cors.get("allowCredentials")),
        expose_headers=_strings(doc, cors.get("exposedResponseHeaders"),
                                (*ckey, "exposedResponseHeaders")),
        max_age=max_age)


def _route_methods(routes: list[HttpApiRoute]) -> tuple[str, ...]:
    """OPTIONS plus every route's method; ANY stands for all of them (Serverless's fill)."""
    methods = ["OPTIONS"]
    for route in routes:
        methods += list(ROUTE_METHODS) if route.method == "ANY" else [route.method]
    return tuple(dict.fromkeys(methods))


def _strings(doc: Document, value: Any, key: KeyPath) -> tuple[str, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise doc.error(key, "must be a string or a list of strings")
    return tuple(values)
