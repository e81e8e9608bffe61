"""API Gateway REST resource matching: literal > {param} > {proxy+}; ANY; tri-state result.

Emulates how a REST API (v1) picks the resource and method for a request:
- per path segment a literal child wins over a `{param}` child, which wins over a greedy
  `{proxy+}` child; if the preferred branch has no resource deeper down, the next one is tried;
- `{proxy+}` must take at least one segment and takes all that remain ("a/b", no leading slash);
- an explicit method on the resource wins over its ANY method;
- trailing slashes are ignored (`/reviews/` is `/reviews`; the event's `path` keeps the slash,
  as recorded against AWS in LocalStack's aws-validated apigateway snapshots), paths are
  case-sensitive;
- repeated slashes and `.`/`..` segments are resolved before matching (config/paths.py's
  `request_segments`), so no spelling of a protected path reaches a neighbouring `{proxy+}`;
The table is built once from routes that emulator/config/paths.py has checked as API Gateway
checks them at deploy time; matching walks a trie of path segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from emulator.config.paths import (
    RouteError,
    check_resource_tree,
    parse_template,
    request_segments,
)
from emulator.config.service import Route
from emulator.gateway import cors as cors_mod


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
    # The resource's merged CORS setup (what Serverless compiles into its OPTIONS method).
    # OPTIONS on such a resource without an explicit OPTIONS route is a PATH match: answer it
    # with cors.preflight(preflight.cors, preflight.methods, origin).
    preflight: cors_mod.Preflight | None = None


@dataclass(frozen=True, slots=True)
class _Resource:
    template: str
    by_method: Mapping[str, Route]
    param_names: tuple[str, ...]
    methods: tuple[str, ...]
    preflight: cors_mod.Preflight | None


@dataclass(slots=True)
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    variable: tuple[str, _Node] | None = None
    greedy: tuple[str, _Resource] | None = None
    resource: _Resource | None = None


_NO_MATCH = Match(MatchKind.NONE)


class RouteTable:
    """Built once at start from the config's routes; immutable."""

    def __init__(self, routes: Iterable[Route]) -> None:
        grouped: dict[str, dict[str, Route]] = {}
        for route in routes:
            methods = grouped.setdefault(route.resource, {})
            if route.method in methods:
                raise RouteError(f"duplicate route {route.method} {route.resource}",
                                 route.resource)
            methods[route.method] = route
        check_resource_tree(grouped)
        self._root = _Node()
        for template, by_method in grouped.items():
            _insert(self._root, template, by_method)

    def match(self, method: str, path: str) -> Match:
        """Match a stage-less path ("/reviews/1") and method against the resources."""
        segments = request_segments(path)
        found = _find(self._root, segments, 0, ())
        if found is None:
            return _NO_MATCH
        resource, values = found
        params = dict(zip(resource.param_names, values, strict=True)) or None
        method = method.upper()
        route = resource.by_method.get(method)
        if route is None and not (method == "OPTIONS" and resource.preflight):
            route = resource.by_method.get("ANY")
        kind = MatchKind.PATH if route is None else MatchKind.FULL
        return Match(kind, resource.template, route, params, resource.methods,
                     resource.preflight)


def _find(
    node: _Node, segments: list[str], i: int, values: tuple[str, ...]
) -> tuple[_Resource, tuple[str, ...]] | None:
    if i == len(segments):
        return (node.resource, values) if node.resource else None
    child = node.literals.get(segments[i])
    if child is not None and (found := _find(child, segments, i + 1, values)):
        return found
    if node.variable and segments[i]:
        found = _find(node.variable[1], segments, i + 1, (*values, segments[i]))
        if found:
            return found
    if node.greedy:
        return node.greedy[1], (*values, "/".join(segments[i:]))
    return None


def _insert(root: _Node, template: str, by_method: dict[str, Route]) -> None:
    node, names = root, []
    for part in parse_template(template):
        if part.variable is None:
            node = node.literals.setdefault(part.text, _Node())
            continue
        names.append(part.variable)
        if part.greedy:
            node.greedy = (part.variable, _resource(template, by_method, names))
            return
        if node.variable is None:
            node.variable = (part.variable, _Node())
        node = node.variable[1]
    node.resource = _resource(template, by_method, names)


def _resource(template: str, by_method: dict[str, Route], names: list[str]) -> _Resource:
    preflight = cors_mod.merge((r.method, r.cors) for r in by_method.values() if r.cors)
    return _Resource(template, dict(by_method), tuple(names), tuple(sorted(by_method)),
                     preflight)
