"""API Gateway REST resource matching: literal > {param} > {proxy+}; ANY; tri-state result.

STUB: interface fixed; implementation in progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from emulator.config import Route


class MatchKind(Enum):
    NONE = "none"  # no resource has this path
    PATH = "path"  # the resource exists, the method does not
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Match:
    kind: MatchKind
    resource: str | None = None  # template of the matched resource, e.g. "/reviews/{id}"
    route: Route | None = None  # set for FULL
    path_parameters: Mapping[str, str] | None = None  # None when the resource has none
    methods: tuple[str, ...] = ()  # methods the resource has (for CORS preflight), sorted
    cors: Route | None = None  # a route of this resource with cors set, if any


class RouteTable:
    """Built once at start from the config's routes; immutable."""

    def __init__(self, routes: Iterable[Route]) -> None:
        raise NotImplementedError

    def match(self, method: str, path: str) -> Match:
        """Match a stage-less path ("/reviews/1") and method against the resources."""
        raise NotImplementedError
