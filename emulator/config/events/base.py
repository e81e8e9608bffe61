"""The seam every event kind plugs into: what a reader gets, and what a source event is.

A reader is `read(scope, function, raw, key) -> value | None` (None: the event names something
the emulator cannot resolve, noted in `scope.doc`). A reader raises `scope.doc.error(key, ...)`
for bad input, so the message names the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from emulator.config.authorizers import Targets
from emulator.config.document import Document
from emulator.config.http_authorizers import HttpAuthorizerConfig
from emulator.config.intrinsics import CfnContext
from emulator.config.yamlfile import KeyPath


class SourceEvent(Protocol):
    """An event a runner serves (sqs, schedule, ...): frozen, hashable, named by `kind`."""

    kind: ClassVar[str]

    @property
    def function(self) -> str: ...  # key under `functions:`

    @property
    def key(self) -> str: ...  # where it is in serverless.yml, "functions.a.events[0].sqs"

    @property
    def enabled(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """What a reader may read besides the event itself (one per function)."""

    doc: Document
    cfn: CfnContext  # Ref / Fn::GetAtt values of `resources:`
    targets: Targets = field(default_factory=lambda: Targets({}))  # REST authorizers' targets
    http_api_payload: str = "2.0"  # the function's httpApi payload format version
    http_authorizers: Mapping[str, HttpAuthorizerConfig] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # per-kind facts (tables, buckets)


Reader = Callable[[Scope, str, Any, KeyPath], Any]


def changed(kind: str) -> Callable[[Sequence[object], Sequence[object]], list[str]]:
    """The default 'what changed' of a kind, by the events' keys in serverless.yml:
    '+1 sqs event', '-2 sqs events', '1 sqs event changed'."""
    def describe(old: Sequence[object], new: Sequence[object]) -> list[str]:
        before = {str(getattr(e, "key", e)): e for e in old}
        after = {str(getattr(e, "key", e)): e for e in new}
        added = [k for k in after if k not in before]
        removed = [k for k in before if k not in after]
        altered = [k for k in after if k in before and before[k] != after[k]]
        return [f"{sign}{len(keys)} {kind} event{_s(keys)}{suffix}" for sign, keys, suffix in (
            ("+", added, ""), ("-", removed, ""), ("", altered, " changed")) if keys]
    return describe


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"


@dataclass(frozen=True, slots=True)
class EventKind:
    """One row of the table: an event kind, its reader, and where its values go.

    `into` names the ServiceConfig field: "routes" (REST), "http_api_routes" (HTTP API), or
    "events" (what emulator/sources/ runs). `changes` tells a reload what changed.
    """

    name: str  # the key under `events:` (http, httpApi, sqs, schedule, ...)
    read: Reader
    into: str = "events"
    changes: Callable[[Sequence[object], Sequence[object]], list[str]] | None = None

    def describe_changes(self, old: Sequence[object], new: Sequence[object]) -> list[str]:
        return (self.changes or changed(self.name))(old, new)
