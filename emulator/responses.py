"""API Gateway's mapping of a Lambda proxy result to an HTTP reply; pure.

STUB: interface fixed; implementation in progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]  # order and repeats kept
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Mapped:
    """The reply, and why it is what it is when that is not obvious (for the developer's log)."""

    response: HttpResponse
    problem: str | None = None  # e.g. "body is not a string" when a 502 was produced


def map_proxy_result(
    payload: bytes,
    *,
    accept: str | None,
    binary_media_types: Sequence[str] = (),
) -> Mapped:
    """Map the raw JSON result a function returned to the client's reply (502 when malformed)."""
    raise NotImplementedError
