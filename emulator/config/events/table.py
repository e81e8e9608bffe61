"""The event kinds the emulator serves: one row each, and the walk over a function's events.

Adding a kind = its reader module + one row in KINDS (and a runner row in
emulator/sources/table.py when it is not served by the gateway). A kind without a row is named
as not emulated, never dropped silently.
"""

from __future__ import annotations

from typing import Any

from emulator.config.events.base import EventKind, Scope
from emulator.config.events.s3 import read_s3
from emulator.config.events.schedule import read_schedules
from emulator.config.events.sqs import read_sqs
from emulator.config.events.stream import read_stream
from emulator.config.http_api_events import http_api_route
from emulator.config.http_events import http_route
from emulator.config.yamlfile import KeyPath


def _http(scope: Scope, function: str, raw: Any, key: KeyPath) -> Any:
    return http_route(scope.doc, function, raw, key, scope.targets)


def _http_api(scope: Scope, function: str, raw: Any, key: KeyPath) -> Any:
    return http_api_route(scope.doc, function, raw, key, payload=scope.http_api_payload,
                          authorizers=scope.http_authorizers)


KINDS: dict[str, EventKind] = {row.name: row for row in (
    EventKind("http", _http, into="routes"),
    EventKind("httpApi", _http_api, into="http_api_routes"),
    EventKind("sqs", read_sqs),
    EventKind("schedule", read_schedules),
    EventKind("stream", read_stream),
    EventKind("s3", read_s3),
)}
INTO = ("routes", "http_api_routes", "events")


def read_events(scope: Scope, function: str, spec: dict[str, Any], key: KeyPath
                ) -> dict[str, list[tuple[Any, KeyPath]]]:
    """The events of one function, by destination ({"routes": [(Route, key)], ...}).

    A reader returns one value, None (noted, not served) or a tuple (one event, several rules).
    """
    doc = scope.doc
    events = spec.get("events") or []
    if not isinstance(events, list):
        raise doc.error((*key, "events"), "events must be a list")
    found: dict[str, list[tuple[Any, KeyPath]]] = {into: [] for into in INTO}
    for i, event in enumerate(events):
        ekey = (*key, "events", i)
        if isinstance(event, str) and event != "http":  # v1's `- alexaSkill`: v3 only warns
            doc.note(ekey, event)
            continue
        if not isinstance(event, dict) or len(event) != 1:
            raise doc.error(ekey, "each event is a mapping with one key (http:, sqs:, ...)")
        ((kind, raw),) = event.items()
        row = KINDS.get(str(kind))
        if row is None:
            doc.note((*ekey, str(kind)))
            continue
        value = row.read(scope, function, raw, (*ekey, row.name))
        for one in value if isinstance(value, tuple) else () if value is None else (value,):
            found[row.into].append((one, (*ekey, row.name)))
    return found
