"""Parsing the formats of server-set timestamps, to compare them (contracts.semantics).

`date-time` is RFC 3339 section 5.6 (a `T`, seconds, an offset or `Z`); `date` is its full-date;
`uuid` is RFC 4122's 8-4-4-4-12 hex form. Whether a reply's strings match their declared
`format` at all is schemathesis's response_schema_conformance's to check (it validates formats).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
KNOWN = ("date-time", "date", "uuid")


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
