"""serverless.yml as the Serverless Framework's YAML parser reads it.

CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) become their long forms, duplicate
keys are refused as js-yaml refuses them, and the line of every key path is kept so that errors
can name it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from emulator.config.errors import ConfigError

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """("functions", "f", "events", 0, "http") -> "functions.f.events[0].http"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class CfnLoader(yaml.SafeLoader):
    """SafeLoader reading CloudFormation short forms (!Ref, !GetAtt, !Sub...) as long forms."""


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
    lines: dict[KeyPath, int] = {}
    _map_lines(node, (), lines, str(path))
    return data, lines


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
