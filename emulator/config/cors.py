"""The `cors:` option of `http` events, read into a CorsConfig as the Serverless Framework does.

Serverless Framework v3: lib/plugins/aws/package/compile/events/api-gateway/lib/validate.js
`getCors`. The gateway half (the OPTIONS reply) is emulator/gateway/cors.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.config.errors import ConfigError

SLS_DEFAULT_CORS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
)



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
