"""Handlers that name a module or function that does not exist, found before the first request.

Lambda reports these only when the function is first invoked (`Runtime.ImportModuleError`,
`Runtime.HandlerNotFound`, `Runtime.UserCodeSyntaxError`). The emulator names them at start with
a cheap static check, never importing anything: the module's file exists in the package root or
a layer's python/ folder, parses, and binds the name at top level (def, class, assignment,
import). A module that defines `__getattr__` or star-imports is given the benefit of the doubt.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from emulator.config.packaging import WSGI_HANDLERS
from emulator.config.service import ServiceConfig

_BODIES = ("body", "orelse", "finalbody")
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)


def handler_problems(service: ServiceConfig) -> list[str]:
    """One line per function whose handler cannot be found or parsed."""
    parsed: dict[Path, set[str] | str] = {}  # many functions share one module: parse it once
    problems = []
    for function in service.functions.values():
        if function.handler in WSGI_HANDLERS and service.packaging.wsgi is not None:
            continue  # serverless-wsgi's own module, installed into the virtualenv
        root = service.root / service.packaging.module(function.name)
        layers = [f / "python" for f in service.packaging.layers.get(function.name, ())]
        problem = check_handler(function.handler, [root, *layers], parsed)
        if problem:
            problems.append(f"function {function.name}: handler {function.handler}: {problem}")
    return problems


def check_handler(handler: str, roots: Sequence[Path],
                  parsed: dict[Path, set[str] | str] | None = None) -> str | None:
    """Say what is wrong with `module.function` under `roots`, or None when it looks fine."""
    module, _, name = handler.rpartition(".")
    if not module or not name:
        return "not in the form module.function (Runtime.MalformedHandlerName)"
    relative = module.replace(".", "/")
    candidates = [p for root in roots
                  for p in (root / f"{relative}.py", root / relative / "__init__.py")]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return (f"no file {candidates[0]} (invoking it gives a 502 with "
                "Runtime.ImportModuleError)")
    parsed = {} if parsed is None else parsed
    if path not in parsed:
        parsed[path] = _names(path)
    names = parsed[path]
    if isinstance(names, str):
        return names
    if name in names or "*" in names or "__getattr__" in names:
        return None
    return (f"{path} defines no {name!r} (invoking it gives a 502 with "
            "Runtime.HandlerNotFound)")


def _names(path: Path) -> set[str] | str:
    """The names a module binds at top level, or what stops it from parsing."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        return f"{path}:{exc.lineno}: syntax error (Runtime.UserCodeSyntaxError)"
    return set(_bound_names(tree.body))


def _bound_names(statements: Iterable[ast.stmt]) -> Iterator[str]:
    """Names bound at module level, also inside top-level if/try/with/for blocks."""
    for node in statements:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield alias.asname or alias.name.split(".")[0]
        if isinstance(node, _BLOCKS):
            for field in _BODIES:
                yield from _bound_names(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _bound_names(handler.body)
