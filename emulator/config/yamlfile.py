"""serverless.yml as the Serverless Framework's YAML parser reads it.

CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) become their long forms, duplicate
keys are refused as js-yaml refuses them, and the line of every key path is kept so that errors
can name it. Hostile files are bounded: nesting deeper than MAX_NESTING levels and aliases that
expand the document past MAX_VALUES values (a "billion laughs" bomb: 650 bytes grow to
gigabytes) are a YAML error naming the key path, found before anything walks the tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from emulator.config.errors import ConfigError

KeyPath = tuple[str | int, ...]
MAX_NESTING = 100  # real serverless.yml files nest ~15 deep; PyYAML's composer recurses per level
MAX_VALUES = 100_000  # values once aliases are expanded; large real files hold a few thousand


def format_path(path: KeyPath) -> str:
    """("functions", "f", "events", 0, "http") -> "functions.f.events[0].http"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class CfnLoader(yaml.SafeLoader):
    """SafeLoader reading CloudFormation short forms (!Ref, !GetAtt, !Sub...) as long forms,
    refusing documents nested deeper than MAX_NESTING or expanding past MAX_VALUES values."""

    _path: list[str | int]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        path = self.__dict__.setdefault("_path", [])
        path.append(index.value if isinstance(index, yaml.ScalarNode) else index)
        try:
            if len(path) > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None, None, f"{format_path(tuple(path[1:6]))}...: nested deeper than "
                    f"{MAX_NESTING} levels", self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            path.pop()

    def compose_document(self) -> yaml.Node | None:
        node: yaml.Node | None = super().compose_document()
        if node is not None:
            _refuse_alias_bomb(node)
        return node


def _refuse_alias_bomb(root: yaml.Node) -> None:
    """Raise a YAML error when aliases expand the document past MAX_VALUES values.

    Sizes are counted on the node graph (an alias is a shared node), so the check itself stays
    linear in the file; the error names the key path that holds most of the expansion.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) not in sizes:
            sizes[id(node)] = 1 + sum(size(child) for _, child in _children(node))
        return sizes[id(node)]

    if size(root) <= MAX_VALUES:
        return
    path: KeyPath = ()
    node = root
    while (children := _children(node)):
        key, child = max(children, key=lambda kc: size(kc[1]))
        if size(child) * 2 < size(node):
            break
        path, node = (*path, key), child
    raise yaml.composer.ComposerError(
        None, None, f"{format_path(path) or '(document)'}: aliases expand to {size(node):,} values "
        f"(more than {MAX_VALUES:,}: an alias bomb?)", node.start_mark)


def _children(node: yaml.Node) -> list[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    if isinstance(node, yaml.MappingNode):
        return [(str(k.value), v) for k, v in node.value] + [
            ("<<", k) for k, _ in node.value if not isinstance(k, yaml.ScalarNode)]
    return []


def _construct_cfn(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_cfn)


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", file=str(path)) from None
    loader = CfnLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[KeyPath, int] = {}
        if node is not None:  # before constructing: that merges `<<:` keys into the node
            _map_lines(node, (), lines, str(path))
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(f"invalid YAML: {_yaml_problem(exc)}", file=str(path),
                          line=_yaml_line(exc, text)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=str(path)) from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        raise ConfigError("the file must be a YAML mapping (service:, provider:, functions:)",
                          file=str(path))
    return data, lines


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """One line for any YAML error (str() of a marked one spans several, with a caret)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return _yaml_problem(exc) + (f" (line {mark.line + 1})" if mark is not None else "")
    return " ".join(str(exc).split())


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    return ", ".join(part for part in (exc.context, exc.problem) if part) or str(exc)


def _yaml_line(exc: yaml.MarkedYAMLError, text: str) -> int | None:
    """The problem's line; for a construct left open at the end, the line that opened it."""
    mark = exc.problem_mark
    if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
        mark = exc.context_mark
    return None if mark is None else mark.line + 1


def _map_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], file: str) -> None:
    """Record the line of every key path; refuse duplicate keys as js-yaml does."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _map_lines(item, (*path, i), lines, file)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if not isinstance(key_node, yaml.ScalarNode) or key == "<<":
                continue
            if key in seen:
                raise ConfigError(f"duplicated mapping key {key!r}", file=file,
                                  key=format_path((*path, key)), line=key_node.start_mark.line + 1)
            seen.add(key)
            _map_lines(value_node, (*path, key), lines, file)
