"""What the gateway reads from and writes to the wire: an HTTP request and reply, socket-free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What arrived on the wire. Headers and query keep order, repeats and the client's casing."""

    method: str
    path: str  # raw path as received, with the stage prefix, percent-decoded: "/dev/reviews/1"
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str = "127.0.0.1"
    target: str = ""  # the request target as received (raw, percent-encoded): SigV4 signs it

    def header(self, name: str) -> str | None:
        """Return the last value of a header, matched case-insensitively."""
        wanted = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]  # order and repeats kept
    body: bytes = b""


def media_type_matches(content_type: str | None, media_types: Sequence[str]) -> bool:
    """Tell whether a Content-Type/Accept value matches binaryMediaTypes (`image/*`, `*/*`)."""
    if not content_type or not media_types:
        return False
    kind, _, sub = content_type.split(";", 1)[0].strip().lower().partition("/")
    for pattern in media_types:
        p_kind, _, p_sub = pattern.strip().lower().partition("/")
        if p_kind in ("*", kind) and p_sub in ("*", sub):
            return True
    return False


class RequestHandler(Protocol):
    """What the HTTP server hands each request to (gateway/front.py's Front, a Gateway)."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...
