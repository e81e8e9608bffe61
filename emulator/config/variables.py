"""Serverless Framework (v3) variables, resolved as `serverless package` resolves them.

The grammar is emulator/config/grammar.py, the sources emulator/config/sources.py (one function
each, one table). This module is the resolution loop of v3's `lib/configuration/variables/
resolve.js`: every string of the document is resolved (also ones nothing reads); a variable's
sources are tried in order until one has a value; a variable that is the whole string keeps the
type of its value, others are joined as text (numbers and booleans print as JavaScript prints
them; a mapping or list cannot be part of a string); a value that itself holds variables is
resolved in turn, up to MAX_DEPTH levels; `self:` references resolve what they point at first,
and a loop is an error naming it. CloudFormation's `${AWS::Region}`, `${MyTable.Arn}` stay.

Where v3 stops but v1/v2 went on, the emulator goes on and records a note (named at start):
`self:provider.stage` / `self:provider.region` unset -> "dev" / "us-east-1"; a fallback written
as `${...}`. A remote value (ssm, cf, s3) missing from the values file can become a visible
placeholder (`placeholder_remote`). Every other failure is a ConfigError naming the file, line,
key path and variable, and saying what to do.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.config.errors import ConfigError
from emulator.config.grammar import Escape, GrammarError, Legacy, Literal, Piece, Source, Text
from emulator.config.grammar import Variable as Var
from emulator.config.grammar import parse as parse_variables
from emulator.config.intrinsics import CfnContext, resolve_intrinsics, unresolved_intrinsics
from emulator.config.remote import VALUES_FILE, Lookup, RemoteValues
from emulator.config.sources import (
    ACCOUNT_ID,
    DEFAULT_REGION,
    DEFAULT_STAGE,
    SOURCES,
    SourceError,
)
from emulator.config.yamlfile import KeyPath, format_path

__all__ = ["ACCOUNT_ID", "DEFAULT_REGION", "DEFAULT_STAGE", "MAX_DEPTH", "MAX_REFERENCE_CHAIN",
           "CfnContext", "format_path", "resolve", "resolve_intrinsics",
           "unresolved_intrinsics"]

MAX_DEPTH = 10  # values holding variables, nested deeper: an error (v3's nest limit is 10)
# self: references followed one through another: an error beyond. Each costs ~5 Python
# frames, so this stays under the interpreter's recursion limit with YAML's MAX_NESTING.
MAX_REFERENCE_CHAIN = 120
LEGACY_DEFAULTS = {("provider", "stage"): DEFAULT_STAGE, ("provider", "region"): DEFAULT_REGION}


def resolve(
    document: Mapping[str, Any],
    *,
    options: Mapping[str, str],
    env: Mapping[str, str],
    file: Path,
    lines: Mapping[KeyPath, int] | None = None,
    params: Mapping[str, str] | None = None,
    values_file: Path | None = None,
    placeholder_remote: bool = False,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Resolve every Serverless variable in the document; ConfigError names file, key, line.

    `options` are the CLI options (${opt:}), `params` the `--param` pairs, `values_file` where
    remote sources are answered from (default: .emulator/values.yml beside the file); what
    the resolution assumed on the user's behalf is appended to `notes`.
    """
    resolver = _Resolver(document, file, lines or {}, _Inputs(
        options, env, params or {}, values_file or file.parent / VALUES_FILE,
        placeholder_remote))
    try:
        resolved = resolver.at(())
    except RecursionError:  # a backstop: MAX_REFERENCE_CHAIN should be hit first
        raise ConfigError("variables nested too deeply to resolve", file=str(file)) from None
    assert isinstance(resolved, dict)
    if notes is not None:
        notes.extend(dict.fromkeys(resolver.notes))
    return resolved


@dataclass(frozen=True, slots=True)
class _Inputs:
    options: Mapping[str, str]
    env: Mapping[str, str]
    cli_params: Mapping[str, str]
    values_file: Path
    placeholder_remote: bool


class _Resolver:
    def __init__(self, document: Mapping[str, Any], file: Path, lines: Mapping[KeyPath, int],
                 inputs: _Inputs) -> None:
        self.doc, self.file, self.lines = document, file, lines
        self.options, self.environ, self.cli_params = (
            inputs.options, inputs.env, inputs.cli_params)
        self.service_dir, self.values_file = file.parent, inputs.values_file
        self.values = RemoteValues(inputs.values_file)
        self.placeholder_remote = inputs.placeholder_remote
        self.instance_id = str(int(time.time() * 1000))  # as v3: the start time in ms
        self.cache: dict[KeyPath, Any] = {}
        self.active: list[KeyPath] = []
        self.current: KeyPath = ()  # the key whose value is being resolved (for errors)
        self.notes: list[str] = []
        self.last_call: tuple[list[Any], str | None] = ([], None)  # of the latest source

    def error(self, path: KeyPath, message: str) -> ConfigError:
        return ConfigError(message, file=str(self.file), key=format_path(path) or None,
                           line=self.lines.get(path))

    # --- the document, by key path ----------------------------------------------------------

    def at(self, path: KeyPath) -> Any:
        """The fully resolved value at a key path of the document (None when absent)."""
        if path in self.cache:
            return self.cache[path]
        if path in self.active:
            loop = [*self.active[self.active.index(path):], path]
            chain = " -> ".join(format_path(p) or "(document)" for p in loop)
            raise self.error(self.active[-1], f"circular variable reference: {chain}")
        if len(self.active) >= MAX_REFERENCE_CHAIN:
            raise self.error(path, f"more than {MAX_REFERENCE_CHAIN} self: references "
                                   "followed one through another")
        node: Any = self.doc
        for i, key in enumerate(path):
            if isinstance(node, str) and _has_variables(node):
                return _index(self.at(path[:i]), path[i:])
            node = _child(node, key)
            if node is None:
                return None
        self.active.append(path)
        outer, self.current = self.current, path
        try:
            value = self.value(node, path)
        finally:
            self.active.pop()
            self.current = outer
        self.cache[path] = value
        return value

    def value(self, node: Any, path: KeyPath) -> Any:
        if isinstance(node, dict):
            return {k: self.at((*path, k)) for k in node}
        if isinstance(node, list):
            return [self.at((*path, i)) for i in range(len(node))]
        if isinstance(node, str):
            return self.text(node, path, 0)
        return node

    # --- strings, variables, sources --------------------------------------------------------

    def text(self, text: str, path: KeyPath, depth: int) -> Any:
        """Resolve the variables of one string."""
        try:
            pieces = parse_variables(text)
        except GrammarError as exc:
            raise self.error(path, f"variable syntax: {exc}") from None
        return self.join(text, pieces, path, depth) if pieces else text

    def join(self, text: str, pieces: tuple[Piece, ...], path: KeyPath, depth: int) -> Any:
        """A lone variable keeps its value's type; otherwise the values are joined as text."""
        if len(pieces) == 1 and isinstance(pieces[0], Var) and (
                pieces[0].start, pieces[0].end) == (0, len(text)):
            return self.variable(text, pieces[0], path, depth)
        out, last = [], 0
        for piece in pieces:
            out.append(text[last:piece.start])
            last = piece.end
            if isinstance(piece, Escape):
                out.append(piece.value)
                continue
            value = self.variable(text, piece, path, depth)
            if isinstance(value, dict | list) or value is None:
                raise self.error(path, f"{text[piece.start:piece.end]} resolves to a "
                                       f"{_kind(value)}, which cannot be part of a string")
            out.append(_js_string(value))
        out.append(text[last:])
        return "".join(out)

    def variable(self, text: str, var: Var, path: KeyPath, depth: int, *,
                 required: bool = True) -> Any:
        """Try the variable's sources in order; the first value found wins."""
        shown = text[var.start:var.end]
        tried: Source | None = None
        for source in var.sources:
            if isinstance(source, Literal):
                return source.value
            if isinstance(source, Legacy):
                self.notes.append(f"{format_path(path)}: {shown} is v1/v2 syntax (v3 rejects "
                                  "a ${} fallback: write it without ${})")
                value = self.variable(text, source.variable, path, depth, required=False)
            else:
                tried = source
                value = self.source(source, shown, path, depth)
            if value is not None:
                return self.nested(value, path, depth + 1)
        return self.missing(shown, tried, path, required)

    def source(self, source: Source, shown: str, path: KeyPath, depth: int) -> Any:
        spec = SOURCES.get(source.type)
        if spec is None:  # a plugin's source (v3 stops: "Unrecognized ... sources")
            if self.placeholder_remote:
                tail = f":{source.address.value}" if source.address else ""
                return self.placeholder(f"{source.type}{tail}", shown, path)
            raise self.error(path, f'unknown variable source "{source.type}" in {shown} (a '
                                   f"plugin's?); the emulator knows {', '.join(SOURCES)}: "
                                   "write the value instead, or start with "
                                   "--placeholder-remote")
        params = [self.argument(p, path, depth) for p in source.params]
        address = None if source.address is None else self.argument(source.address, path,
                                                                      depth)
        if address is not None and not isinstance(address, str):
            raise self.error(path, f"{shown}: the address must be a string, not "
                                   f"{_kind(address)}")
        self.last_call = (params, address)
        try:
            return spec.resolve(self, params, address)
        except SourceError as exc:
            raise self.error(path, f"cannot resolve {shown}: {exc}") from None

    def argument(self, text: Text, path: KeyPath, depth: int) -> Any:
        return self.join(text.value, text.pieces, path, depth) if text.pieces else text.value

    def nested(self, value: Any, path: KeyPath, depth: int) -> Any:
        """Resolve the variables a value holds (a file's content, an env var's text...)."""
        if depth > MAX_DEPTH:
            raise self.error(path, f"variables nested more than {MAX_DEPTH} levels deep "
                                   "(values resolving to values holding variables): a loop?")
        if isinstance(value, str):
            return self.text(value, path, depth)
        if isinstance(value, dict):
            return {k: self.nested(v, path, depth) for k, v in value.items()}
        if isinstance(value, list):
            return [self.nested(v, path, depth) for v in value]
        return value

    def missing(self, shown: str, tried: Source | None, path: KeyPath, required: bool) -> Any:
        """No source had a value: a v1/v2 default, a placeholder, or the error."""
        if tried is None:
            if not required:
                return None
            raise self.error(path, f"cannot resolve {shown}: no source has a value")
        params, address = self.last_call
        spec = SOURCES[tried.type]
        keys = tuple(str(address).split(".")) if address else ()
        if tried.type == "self" and keys in LEGACY_DEFAULTS:
            default = LEGACY_DEFAULTS[keys]
            self.notes.append(f"{address} is not set: {default!r}, the default of framework "
                              "v1/v2 (v3 stops with 'Value not found')")
            return default
        if not required:
            return None
        if spec.remote and self.placeholder_remote:
            return self.placeholder(f"{tried.type}:{address}", shown, path)
        raise self.error(path, f"cannot resolve {shown}: no value at the \"{tried.type}\" "
                               f"source; {spec.hint(self, params, address)}")

    def placeholder(self, what: str, shown: str, path: KeyPath) -> str:
        value = f"placeholder({what})"
        self.notes.append(f"{format_path(path)}: {shown} has no local value: using {value!r} "
                          "(--placeholder-remote)")
        return value

    # --- what sources read (sources.Context) ------------------------------------------------

    def option(self, name: str | None) -> Any:
        return dict(self.options) if name is None else self.options.get(name)

    def env(self, name: str) -> str | None:
        return self.environ.get(name)

    def config(self, keys: KeyPath) -> Any:
        return self.at(tuple(_key(k) for k in keys))

    def stage(self) -> str:
        return str(self.options.get("stage") or self.at(("provider", "stage")) or DEFAULT_STAGE)

    def param(self, name: str) -> Any:
        if name in self.cli_params:
            return self.cli_params[name]
        for group in (self.stage(), "default"):
            value = self.at(("params", group, name))
            if value is not None:
                return value
        return None

    def remote(self, lookup: Lookup) -> Any:
        return self.values.get(lookup)

    def resolve_text(self, text: str) -> Any:
        return self.text(text, self.current, 1)


def _has_variables(text: str) -> bool:
    try:
        return bool(parse_variables(text))
    except GrammarError:
        return True  # resolving it reports the problem with its key path


def _key(part: str | int) -> str | int:
    return int(part) if isinstance(part, str) and part.isdigit() else part


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        found = node.get(key, node.get(str(key)) if isinstance(key, int) else None)
        if found is None and any(not isinstance(k, str) for k in node):
            # JavaScript object keys are strings: YAML's `true:` or `1:` key is "true" / "1"
            found = next((v for k, v in node.items() if _js_string(k) == str(key)), None)
        return found
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def _index(value: Any, rest: KeyPath) -> Any:
    for key in rest:
        value = _child(value, key)
    return value


def _js_string(value: Any) -> str:
    """A value as JavaScript's String() writes it (true, 5, 2.5, null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", type(None): "null"}.get(type(value), "value")
