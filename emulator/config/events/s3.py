"""The `s3` events of functions: bucket notifications that invoke a function.

Read as the Serverless Framework v3 compiles them (lib/plugins/aws/package/compile/events/s3/):
`s3: bucket-name` or {bucket, event (default s3:ObjectCreated:*), rules [{prefix}, {suffix}],
existing}. Without `existing: true` the framework creates the bucket itself, so a bucket of the
same name in `resources:` makes the deploy fail (two resources, one bucket name): a config
error here. With `existing: true` the bucket is one made elsewhere (`resources:` or by hand).
The event names are S3's ("Supported event types for SQS, SNS, and Lambda", S3 User Guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from emulator.config.events.base import Scope
from emulator.config.yamlfile import KeyPath, format_path

_KNOWN = frozenset({"bucket", "event", "rules", "existing", "forceDeploy"})
_EVENT = re.compile(r"s3:(ObjectCreated|ObjectRemoved|ObjectRestore|ReducedRedundancyLostObject|"
                    r"Replication|LifecycleTransition|LifecycleExpiration|IntelligentTiering|"
                    r"ObjectTagging|ObjectAcl)(:[A-Za-z*]+)?")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


@dataclass(frozen=True, slots=True)
class S3Event:
    """One notification: which bucket, which events, which keys."""

    kind: ClassVar[str] = "s3"
    function: str
    key: str
    bucket: str
    event: str = "s3:ObjectCreated:*"
    prefix: str | None = None
    suffix: str | None = None
    existing: bool = False
    enabled: bool = True

    def wants(self, event_name: str, object_key: str) -> bool:
        """Whether a record ("ObjectCreated:Put", key) is for this notification."""
        family, _, kind = self.event[3:].partition(":")
        name_family, _, name_kind = event_name.partition(":")
        return (family == name_family and kind in ("*", "", name_kind)
                and object_key.startswith(self.prefix or "")
                and object_key.endswith(self.suffix or ""))


def read_s3(scope: Scope, function: str, raw: Any, key: KeyPath) -> S3Event:
    doc = scope.doc
    options: dict[str, Any] = {"bucket": raw} if isinstance(raw, str) else raw
    if not isinstance(options, dict):
        raise doc.error(key, "s3 must be a bucket name or a mapping with bucket:")
    for name in options:
        if name not in _KNOWN:
            doc.note((*key, str(name)), "unknown s3 setting")
    bucket = options.get("bucket")
    where = key if isinstance(raw, str) else (*key, "bucket")
    if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
        raise doc.error(where, "bucket must be a bucket name (3-63 lower-case letters, digits, "
                               "dots and dashes)")
    event = options.get("event", "s3:ObjectCreated:*")
    if not isinstance(event, str) or not _EVENT.fullmatch(event):
        raise doc.error((*key, "event"), "event must be an S3 event type such as "
                                         "s3:ObjectCreated:* or s3:ObjectRemoved:Delete")
    existing = options.get("existing", False)
    if not isinstance(existing, bool):
        raise doc.error((*key, "existing"), "must be true or false")
    if not existing and bucket in scope.extra.get("buckets", ()):
        raise doc.error(where, f"bucket {bucket} is also defined in resources: the framework "
                               "creates the bucket of an s3 event itself, so the deploy would "
                               "fail; add existing: true to use the bucket of resources")
    prefix, suffix = _rules(scope, options.get("rules"), (*key, "rules"))
    return S3Event(function, format_path(key), bucket, event, prefix, suffix, existing)


def _rules(scope: Scope, value: Any, key: KeyPath) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, list):
        raise scope.doc.error(key, "rules must be a list of {prefix: ...} and {suffix: ...}")
    found: dict[str, str] = {}
    for i, rule in enumerate(value):
        if (not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in
                ("prefix", "suffix") or not isinstance(next(iter(rule.values())), str)):
            raise scope.doc.error((*key, i), "each rule is {prefix: text} or {suffix: text}")
        found.update(rule)
    return found.get("prefix"), found.get("suffix")
