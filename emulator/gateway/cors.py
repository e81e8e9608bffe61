"""The CORS preflight of the Serverless Framework's `cors:` option on `http` events.

`cors: true` (or a cors object) makes the Serverless Framework (v3) add, per path, an OPTIONS
method with a MOCK integration answering 200 with an empty body and fixed Access-Control-*
headers (lib/plugins/aws/package/compile/events/api-gateway/lib/validate.js `getCors` and
cors.js `compileCors`). API Gateway adds nothing CORS-related to any other reply: proxied
replies carry only what the handler returned, so nothing here touches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from emulator.config.cors import CorsConfig
from emulator.gateway.http import HttpResponse

ANY_METHODS = "DELETE,GET,HEAD,PATCH,POST,PUT"  # what cors.js writes for ANY


@dataclass(frozen=True, slots=True)
class Preflight:
    """The merged CORS setup of one resource, as Serverless compiles its OPTIONS method."""

    cors: CorsConfig
    methods: tuple[str, ...]  # Access-Control-Allow-Methods entries, in Serverless's order


def merge(events: Iterable[tuple[str, CorsConfig]]) -> Preflight | None:
    """Merge the cors of a path's http events (method, cors) the way validate.js does."""
    methods: list[str] = []
    headers: list[str] = []
    listed: list[str] = []
    single: tuple[str, ...] = ("*",)
    credentials, max_age, cache_control, seen = False, None, None, False
    for method, cors in events:
        seen = True
        own = [*cors.methods, *(m for m in ("OPTIONS", method) if m not in cors.methods)]
        methods = _union(own, methods)  # lodash _.union(new, merged): newest event first
        headers = _union(list(cors.headers), headers)
        if cors.match_origin:
            listed = _union(list(cors.origins), listed)
        else:
            single = cors.origins  # `origin:` of the last event wins
        credentials = credentials or cors.allow_credentials
        max_age = cors.max_age or max_age
        cache_control = cors.cache_control or cache_control
    if not seen:
        return None
    merged = CorsConfig(tuple(listed) or single, tuple(headers), credentials, max_age, (),
                        cache_control, bool(listed))
    return Preflight(merged, tuple(methods))


def preflight(cors: CorsConfig, methods: Sequence[str], origin: str | None) -> HttpResponse:
    """The OPTIONS MOCK reply: 200, empty body, the Access-Control-* headers."""
    allow_origin = cors.origins[0] if cors.origins else "*"
    if cors.match_origin and origin and any(_origin_matches(p, origin) for p in cors.origins):
        allow_origin = origin
    headers = [
        # The MOCK integration's response template is application/json.
        ("Content-Type", "application/json"),
        ("Access-Control-Allow-Origin", allow_origin),
        ("Access-Control-Allow-Headers", ",".join(cors.headers)),
        ("Access-Control-Allow-Methods", allow_methods(methods)),
    ]
    if cors.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.max_age:  # cors.js skips a maxAge of 0
        headers.append(("Access-Control-Max-Age", str(cors.max_age)))
    if cors.cache_control:
        headers.append(("Cache-Control", cors.cache_control))
    return HttpResponse(200, tuple(headers), b"")


def allow_methods(methods: Sequence[str]) -> str:
    """The Access-Control-Allow-Methods value: OPTIONS first unless listed, ANY spelled out."""
    names = [m.upper() for m in methods]
    if "OPTIONS" not in names:
        names.insert(0, "OPTIONS")
    # cors.js: `.replace('ANY', ...)` on the joined string, first occurrence only.
    return ",".join(names).replace("ANY", ANY_METHODS, 1)


def _origin_matches(pattern: str, origin: str) -> bool:
    """Match like cors.js's template: dots literal, the first `*` is `.+`, whole string."""
    regex = pattern.replace(".", "[.]").replace("*", ".+", 1)
    try:
        return re.fullmatch(regex, origin) is not None
    except re.error:
        return False


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
