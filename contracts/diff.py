"""`python -m contracts diff OLD NEW`: changes between two versions of a spec that break clients.

No maintained Python library does this (PyPI has young single-release tools and one last
released in 2022; the maintained standard, oasdiff, is Go), so the rules are few, small and
tested one by one (tests/contracts/test_contracts_diff.py). A client breaks when:

- an operation or a declared response is removed, or the success status changes;
- a request needs more: a new required parameter or body property, a body that becomes
  required, a type that changes, an enum that loses values, a bound that tightens, a schema
  that stops allowing additional properties or null;
- a reply gives less or other: a field removed, retyped, no longer required, newly nullable,
  or an enum that gains values the client has never seen;
- security is added where there was none.

OLD and NEW are files, or `GIT-REF:path` (read with `git show`), e.g. `HEAD~1:openapi.yaml`.
Exit status: 0 nothing breaking, 1 breaking changes, 2 usage error.
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contracts.model import METHODS, resolve

MAX_DEPTH = 20
TIGHTER_IF_LOWER = ("maxLength", "maximum", "maxItems", "exclusiveMaximum")
TIGHTER_IF_HIGHER = ("minLength", "minimum", "minItems", "exclusiveMinimum")


@dataclass(frozen=True, slots=True)
class Change:
    breaking: bool
    where: str  # "GET /reviews" or "GET /reviews 200 /items/name"
    what: str

    def line(self) -> str:
        return f"{'BREAKING' if self.breaking else 'change  '}  {self.where}: {self.what}"


class DiffError(Exception):
    """A spec that cannot be read; one line."""


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change between two specs, breaking ones first."""
    found: list[Change] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for key in sorted(old_ops.keys() - new_ops.keys()):
        found.append(Change(True, key, "operation removed"))
    for key in sorted(new_ops.keys() - old_ops.keys()):
        found.append(Change(False, key, "operation added"))
    for key in sorted(old_ops.keys() & new_ops.keys()):
        found += _operation(key, (old, old_ops[key]), (new, new_ops[key]))
    return sorted(found, key=lambda c: not c.breaking)


Side = tuple[dict[str, Any], dict[str, Any]]  # (whole spec, one operation with path params)


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ops = {}
    for path, raw_item in (spec.get("paths") or {}).items():
        item = resolve(spec, raw_item) or {}
        shared = item.get("parameters") or []
        for method, op in item.items():
            if method in METHODS and isinstance(op, dict):
                ops[f"{method.upper()} {path}"] = {
                    **op,
                    "parameters": [*shared, *(op.get("parameters") or [])],
                    "security": op.get("security", spec.get("security")),
                }
    return ops


def _operation(key: str, old: Side, new: Side) -> list[Change]:
    old_op, new_op = old[1], new[1]
    found = _parameters(key, old, new) + _request_body(key, old, new)
    found += _responses(key, old, new)
    if not old_op.get("security") and new_op.get("security"):
        found.append(Change(True, key, "security added"))
    return found


def _params(spec: dict[str, Any], op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    resolved = [resolve(spec, p) or {} for p in op.get("parameters") or []]
    return {(p.get("in", ""), p.get("name", "")): p for p in resolved}


def _parameters(key: str, old: Side, new: Side) -> list[Change]:
    before, after = _params(*old), _params(*new)
    found = []
    for where, param in sorted(after.items()):
        label = f"{where[0]} parameter {where[1]}"
        was = before.get(where)
        if param.get("required") and not (was or {}).get("required"):
            found.append(Change(True, key, f"{label} is now required"))
        elif was is None:
            found.append(Change(False, key, f"optional {label} added"))
        if was is not None:
            found += schema_changes(
                (old[0], was.get("schema")), (new[0], param.get("schema")),
                f"{key} {label}", request=True,
            )
    return found


def _json_schema(spec: dict[str, Any], node: Any) -> Any:
    media = ((resolve(spec, node) or {}).get("content") or {}).get("application/json") or {}
    return media.get("schema")


def _request_body(key: str, old: Side, new: Side) -> list[Change]:
    was = resolve(old[0], old[1].get("requestBody"))
    now = resolve(new[0], new[1].get("requestBody"))
    if now is None:
        return []
    if now.get("required") and not (was or {}).get("required"):
        return [Change(True, key, "request body is now required")]
    return schema_changes(
        (old[0], _json_schema(old[0], was)), (new[0], _json_schema(new[0], now)),
        f"{key} body", request=True,
    )


def _responses(key: str, old: Side, new: Side) -> list[Change]:
    before = {str(c): r for c, r in (old[1].get("responses") or {}).items()}
    after = {str(c): r for c, r in (new[1].get("responses") or {}).items()}
    found = []
    old_ok = sorted(c for c in before if c.startswith("2"))
    new_ok = sorted(c for c in after if c.startswith("2"))
    if old_ok and new_ok and not set(old_ok) & set(new_ok):
        found.append(Change(True, key, f"success status {','.join(old_ok)} -> {','.join(new_ok)}"))
    for code in sorted(before.keys() - after.keys()):
        if not (code.startswith("2") and found):
            found.append(Change(True, key, f"response {code} removed"))
    for code in sorted(after.keys() - before.keys()):
        if not code.startswith("2"):
            found.append(Change(False, key, f"response {code} added"))
    for code in sorted(before.keys() & after.keys()):
        found += schema_changes(
            (old[0], _json_schema(old[0], before[code])),
            (new[0], _json_schema(new[0], after[code])),
            f"{key} {code}", request=False,
        )
    return found


def schema_changes(
    old: tuple[dict[str, Any], Any], new: tuple[dict[str, Any], Any], where: str, *,
    request: bool, depth: int = 0,
) -> list[Change]:
    """What changed between two schemas, judged for a request (client sends) or a reply."""
    a, b = resolve(old[0], old[1]), resolve(new[0], new[1])
    if not isinstance(a, dict) or not isinstance(b, dict) or depth > MAX_DEPTH:
        return []
    found = _type_and_values(a, b, where, request=request)
    found += _object(old, new, (a, b), where, request=request, depth=depth)
    if "items" in a and "items" in b:
        found += schema_changes((old[0], a["items"]), (new[0], b["items"]), f"{where}[]",
                                request=request, depth=depth + 1)
    return found


def _type_and_values(
    a: dict[str, Any], b: dict[str, Any], where: str, *, request: bool
) -> list[Change]:
    found = []
    ta, tb = a.get("type"), b.get("type")
    widened = request and (ta, tb) == ("integer", "number")
    if ta and tb and ta != tb and not widened:
        found.append(Change(True, where, f"type {ta} -> {tb}"))
    ea, eb = set(map(str, a.get("enum") or [])), set(map(str, b.get("enum") or []))
    if request and ea and (ea - eb if eb else set()):
        found.append(Change(True, where, f"enum lost {sorted(ea - eb)}"))
    if request and not ea and eb:
        found.append(Change(True, where, f"now limited to {sorted(eb)}"))
    if not request and eb - ea and ea:
        found.append(Change(True, where, f"reply enum gained {sorted(eb - ea)}"))
    if request and a.get("nullable") and not b.get("nullable"):
        found.append(Change(True, where, "null no longer accepted"))
    if not request and b.get("nullable") and not a.get("nullable"):
        found.append(Change(True, where, "may now be null"))
    if request:
        found += _bounds(a, b, where)
    return found


def _bounds(a: dict[str, Any], b: dict[str, Any], where: str) -> list[Change]:
    found = []
    for name in TIGHTER_IF_LOWER:
        if name in b and (name not in a or b[name] < a[name]):
            found.append(Change(True, where, f"{name} {a.get(name, 'none')} -> {b[name]}"))
    for name in TIGHTER_IF_HIGHER:
        if name in b and (name not in a or b[name] > a[name]):
            found.append(Change(True, where, f"{name} {a.get(name, 'none')} -> {b[name]}"))
    if "pattern" in b and a.get("pattern") != b["pattern"]:
        found.append(Change(True, where, "pattern changed"))
    return found


def _object(
    old: tuple[dict[str, Any], Any], new: tuple[dict[str, Any], Any],
    schemas: tuple[dict[str, Any], dict[str, Any]], where: str, *, request: bool, depth: int,
) -> list[Change]:
    a, b = schemas
    pa, pb = a.get("properties") or {}, b.get("properties") or {}
    ra, rb = set(a.get("required") or []), set(b.get("required") or [])
    found = []
    if request:
        found += [Change(True, where, f"{n} is now required") for n in sorted(rb - ra)]
        found += [Change(False, where, f"optional {n} added") for n in sorted(pb.keys() - pa.keys())
                  if n not in rb]
        if a.get("additionalProperties") is not False and b.get("additionalProperties") is False:
            found.append(Change(True, where, "additional properties no longer accepted"))
    else:
        found += [Change(True, where, f"field {n} removed") for n in sorted(pa.keys() - pb.keys())]
        found += [Change(True, where, f"field {n} no longer always present")
                  for n in sorted((ra - rb) & pb.keys())]
        found += [Change(False, where, f"field {n} added") for n in sorted(pb.keys() - pa.keys())]
    for name in sorted(pa.keys() & pb.keys()):
        found += schema_changes((old[0], pa[name]), (new[0], pb[name]), f"{where}/{name}",
                                request=request, depth=depth + 1)
    return found


def read_at(ref: str, spec: Path) -> str:
    """The text of `spec` as it was at a git revision."""
    shown = subprocess.run(
        ["git", "-C", str(spec.resolve().parent), "show", f"{ref}:./{spec.name}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if shown.returncode != 0:
        raise DiffError(f"--baseline {ref}: {shown.stderr.strip() or 'git show failed'}")
    return shown.stdout


def read(source: str) -> dict[str, Any]:
    """A spec from a file, or from `GIT-REF:path` through `git show`."""
    path = Path(source)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    elif ":" in source:
        shown = subprocess.run(["git", "show", source], capture_output=True, text=True,
                               check=False)  # fmt: skip
        if shown.returncode != 0:
            raise DiffError(f"{source}: {shown.stderr.strip() or 'git show failed'}")
        text = shown.stdout
    else:
        raise DiffError(f"{source}: no such file (or GIT-REF:path)")
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DiffError(f"{source}: not YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(spec, dict) or "paths" not in spec:
        raise DiffError(f"{source}: not an OpenAPI document (no paths)")
    return spec


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts diff",
        description="List the changes between two versions of an OpenAPI spec; exit 1 if any "
        "breaks a client. OLD/NEW: a file or GIT-REF:path (e.g. HEAD~1:openapi.yaml).",
    )
    parser.add_argument("old")
    parser.add_argument("new")
    args = parser.parse_args(argv)
    try:
        changes = compare(read(args.old), read(args.new))
    except DiffError as exc:
        print(f"contracts diff: {exc}")
        return 2
    breaking = [c for c in changes if c.breaking]
    verdict = "FAILED" if breaking else "PASSED"
    print(f"contracts diff {verdict}: {len(breaking)} breaking, "
          f"{len(changes) - len(breaking)} other change(s) from {args.old} to {args.new}")
    for change in changes:
        print(change.line())
    return 1 if breaking else 0
