"""API Gateway REST resource paths, checked as a deployment checks them.

A path part is a literal (a-zA-Z0-9._-), one whole `{variable}`, or a greedy `{variable+}` that
must be the last part. One variable path part per level: siblings `{id}` and `{name}` (or
`{proxy+}`) are refused at deploy time by API Gateway ("only one is allowed"), so also here.
Matching requests against these paths is the gateway's (emulator/gateway/routes.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from emulator.config.errors import ConfigError

# AWS: "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the
# end and an optional plus sign before the closing brace."
_LITERAL = re.compile(r"[A-Za-z0-9._-]+")
_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}")


class RouteError(ConfigError):
    """A set of routes API Gateway would refuse to deploy; `resource` names the culprit."""

    def __init__(self, message: str, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


@dataclass(frozen=True, slots=True)
class PathPart:
    """One part of a resource path: "reviews" (literal), "{id}" (variable), "{p+}" (greedy)."""

    text: str
    variable: str | None = None  # the variable's name, None for a literal
    greedy: bool = False


def split_path(path: str) -> list[str]:
    """Segments of a stage-less path: "/a/b/" -> ["a", "b"]; "/" -> []."""
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def request_segments(path: str) -> list[str]:
    """Segments of a request path as it is matched: "/a//b/./c/../d/" -> ["a", "b", "d"].

    Empty segments (repeated or trailing slashes) are dropped and dot segments resolved as
    RFC 3986 section 5.2.4 resolves them (`..` above the root stays at the root), so every
    spelling of a path is matched, authorized and run as the one resource it names.
    """
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if out:
                out.pop()
        elif segment not in ("", "."):
            out.append(segment)
    return out


def canonical_path(path: str) -> str:
    """The path a request is matched and authorized on: "/a//b/../c/" -> "/a/c"."""
    return "/" + "/".join(request_segments(path))


def parse_template(template: str) -> tuple[PathPart, ...]:
    """Read "/reviews/{id}" into its parts, refusing what API Gateway refuses."""
    parts = split_path(template)
    out = []
    for depth, text in enumerate(parts):
        variable = _VARIABLE.fullmatch(text)
        if variable is None:
            if not _LITERAL.fullmatch(text):
                raise RouteError(f"invalid path part {text!r} in {template}: API Gateway allows "
                                 "a-zA-Z0-9._- or one whole {variable}", template)
            out.append(PathPart(text))
            continue
        name, greedy = variable.group(1), bool(variable.group(2))
        if greedy and depth != len(parts) - 1:
            raise RouteError(f"{{{name}+}} must be the last path part in {template}", template)
        out.append(PathPart(text, name, greedy))
    return tuple(out)


@dataclass(slots=True)
class _Level:
    literals: dict[str, _Level] = field(default_factory=dict)
    variable: PathPart | None = None
    below_variable: _Level | None = None


def check_resource_tree(templates: Iterable[str]) -> None:
    """Raise RouteError for the first template whose variable part clashes with a sibling's."""
    root = _Level()
    for template in templates:
        level = root
        for part in parse_template(template):
            if part.variable is None:
                level = level.literals.setdefault(part.text, _Level())
                continue
            if level.variable is not None and level.variable != part:
                raise RouteError(f"a sibling ({level.variable.text}) of {template} already has "
                                 "a variable path part -- only one is allowed (API Gateway)",
                                 template)
            level.variable = part
            level.below_variable = level.below_variable or _Level()
            level = level.below_variable
