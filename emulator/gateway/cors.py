"""The CORS preflight of the Serverless Framework's `cors:` option on `http` events.

`cors: true` (or a cors object) makes the Serverless Framework (v3) add, per path, an OPTIONS
method with a MOCK integration answering 200 with an empty body and fixed Access-Control-*
headers (lib/plugins/aws/package/compile/events/api-gateway/lib/validate.js `getCors` and
cors.js `compileCors`). API Gateway adds nothing CORS-related to any other reply: proxied
replies carry only what the handler returned, so nothing here touches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.errors import ConfigError
from emulator.responses import HttpResponse

SLS_DEFAULT_CORS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
)
ANY_METHODS = "DELETE,GET,HEAD,PATCH,POST,PUT"  # what cors.js writes for ANY


@dataclass(frozen=True, slots=True)
class CorsConfig:
    """The `cors:` of an http event (`true` gives the Serverless Framework defaults)."""

    origins: tuple[str, ...] = ("*",)
    headers: tuple[str, ...] = SLS_DEFAULT_CORS_HEADERS
    allow_credentials: bool = False
    max_age: int | None = None
    methods: tuple[str, ...] = ()  # extra methods listed in the cors object
    cache_control: str | None = None
    # `origins:` (or a comma-separated `origin:`) given: the reply names the request's Origin
    # when it matches one of them (Serverless writes a response template for that), else the
    # first origin. A single `origin:` is sent as is.
    match_origin: bool = False


@dataclass(frozen=True, slots=True)
class Preflight:
    """The merged CORS setup of one resource, as Serverless compiles its OPTIONS method."""

    cors: CorsConfig
    methods: tuple[str, ...]  # Access-Control-Allow-Methods entries, in Serverless's order


def parse(value: Any, *, key: str, file: str | None = None) -> CorsConfig | None:
    """Read an http event's `cors:` value (true, false/absent, or an object)."""
    if value is None or value is False:
        return None
    if value is True:
        return CorsConfig()
    if not isinstance(value, Mapping):
        raise ConfigError("cors must be true or a mapping", file=file, key=key)
    origins, match_origin = _origins(value, key, file)
    headers = value.get("headers") or SLS_DEFAULT_CORS_HEADERS
    max_age = value.get("maxAge")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)):
        raise ConfigError("maxAge must be an integer (seconds)", file=file, key=f"{key}.maxAge")
    cache_control = value.get("cacheControl")
    return CorsConfig(
        origins=origins,
        headers=(headers,) if isinstance(headers, str) else _strings(headers, f"{key}.headers",
                                                                     file),
        allow_credentials=bool(value.get("allowCredentials", False)),
        max_age=max_age,
        methods=tuple(m.upper() for m in _strings(value.get("methods") or (), f"{key}.methods",
                                                  file)),
        cache_control=None if cache_control is None else str(cache_control),
        match_origin=match_origin,
    )


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


def _origins(value: Mapping[str, Any], key: str, file: str | None) -> tuple[tuple[str, ...], bool]:
    if value.get("origins") is not None:
        origins = _strings(value["origins"], f"{key}.origins", file)
        if not origins:
            raise ConfigError("origins must list at least one origin", file=file,
                              key=f"{key}.origins")
        return origins, True
    origin = value.get("origin", "*")
    if not isinstance(origin, str):
        raise ConfigError("origin must be a string", file=file, key=f"{key}.origin")
    if "," in origin:
        return tuple(o.strip() for o in origin.split(",")), True
    return (origin,), False


def _strings(value: Any, key: str, file: str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError("must be a list of strings", file=file, key=key)
    return tuple(value)


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
