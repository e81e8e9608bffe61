"""HTTP API (v2) route selection: the most specific route wins, as AWS documents it.

AWS, "Working with routes for HTTP APIs" (Routing API requests): API Gateway selects
1. a full match for the path and method (literal segments before `{variables}`),
2. else a match with a greedy path variable (`{proxy+}`, the deepest first),
3. else the `$default` route (`httpApi: '*'`);
nothing matches: `404 {"message":"Not Found"}`. `ANY` matches every method a path has no route
of its own for. A route only counts when its method matches, so `POST /pets/1` next to
`GET /pets/{id}` and `ANY /{proxy+}` goes to the latter. Built once; immutable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from emulator.config.paths import parse_template, request_segments
from emulator.config.service import HttpApiRoute


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: HttpApiRoute
    path_parameters: Mapping[str, str] | None  # None when the route has none


@dataclass(frozen=True, slots=True)
class _Entry:
    route: HttpApiRoute
    names: tuple[str, ...]  # the route's variable names, in path order


@dataclass(slots=True)
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    variable: _Node | None = None
    exact: dict[str, _Entry] = field(default_factory=dict)  # method -> route ending here
    greedy: dict[str, _Entry] = field(default_factory=dict)  # method -> `{x+}` route here


class HttpApiRoutes:
    """The HTTP API's routes (config/http_api_events.py checked them)."""

    def __init__(self, routes: Iterable[HttpApiRoute]) -> None:
        self._root = _Node()
        self.default: HttpApiRoute | None = None
        self.count = 0
        for route in routes:
            self.count += 1
            if route.path is None:
                self.default = route
            else:
                _insert(self._root, route)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """Return the route that serves `method path`, or None (404)."""
        segments = request_segments(path)
        method = method.upper()
        found = (_find(self._root, segments, 0, (), method, greedy=False)
                 or _find(self._root, segments, 0, (), method, greedy=True))
        if found is not None:
            entry, values = found
            params = dict(zip(entry.names, values, strict=True)) or None
            return RouteMatch(entry.route, params)
        if self.default is not None:
            return RouteMatch(self.default, None)
        return None


def _insert(root: _Node, route: HttpApiRoute) -> None:
    assert route.path is not None
    node, names = root, []
    for part in parse_template(route.path):
        if part.variable is None:
            node = node.literals.setdefault(part.text, _Node())
            continue
        names.append(part.variable)
        if part.greedy:
            node.greedy[route.method] = _Entry(route, tuple(names))
            return
        node.variable = node.variable or _Node()
        node = node.variable
    node.exact[route.method] = _Entry(route, tuple(names))


def _for_method(routes: dict[str, _Entry], method: str) -> _Entry | None:
    return routes.get(method) or routes.get("ANY")


def _find(node: _Node, segments: list[str], i: int, values: tuple[str, ...], method: str,
          *, greedy: bool) -> tuple[_Entry, tuple[str, ...]] | None:
    if i == len(segments):
        entry = None if greedy else _for_method(node.exact, method)
        return (entry, values) if entry else None
    child = node.literals.get(segments[i])
    if child is not None:
        found = _find(child, segments, i + 1, values, method, greedy=greedy)
        if found:
            return found
    if node.variable is not None and segments[i]:
        found = _find(node.variable, segments, i + 1, (*values, segments[i]), method,
                      greedy=greedy)
        if found:
            return found
    if greedy and (entry := _for_method(node.greedy, method)):
        return entry, (*values, "/".join(segments[i:]))
    return None
