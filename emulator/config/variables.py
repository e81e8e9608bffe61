"""Serverless Framework (v3) variables, and the CloudFormation intrinsics that matter locally.

`resolve` does what `serverless package` does to serverless.yml before anything reads it:
`${self:a.b}`, `${opt:stage}`, `${sls:stage}`, `${aws:region}`, `${aws:accountId}`,
`${env:NAME}` and `${file(./x.yml):key}`, with defaults after commas (`${opt:stage, 'dev'}`,
`${env:X, ${self:custom.x}}`), nesting (`${self:custom.${sls:stage}}`), a variable that is the
whole value keeping the referenced type, cycle detection. As in v3, `${...}` text that is not
`source:address` (CloudFormation's `${AWS::Region}`, `${MyTable}`, `${MyTable.Arn}` in Fn::Sub)
is left alone. Other sources (ssm, cf, s3, param, ...) cannot be resolved locally: an error.

`resolve_intrinsics` then evaluates Ref / Fn::GetAtt / Fn::Join / Fn::Sub where the emulator
knows the answer (pseudo parameters, the DynamoDB tables of `resources:`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from emulator.config.errors import ConfigError
from emulator.config.yamlfile import CfnLoader, KeyPath, format_path

ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"
SOURCES = ("self", "opt", "sls", "aws", "env", "file")
_HEAD = re.compile(r"\s*([A-Za-z][\w-]*)\s*(?:\((.*)\))?\s*(?::(?!:)(.*))?", re.S)
_IS_VARIABLE = re.compile(r"\s*[A-Za-z][\w-]*\s*(:(?!:)|\()", re.S)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def resolve(
    document: Mapping[str, Any],
    *,
    options: Mapping[str, str],
    env: Mapping[str, str],
    file: Path,
    lines: Mapping[KeyPath, int] | None = None,
) -> dict[str, Any]:
    """Resolve every Serverless variable in the document; ConfigError names file, key, line."""
    resolved = _Resolver(document, options, env, file, lines or {}).at(())
    assert isinstance(resolved, dict)
    return resolved


class _Resolver:
    def __init__(self, document: Mapping[str, Any], options: Mapping[str, str],
                 env: Mapping[str, str], file: Path, lines: Mapping[KeyPath, int]) -> None:
        self.doc, self.options, self.env, self.file, self.lines = (
            document, options, env, file, lines)
        self.cache: dict[KeyPath, Any] = {}
        self.active: list[KeyPath] = []
        self.files: list[Path] = []

    def error(self, path: KeyPath, message: str) -> ConfigError:
        return ConfigError(message, file=str(self.file), key=format_path(path) or None,
                           line=self.lines.get(path))

    def at(self, path: KeyPath) -> Any:
        """The fully resolved value at a key path of the document (None when absent)."""
        if path in self.cache:
            return self.cache[path]
        if path in self.active:
            loop = [*self.active[self.active.index(path):], path]
            chain = " -> ".join(format_path(p) or "(document)" for p in loop)
            raise self.error(self.active[-1], f"circular variable reference: {chain}")
        node: Any = self.doc
        for i, key in enumerate(path):
            if isinstance(node, str) and _has_variable(node):
                return _index(self.at(path[:i]), path[i:])
            node = _child(node, key)
            if node is None:
                return None
        self.active.append(path)
        try:
            value = self.value(node, path)
        finally:
            self.active.pop()
        self.cache[path] = value
        return value

    def value(self, node: Any, path: KeyPath) -> Any:
        if isinstance(node, dict):
            return {k: self.at((*path, k)) for k in node}
        if isinstance(node, list):
            return [self.at((*path, i)) for i in range(len(node))]
        if isinstance(node, str):
            return self.text(node, path)
        return node

    def text(self, text: str, path: KeyPath) -> Any:
        """Resolve a string: a lone variable keeps its value's type, others are embedded."""
        pieces = _split_variables(text, lambda m: self.error(path, m))
        if len(pieces) == 1 and isinstance(pieces[0], _Var):
            return self.expression(pieces[0].inner, path)
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            value = self.expression(piece.inner, path)
            if isinstance(value, dict | list):
                raise self.error(path, f"${{{piece.inner}}} is a {type(value).__name__}; "
                                       "it cannot be part of a string")
            out.append(_scalar_text(value))
        return "".join(out)

    def expression(self, inner: str, path: KeyPath, *, required: bool = True) -> Any:
        """Resolve the inside of one `${...}`, trying the defaults after commas in order."""
        head, *defaults = _split_top(inner)
        address = self.text(head, path)
        value = self.source(str(address), path)
        for default in defaults:
            if value is not None:
                break
            value = self.default(default.strip(), path)
        if value is None and required:
            raise self.error(path, f"cannot resolve ${{{inner}}}: no value found and no default")
        return value

    def default(self, text: str, path: KeyPath) -> Any:
        pieces = _split_variables(text, lambda m: self.error(path, m))
        if len(pieces) == 1 and isinstance(pieces[0], _Var):
            return self.expression(pieces[0].inner, path, required=False)  # falls through
        if text.startswith("${"):
            return self.text(text, path)
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        if _NUMBER.fullmatch(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        raise self.error(path, f"invalid default {text!r}: quote strings ('{text}')")

    def source(self, head: str, path: KeyPath) -> Any:
        match = _HEAD.fullmatch(head)
        name = match.group(1) if match else head
        if match is None or name not in SOURCES:
            raise self.error(path, f"variable source {name!r} (in ${{{head}}}) is not supported "
                                   f"by the emulator; supported: {', '.join(SOURCES)}")
        argument, address = match.group(2), (match.group(3) or "").strip()
        if name == "file":
            return self.file_source((argument or "").strip(), address, path)
        if name == "self":
            return self.at(tuple(_key(p) for p in address.split(".")) if address else ())
        if name == "opt":
            return self.options.get(address)
        if name == "env":
            return self.env.get(address)
        return self.pseudo(name, address, path)

    def pseudo(self, name: str, address: str, path: KeyPath) -> Any:
        if (name, address) == ("sls", "stage"):
            return self.stage()
        if (name, address) == ("aws", "region"):
            return self.options.get("region") or self.at(("provider", "region")) or DEFAULT_REGION
        if (name, address) == ("aws", "accountId"):
            return ACCOUNT_ID
        raise self.error(path, f"${{{name}:{address}}} is not supported by the emulator")

    def stage(self) -> str:
        return str(self.options.get("stage") or self.at(("provider", "stage")) or DEFAULT_STAGE)

    def file_source(self, argument: str, address: str, path: KeyPath) -> Any:
        target = (self.file.parent / argument).resolve()
        if target.suffix in (".js", ".cjs", ".mjs", ".ts"):
            raise self.error(path, f"${{file({argument})}}: JavaScript files are not supported")
        if not target.is_file():
            return None  # as in v3: not found, so a default applies
        if target in self.files:
            raise self.error(path, f"${{file({argument})}} includes itself")
        try:
            node: Any = yaml.load(target.read_text(encoding="utf-8"), Loader=CfnLoader)
        except (OSError, yaml.YAMLError) as exc:
            raise self.error(path, f"cannot read {target}: {exc}") from None
        for key in address.split(".") if address else ():
            node = _child(node, _key(key))
        self.files.append(target)
        try:
            return self.detached(node, path)
        finally:
            self.files.pop()

    def detached(self, node: Any, path: KeyPath) -> Any:
        """Resolve a value that is not part of the document (a file's content)."""
        if isinstance(node, dict):
            return {k: self.detached(v, path) for k, v in node.items()}
        if isinstance(node, list):
            return [self.detached(v, path) for v in node]
        return self.text(node, path) if isinstance(node, str) else node


@dataclass(frozen=True, slots=True)
class _Var:
    inner: str


def _has_variable(text: str) -> bool:
    try:
        return any(isinstance(p, _Var) for p in _split_variables(text, ConfigError))
    except ConfigError:
        return True  # resolving it reports the problem with its key path


def _split_variables(text: str, fail: Any) -> list[str | _Var]:
    """Split "a-${self:x}-b" into ["a-", _Var("self:x"), "-b"]; CloudFormation ${} stays text."""
    pieces: list[str | _Var] = []
    start = literal = 0
    while (start := text.find("${", start)) != -1:
        end, depth = start + 2, 1
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if depth:
            raise fail(f"unterminated variable in {text!r}")
        inner = text[start + 2:end - 1]
        if _IS_VARIABLE.match(inner):
            pieces.extend([text[literal:start], _Var(inner)] if start > literal else [_Var(inner)])
            literal = end
        start = end
    if literal < len(text) or not pieces:
        pieces.append(text[literal:])
    return pieces


def _split_top(inner: str) -> list[str]:
    """Split on commas outside quotes and nested ${...}."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(key, node.get(str(key)) if isinstance(key, int) else None)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def _index(value: Any, rest: KeyPath) -> Any:
    for key in rest:
        value = _child(value, key)
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class CfnContext:
    """What the emulator knows of the stack: pseudo parameters and the tables' Ref/GetAtt."""

    region: str
    account_id: str
    stack_name: str  # the Serverless Framework names the stack "{service}-{stage}"
    refs: Mapping[str, str] = field(default_factory=dict)  # logical id -> Ref value
    attributes: Mapping[str, str] = field(default_factory=dict)  # "LogicalId.Attr" -> value

    def ref(self, name: str) -> str | None:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account_id,
                  "AWS::Partition": "aws", "AWS::StackName": self.stack_name,
                  "AWS::URLSuffix": "amazonaws.com"}
        return pseudo.get(name) or self.refs.get(name)


def resolve_intrinsics(value: Any, context: CfnContext) -> Any:
    """Evaluate Ref, Fn::GetAtt, Fn::Join, Fn::Sub where the answer is known; keep the rest."""
    if isinstance(value, list):
        return [resolve_intrinsics(v, context) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: resolve_intrinsics(v, context) for k, v in value.items()}
    if len(value) != 1:
        return value
    ((name, argument),) = value.items()
    result = _intrinsic(name, argument, context)
    return value if result is None else result


def unresolved_intrinsics(value: Any, path: KeyPath) -> list[tuple[KeyPath, str]]:
    """Where intrinsic functions are left: (key path, e.g. "Fn::GetAtt Queue.Arn")."""
    if isinstance(value, list):
        return [u for i, v in enumerate(value) for u in unresolved_intrinsics(v, (*path, i))]
    if not isinstance(value, dict):
        return []
    if len(value) == 1 and _is_intrinsic(next(iter(value))):
        ((name, argument),) = value.items()
        shown = ".".join(argument) if isinstance(argument, list) and name == "Fn::GetAtt" else (
            argument if isinstance(argument, str) else "...")
        return [(path, f"{name} {shown}")]
    return [u for k, v in value.items() for u in unresolved_intrinsics(v, (*path, k))]


def _is_intrinsic(key: Any) -> bool:
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def _intrinsic(name: str, argument: Any, context: CfnContext) -> str | None:
    if name == "Ref" and isinstance(argument, str):
        return context.ref(argument)
    if name == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return context.attributes.get(f"{parts[0]}.{parts[1]}")
        return None
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, items = argument
        if isinstance(delimiter, str) and isinstance(items, list) and all(
                isinstance(i, str) for i in items):
            return delimiter.join(items)
        return None
    if name == "Fn::Sub":
        return _sub(argument, context)
    return None


def _sub(argument: Any, context: CfnContext) -> str | None:
    template, names = argument, {}
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        template, names = argument
    if not isinstance(template, str):
        return None
    missing = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} is the escape for a literal ${Literal}
        value = names.get(name)
        if value is None:
            value = context.attributes.get(name) if "." in name else context.ref(name)
        if not isinstance(value, str):
            missing.append(name)
            return match.group(0)
        return value

    text = re.sub(r"\$\{([^}]*)\}", replace, template)
    return None if missing else text
