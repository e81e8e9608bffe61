"""A project's contract settings: `contracts.toml`, or `[tool.contracts]` in `pyproject.toml`.

Everything the harness knows about one API that the spec cannot say lives here; what the spec
can say (ids through links, pagination, timestamps, partial updates) is read from the spec by
contracts.model. Paths are relative to the file that names them. Example::

    [tool.contracts]
    spec = "openapi.yaml"
    serverless = "serverless.yml"
    gateway = "rest"                      # API Gateway REST: an undeclared method gets its 403
    cors-origin = "*"                     # every handler reply carries this
    rejected-statuses = ["400", "404"]    # what invalid data may get
    accepted-statuses = ["2xx", "404"]    # what valid data may get
    disable = []                          # checks of ours to turn off, by name
    headers = ["x-api-key: ${API_KEY}"]   # sent with every request; ${VAR} from the environment
    identities = ["alice", "bob"]         # users of the spec's security (contracts.identities)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GATEWAYS = ("rest", "none")
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
KEYS = frozenset(
    {"spec", "serverless", "gateway", "cors-origin", "rejected-statuses", "accepted-statuses",
     "disable", "headers", "identities"}
)


class ProjectError(Exception):
    """A bad contracts configuration: one line naming the file and key."""


@dataclass(frozen=True, slots=True)
class Project:
    """The settings of one project's contract run."""

    spec: Path
    serverless: Path
    gateway: str = "rest"
    cors_origin: str | None = None
    rejected_statuses: tuple[str, ...] = ("4xx",)
    accepted_statuses: tuple[str, ...] = ("2xx",)
    disabled: frozenset[str] = field(default_factory=frozenset)
    headers: tuple[str, ...] = ()  # 'Name: value', ${VAR} not yet expanded
    identities: tuple[str, ...] = ()  # labels; the first one runs the generated tests
    source: str = "defaults"  # where the settings came from, for messages


def load(directory: Path) -> Project:
    """Read `contracts.toml`, else `pyproject.toml`'s [tool.contracts], in `directory`."""
    own = directory / "contracts.toml"
    if own.is_file():
        return from_table(_read(own), directory, f"{own}")
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("contracts")
        if table is not None:
            return from_table(table, directory, f"{pyproject} [tool.contracts]")
    return from_table({}, directory, "defaults")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path}: {exc}") from exc


def from_table(table: Any, root: Path, source: str) -> Project:
    """Validate one settings table; every error names `source` and the key."""
    if not isinstance(table, dict):
        raise ProjectError(f"{source}: expected a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        known = ", ".join(sorted(KEYS))
        raise ProjectError(f"{source}: unknown key {unknown[0]!r} (known: {known})")
    gateway = _string(table, "gateway", source, "rest")
    if gateway not in GATEWAYS:
        raise ProjectError(f"{source}: gateway: expected one of {', '.join(GATEWAYS)}")
    return Project(
        spec=root / _string(table, "spec", source, "openapi.yaml"),
        serverless=root / _string(table, "serverless", source, "serverless.yml"),
        gateway=gateway,
        cors_origin=table.get("cors-origin") and _string(table, "cors-origin", source, ""),
        rejected_statuses=_strings(table, "rejected-statuses", source, ("4xx",)),
        accepted_statuses=_strings(table, "accepted-statuses", source, ("2xx",)),
        disabled=frozenset(_strings(table, "disable", source, ())),
        headers=_strings(table, "headers", source, ()),
        identities=_identities(table, source),
        source=source,
    )


def _identities(table: dict[str, Any], source: str) -> tuple[str, ...]:
    labels = _strings(table, "identities", source, ())
    bad = [label for label in labels if not _LABEL.fullmatch(label)]
    if bad:
        raise ProjectError(f"{source}: identities: {bad[0]!r} is not a label (a letter, then "
                           "letters, digits or _; it names CONTRACTS_<LABEL>_* variables)")
    if labels and (len(labels) < 2 or len(set(labels)) != len(labels)):
        raise ProjectError(f"{source}: identities: expected at least two different labels "
                           f"(one creates, another is refused), got {list(labels)}")
    return labels


def expand(text: str, environ: Mapping[str, str], source: str) -> str:
    """Replace each ${VAR} with the environment's value; a missing one is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ProjectError(f"{source}: headers: ${{{name}}} is not set in the environment")
        return environ[name]

    return _VARIABLE.sub(value, text)


def _string(table: dict[str, Any], key: str, source: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ProjectError(f"{source}: {key}: expected a non-empty string, got {value!r}")
    return value


def _strings(
    table: dict[str, Any], key: str, source: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProjectError(f"{source}: {key}: expected a list of strings, got {value!r}")
    return tuple(value)
