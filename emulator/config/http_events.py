"""The `http` events of functions: REST API (v1) routes, as the Serverless Framework reads them.

String form (`http: GET reviews/{id}`) and object form (method, path, cors, ...); `any`;
options the emulator does not emulate are noted, never dropped silently.
"""

from __future__ import annotations

from typing import Any

from emulator.config import cors
from emulator.config.authorizers import Targets, parse_authorizer
from emulator.config.document import Document
from emulator.config.paths import RouteError, check_resource_tree
from emulator.config.request_validation import read_request
from emulator.config.service import HTTP_METHODS, Route
from emulator.config.yamlfile import KeyPath, format_path


def normalize_path(path: str) -> str:
    """Serverless `path:` to a resource template: "reviews/{id}/" -> "/reviews/{id}"."""
    return "/" + path.strip().strip("/")


def http_route(doc: Document, function: str, http: Any, key: KeyPath,
               targets: Targets | None = None) -> Route:
    """One `http` event (config/events/table.py walks the events)."""
    method: Any
    path: Any
    if isinstance(http, str):
        parts = http.split()
        if len(parts) != 2:
            raise doc.error(key, 'use "METHOD path", e.g. http: GET reviews/{id}')
        method, path, options = parts[0], parts[1], {}
    elif isinstance(http, dict):
        method, path, options = http.get("method"), http.get("path"), http
        for name, value in (("path", path), ("method", method)):
            if not isinstance(value, str):
                raise doc.error((*key, name), f"{name} is required")
    else:
        raise doc.error(key, "http must be a string or a mapping")
    verb = "ANY" if method.lower() == "any" else method.upper()
    if verb not in HTTP_METHODS:
        raise doc.error(key, f"unknown HTTP method {method!r}")
    http_unsupported(doc, options, key)
    cors_config = cors.parse(options.get("cors"), key=format_path((*key, "cors")),
                             file=doc.file)
    authorizer = parse_authorizer(doc, options.get("authorizer"), (*key, "authorizer"),
                                  targets or Targets({}))
    private = options.get("private", False)
    if not isinstance(private, bool):
        raise doc.error((*key, "private"), "must be true or false")
    validation = read_request(doc, options.get("request"), (*key, "request"))
    return Route(verb, normalize_path(path), function, cors_config, authorizer, private,
                 validation)


def http_unsupported(doc: Document, options: dict[str, Any], key: KeyPath) -> None:
    for name in ("async",):
        if options.get(name):
            doc.note((*key, name))
    integration = options.get("integration")
    if integration is not None and str(integration).lower().replace("_", "-") not in (
            "lambda-proxy", "aws-proxy"):
        doc.note((*key, "integration"), str(integration))


def check_routes(doc: Document, routes: list[tuple[Route, KeyPath]]) -> None:
    seen: dict[tuple[str, str], KeyPath] = {}
    for route, key in routes:
        first = seen.setdefault((route.method, route.resource), key)
        if first is not key:
            raise doc.error(key, f"duplicate route {route.method} {route.resource} "
                                  f"(also at {format_path(first)})")
    try:
        check_resource_tree(dict.fromkeys(route.resource for route, _ in routes))
    except RouteError as exc:
        key = next(k for r, k in routes if r.resource == exc.resource)
        raise doc.error(key, exc.detail) from None
