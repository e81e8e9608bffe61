"""`custom.serverless-offline`: the settings that have a meaning in the emulator.

For projects coming from serverless-offline (v13: src/config/defaultOptions.js,
commandOptions.js, utils/generateHapiPath.js): `httpPort`, `host`, `noPrependStageInUrl`
(routes served at `/reviews` instead of `/dev/reviews`), `prefix` (`/{prefix}` before the
stage, or before the route when the stage is not prepended) and `noAuth` (authorizers off;
read and kept for when authorizers are emulated). As in serverless-offline, a command-line
flag wins over `custom.serverless-offline`, which wins over the default. Its other settings are
named in the start warning; a known setting spelled with the wrong case is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from emulator.config.document import Document

KEY = ("custom", "serverless-offline")
HONOURED = {"httpPort": "http_port", "host": "host", "noPrependStageInUrl": "no_prepend_stage",
            "prefix": "prefix", "noAuth": "no_auth"}


@dataclass(frozen=True, slots=True)
class OfflineSettings:
    """The serverless-offline settings the emulator honours (None: not set)."""

    http_port: int | None = None
    host: str | None = None
    no_prepend_stage: bool = False
    prefix: str = ""
    no_auth: bool = False
    declared: tuple[str, ...] = ()  # what custom.serverless-offline set, e.g. "httpPort=4000"

    def overridden(self, **flags: Any) -> OfflineSettings:
        """These settings with the command line's flags (those not None/False) on top."""
        return replace(self, **{k: v for k, v in flags.items()
                                if v is not None and v is not False})


def base_path(stage: str, settings: OfflineSettings) -> str:
    """Where the API's routes start: "/dev", "" (noPrependStageInUrl), "/api/dev" (prefix)."""
    path = "" if settings.no_prepend_stage else f"/{stage}"
    prefix = settings.prefix.strip("/")
    return f"/{prefix}{path}" if prefix else path


def read_offline(doc: Document) -> OfflineSettings:
    """Read custom.serverless-offline: honoured settings checked, the others noted."""
    custom = doc.mapping(doc.doc.get("custom"), KEY[:1])
    raw = doc.mapping(custom.get(KEY[1]), KEY)
    values: dict[str, Any] = {}
    lowered = {name.lower(): name for name in HONOURED}
    for name, value in raw.items():
        key = (*KEY, str(name))
        if name not in HONOURED:
            if str(name).lower() in lowered:
                raise doc.error(key, f"unknown setting; did you mean {lowered[str(name).lower()]}?")
            doc.note(key)
            continue
        values[HONOURED[name]] = _checked(doc, key, HONOURED[name], value)
    declared = tuple(name if value is True else f"{name}={value}" for name, value in raw.items()
                     if name in HONOURED and value is not False)
    return OfflineSettings(**values, declared=declared)


def _checked(doc: Document, key: tuple[str, ...], field: str, value: Any) -> Any:
    if field == "http_port":
        port = int(value) if isinstance(value, str) and value.strip().isdigit() else value
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise doc.error(key, f"must be a port number (0-65535), not {value!r}")
        return port
    if field in ("host", "prefix"):
        if not isinstance(value, str):
            raise doc.error(key, f"must be a string, not {value!r}")
        return value
    if not isinstance(value, bool):
        raise doc.error(key, f"must be true or false, not {value!r}")
    return value
