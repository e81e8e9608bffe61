"""The Python interpreter a Lambda runtime name asks for, found on this machine.

`python3.12` asks for CPython 3.12. It is looked up in pyenv's versions folder (pyenv's shims
answer only for the selected version, so uv cannot see the others) and with `uv python find
--system` (PATH, uv-managed installs, the Windows registry). Nothing is downloaded: when 3.12 is
not installed, the closest installed version is used and the caller warns, naming both.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_RUNTIME = re.compile(r"python(\d+)\.(\d+)")
_VERSION_SCRIPT = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


@dataclass(frozen=True, slots=True)
class Interpreter:
    path: str
    version: str  # "3.12.1"

    @property
    def minor(self) -> str:
        """"3.12.1" -> "3.12"."""
        return ".".join(self.version.split(".")[:2])


def requested_version(runtime: str) -> str:
    """`python3.12` -> "3.12"; a runtime that is not Python -> this interpreter's version."""
    match = _RUNTIME.fullmatch(runtime)
    if match:
        return f"{match.group(1)}.{match.group(2)}"
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def find(requested: str, uv: str, env: Mapping[str, str]) -> Interpreter | None:
    """Return an installed CPython `requested` ("3.12"), or None."""
    for path in _pyenv_pythons(env, requested):
        found = probe(path)
        if found is not None and found.minor == requested:
            return found
    found_path = _uv_find(uv, env, requested)
    found = probe(found_path) if found_path else None
    return found if found is not None and found.minor == requested else None


def find_closest(requested: str, uv: str, env: Mapping[str, str]) -> Interpreter | None:
    """Return the installed interpreter nearest to `requested` (same major; newer on a tie)."""
    paths = [*_pyenv_pythons(env, None), _uv_find(uv, env, None),
             getattr(sys, "_base_executable", sys.executable)]
    found = [i for p in dict.fromkeys(paths) if p and (i := probe(p)) is not None]
    return closest(requested, found)


def closest(requested: str, candidates: Iterable[Interpreter]) -> Interpreter | None:
    """Pick the candidate whose minor version is nearest `requested` (pure)."""
    major, minor = (int(p) for p in requested.split("."))

    def distance(i: Interpreter) -> tuple[int, int, int]:
        m, n, patch = (int(p) for p in i.version.split("."))
        return (abs(m - major) * 100 + abs(n - minor), -n, -patch)

    return min(candidates, key=distance, default=None)


def _pyenv_pythons(env: Mapping[str, str], minor: str | None) -> list[str]:
    """pyenv's CPython builds (`<root>/versions/3.12.1/bin/python3.12`), newest first."""
    root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        names = [p.name for p in root.iterdir()]
    except OSError:
        return []
    found = []
    for name in names:
        if re.fullmatch(r"3\.\d+\.\d+", name) and (minor is None or name.startswith(minor + ".")):
            short = ".".join(name.split(".")[:2])
            found.append((tuple(int(p) for p in name.split(".")),
                          str(root / name / "bin" / f"python{short}")))
    return [path for _, path in sorted(found, reverse=True) if Path(path).is_file()]


def _uv_find(uv: str, env: Mapping[str, str], version: str | None) -> str | None:
    """`uv python find --system [version]`: a system or uv-managed interpreter, never a venv."""
    args = [uv, "python", "find", "--system", "--no-project", "--no-python-downloads"]
    clean = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "UV_PYTHON")}
    try:
        done = subprocess.run([*args, *([version] if version else [])], env=clean,
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def probe(path: str) -> Interpreter | None:
    """Run the interpreter once to read its version (None when it does not run)."""
    try:
        done = subprocess.run([path, "-I", "-c", _VERSION_SCRIPT], capture_output=True,
                              text=True, timeout=30, check=False, env={"PATH": os.defpath})
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    if done.returncode != 0 or not re.fullmatch(r"\d+\.\d+\.\d+", version):
        return None
    return Interpreter(path, version)
