"""String formats a reply must honour: schemathesis validates types, not `format`.

`date-time` is RFC 3339 section 5.6 (a `T`, seconds, an offset or `Z`); `date` is its full-date;
`uuid` is RFC 4122's 8-4-4-4-12 hex form.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from contracts.model import Model, resolve

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
KNOWN = ("date-time", "date", "uuid")
MAX_DEPTH = 20


def instant(value: object, kind: str = "date-time") -> datetime | None:
    """Parse a `date-time` (aware) or `date` (midnight UTC); None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        if kind == "date" and _DATE.match(value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        if kind == "date-time" and _DATE_TIME.match(value):
            return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def valid(value: str, kind: str) -> bool:
    if kind == "uuid":
        if not _UUID.match(value):
            return False
        uuid.UUID(value)
        return True
    return instant(value, kind) is not None


def response_schema(model: Model, method: str, path: str, status: int) -> Any:
    """The resolved JSON schema of a declared response, or None."""
    op = (model.raw.get("paths") or {}).get(path, {}).get(method.lower()) or {}
    responses = op.get("responses") or {}
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    media = (model.resolve(response) or {}).get("content", {}).get("application/json") or {}
    return model.resolve(media.get("schema"))


def violations(model: Model, schema: Any, value: Any, where: str = "", depth: int = 0) -> list[str]:
    """Every string under `value` that breaks its schema's known `format`, by JSON pointer."""
    schema = resolve(model.raw, schema)
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return []
    found: list[str] = []
    for part in schema.get("allOf") or []:
        found += violations(model, part, value, where, depth + 1)
    kind = schema.get("format")
    if isinstance(value, str) and kind in KNOWN and not valid(value, kind):
        found.append(f"{where or '/'}: {value!r:.60} is not a {kind}")
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                found += violations(model, sub, value[name], f"{where}/{name}", depth + 1)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += violations(model, schema["items"], item, f"{where}/{i}", depth + 1)
    return found
