"""The emulator's packages import each other in one direction only (DESIGN.md, "target layout").

top (cli, server, reload) -> gateway -> runtime; everything -> config; sources (the runners
of non-HTTP events) -> runtime, aws and config; aws is used by the top and sources
only (runtime reaches moto through the environment variables it gives handlers). Read with
`ast`, so lazy imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

EMULATOR = Path(__file__).resolve().parents[2] / "emulator"

# package -> the emulator packages its modules may import (besides their own)
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset(),
    "runtime": frozenset({"config"}),
    "aws": frozenset({"config"}),
    "gateway": frozenset({"config", "runtime"}),
    "sources": frozenset({"config", "runtime", "aws"}),  # runners of non-HTTP events
    "web": frozenset({"config", "gateway"}),  # --web's static site and its config.json
}
PACKAGES = frozenset(ALLOWED)
TOP = "(top)"


def _package_of(module: str) -> str | None:
    """emulator.gateway.rest -> "gateway"; emulator.cli -> TOP; anything else -> None."""
    parts = module.split(".")
    if parts[0] != "emulator":
        return None
    if len(parts) > 1 and parts[1] in PACKAGES:
        return parts[1]
    return TOP


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every emulator module a file imports, with its line (absolute imports only)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports"
            if node.module == "emulator":  # from emulator import reload -> emulator.reload
                found += [(node.lineno, f"emulator.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, m) for line, m in found if m == "emulator" or m.startswith("emulator.")]


def _violations(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        own = path.relative_to(root).parts[0] if path.parent != root else TOP
        for line, module in _imported_modules(path):
            target = _package_of(module)
            if target is None or own in (target, TOP):
                continue
            if target == TOP or target not in ALLOWED[own]:
                out.append(f"emulator/{path.relative_to(root)}:{line}: {own} imports {module}")
    return out


def test_emulator_packages_import_in_one_direction() -> None:
    assert _violations(EMULATOR) == []


def test_no_module_lives_flat_beside_the_packages_except_the_wiring() -> None:
    flat = sorted(p.name for p in EMULATOR.glob("*.py"))
    # server.py is the HTTP/1.1 server, in three modules: framing, one connection, the loop;
    # cli_auth.py is the command line's authorization flags and start-up lines; commands.py
    # the subcommand table and the command lines the emulator prints as hints
    assert flat == ["__init__.py", "__main__.py", "cli.py", "cli_auth.py", "commands.py",
                    "connection.py", "console.py", "http11.py", "invoke_cli.py", "options.py",
                    "reload.py", "server.py", "watcher.py"]


@pytest.mark.parametrize(("package", "module", "bad"), [
    ("config", "emulator.gateway.routes", True),
    ("runtime", "emulator.gateway.rest", True),
    ("aws", "emulator.runtime.logs", True),
    ("gateway", "emulator.aws.iam", True),
    ("gateway", "emulator.cli", True),
    ("gateway", "emulator.runtime.environments", False),
    ("runtime", "emulator.config.service", False),
    ("sources", "emulator.gateway.rest", True),
    ("sources", "emulator.cli", True),
    ("config", "emulator.sources.table", True),
    ("runtime", "emulator.sources.sqs", True),
    ("sources", "emulator.aws.queues", False),
    ("sources", "emulator.runtime.invoker", False),
])
def test_the_check_catches_a_wrong_way_import(tmp_path: Path, package: str, module: str,
                                              bad: bool) -> None:
    (tmp_path / package).mkdir()
    (tmp_path / package / "m.py").write_text(f"def f() -> None:\n    import {module}\n")
    assert bool(_violations(tmp_path)) is bad
