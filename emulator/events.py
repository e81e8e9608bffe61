"""The API Gateway REST (v1) Lambda proxy event, built as a pure function.

STUB: interface fixed; implementation in progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What arrived on the wire. Headers and query keep order, repeats and the client's casing."""

    method: str
    path: str  # raw path as received, with the stage prefix, percent-decoded: "/dev/reviews/1"
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """Return the last value of a header, matched case-insensitively."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """The per-request values API Gateway makes up (injected, so build_proxy_event stays pure)."""

    request_id: str  # UUID
    extended_request_id: str
    epoch_ms: int
    account_id: str
    api_id: str  # 10 lower-case alphanumerics
    resource_id: str
    stage: str
    domain_name: str  # Host header, else "{api_id}.execute-api.{region}.amazonaws.com"


def build_proxy_event(
    request: HttpRequest,
    *,
    resource: str,
    path: str,  # without the stage prefix
    path_parameters: Mapping[str, str] | None,
    meta: RequestMeta,
    binary_media_types: Sequence[str] = (),
    stage_variables: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the full documented REST proxy event for one request."""
    raise NotImplementedError
