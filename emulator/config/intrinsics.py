"""The CloudFormation intrinsic functions the emulator can answer locally.

`resolve_intrinsics` evaluates Ref / Fn::GetAtt / Fn::Join / Fn::Sub where the emulator knows
the answer (pseudo parameters, the DynamoDB tables of `resources:`) and keeps every other
intrinsic as it is; `unresolved_intrinsics` names what was kept, for the start warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.config.yamlfile import KeyPath


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
