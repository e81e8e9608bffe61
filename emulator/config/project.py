"""Finding a project's service file, and what its `frameworkVersion` says.

The Serverless Framework v3 looks for `serverless.yml`, `.yaml`, `.json`, `.js`, `.mjs`,
`.cjs`, `.ts` in that order (lib/cli/resolve-configuration-path.js); the emulator reads the
first three and names the others (they need Node to evaluate). Any `frameworkVersion` is
accepted; one that v3 would not satisfy is noted at start, since the file may rely on v1/v2
behaviour (emulator/config/variables.py keeps v1/v2's default stage and region).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from emulator.config.errors import ConfigError

READABLE = ("serverless.yml", "serverless.yaml", "serverless.json")
NODE_ONLY = ("serverless.js", "serverless.mjs", "serverless.cjs", "serverless.ts")
FRAMEWORK_VERSION = (3, 40, 0)  # the v3 the emulator follows (serverless@3 on npm)


def locate(config: Path | None, cwd: Path) -> Path:
    """The service file: --config (a file or its folder), else the first one v3 would find."""
    folder = cwd
    if config is not None:
        if not config.is_dir():
            _refuse_node(config)
            return config
        folder = config
    for name in READABLE:
        if (folder / name).is_file():
            return folder / name
    for name in NODE_ONLY:
        if (folder / name).is_file():
            _refuse_node(folder / name)
    raise ConfigError(f"no {', '.join(READABLE)} here; run the emulator in the service's "
                      "folder or pass --config PATH", file=str(folder))


def _refuse_node(path: Path) -> None:
    if path.suffix in (".js", ".mjs", ".cjs", ".ts"):
        raise ConfigError("a JavaScript/TypeScript service file needs Node to evaluate; write "
                          "its resolved form with `serverless print > serverless.yml` and "
                          "point --config at that", file=str(path))


def framework_version_note(document: dict[str, Any]) -> str | None:
    """A note when `frameworkVersion` is set and 3.x would not satisfy it."""
    version = document.get("frameworkVersion")
    if version is None or satisfies(str(version), FRAMEWORK_VERSION):
        return None
    v4 = satisfies(str(version), (4, 0, 0))
    return (f"frameworkVersion {str(version)!r} is not 3: the file is read as v3 reads it, "
            "with v1/v2's defaults where v3 would stop" + (
                "; Python requirements as v4 builds them" if v4 else ""))


_COMPARATOR = re.compile(r"(>=|<=|>|<|=|\^|~)?\s*v?([\dxX*]+)?(?:\.([\dxX*]+))?"
                         r"(?:\.([\dxX*]+))?(?:[-+][\w.]*)?")


def satisfies(spec: str, version: tuple[int, int, int]) -> bool:
    """npm's semver range check, for the range forms people write (`^2.0.0`, `>=1 <3`, `3`,
    `2.x || 3.x`, `1.0.0 - 2.0.0`); an unreadable range counts as satisfied (v3 skips it)."""
    for alternative in spec.split("||"):
        text = re.sub(r"\s+-\s+", " - ", alternative.strip())
        if " - " in text:
            low, high = text.split(" - ", 1)
            text = f">={low} <={high}"
        parts = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", text).split()
        try:
            if all(_comparator(part, version) for part in parts):
                return True
        except ValueError:
            return True
    return False


def _comparator(text: str, version: tuple[int, int, int]) -> bool:
    match = _COMPARATOR.fullmatch(text)
    if match is None:
        raise ValueError(text)
    op, *raw = match.groups()
    numbers = [int(n) for n in raw if n is not None and n not in ("x", "X", "*")]
    if not numbers:
        return op in (None, "", "=", ">=", "<=", "^", "~")
    low = tuple(numbers + [0] * (3 - len(numbers)))
    if op in (None, "=") and len(numbers) < 3:
        bump = len(numbers) - 1  # "3" is 3.x.x, "3.1" is 3.1.x
    elif op == "~":
        bump = min(len(numbers) - 1, 1)  # ~3.1.2 and ~3.1: 3.1.x; ~3: 3.x.x
    elif op == "^":  # the first non-zero number may not change
        bump = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
    else:
        return {"=": version == low, None: version == low, ">=": version >= low,
                "<=": version <= low, ">": version > low, "<": version < low}[op]
    high = tuple([*numbers[:bump], numbers[bump] + 1] + [0] * (2 - bump))
    return low <= version < high
