"""The console's hint for a request no route answers (the client still gets AWS's reply).

API Gateway answers an unknown path, stage or method with 403 `Missing Authentication Token`,
which says nothing about the cause. The console adds one line: the stage prefix when the path
lacks it (or names another stage), the methods of a path that exists, else the nearest routes.
Pure: every input is a parameter.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from emulator.config.service import Route
from emulator.gateway.routes import MatchKind, RouteTable

NEAREST = 3


def no_route_hint(method: str, raw_path: str, base: str, routes: Iterable[Route],
                  table: RouteTable) -> str:
    """One line: why `method raw_path` matched nothing and what would have."""
    head = f"no route for {method} {raw_path}"
    if base and not (raw_path == base or raw_path.startswith(base + "/")):
        for candidate in _without_other_stage(raw_path):
            if table.match(method, candidate).kind is not MatchKind.NONE:
                return f"{head}: routes start with the stage: {base}{candidate}"
    path = raw_path[len(base):] or "/" if raw_path.startswith(base) else raw_path
    match = table.match(method, path)
    if match.kind is MatchKind.PATH:
        return (f"{head}: {base}{match.resource} has "
                f"{', '.join(m for m in match.methods)} only")
    wanted = f"{method.upper()} {raw_path}"
    known = [f"{r.method} {base}{r.resource}" for r in routes]
    nearest = difflib.get_close_matches(wanted, known, n=NEAREST, cutoff=0.5)
    if nearest:
        return f"{head}: did you mean {' or '.join(nearest)}?"
    return f"{head} ({len(known)} routes under {base or '/'})"


def _without_other_stage(raw_path: str) -> list[str]:
    """The path as given, and without its first segment (another stage's name)."""
    rest = raw_path.split("/", 2)
    return [raw_path] + (["/" + rest[2]] if len(rest) == 3 else ["/"])
