"""DynamoDB items in wire format (`{"name": {"S": "text"}}`), checked before moto sees them.

moto trusts what reaches its BatchWriteItem from inside its own process: an attribute value
like `{"ZZ": "bad"}` or an item that is a bare number raises deep inside it, which crashed
the moto process at every start while such a snapshot was on disk. Every item of a snapshot is
checked here first, with DynamoDB's rules for AttributeValue ("AttributeValue", DynamoDB API
Reference): exactly one type key; S, N and B strings (N a finite decimal number, B base64);
non-empty SS/NS/BS lists of those; BOOL a boolean, NULL true; M and L nested up to 32 levels
("Nested attribute depth", DynamoDB quotas).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_NESTING = 32  # DynamoDB: "DynamoDB supports nested attributes up to 32 levels deep"
_SCALARS = {"S": "a string", "N": "a number string", "B": "a base64 string"}


def item_problem(item: Any, key_shape: Iterable[tuple[str, str, str]]) -> str | None:
    """Say what is wrong with one item (None when DynamoDB would take it)."""
    if not isinstance(item, Mapping):
        return "not an object of attributes"
    for name, value in item.items():
        if (problem := value_problem(value, str(name), 1)) is not None:
            return problem
    for name, _, kind in key_shape:
        if name not in item:
            return f"missing key attribute {name!r}"
        if kind not in item[name]:
            return f"key attribute {name!r} must be of type {kind}"
    return None


def value_problem(value: Any, where: str, depth: int) -> str | None:
    """Say what is wrong with one typed attribute value at `where` (an attribute path)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return f"{where}: not a typed value (one of S, N, B, SS, NS, BS, M, L, BOOL, NULL)"
    ((kind, inner),) = value.items()
    if kind in _SCALARS:
        return _scalar_problem(kind, inner, where)
    if kind in ("SS", "NS", "BS"):
        scalar = kind[0]
        if not isinstance(inner, list) or not inner or not all(isinstance(v, str) for v in inner):
            return f"{where}: {kind} must be a list of strings (not empty)"
        return next((p for v in inner if (p := _scalar_problem(scalar, v, where))), None)
    if kind == "BOOL":
        return None if isinstance(inner, bool) else f"{where}: BOOL must be true or false"
    if kind == "NULL":
        return None if inner is True else f"{where}: NULL must be true"
    if kind in ("M", "L") and depth >= MAX_NESTING:
        return f"{where}: nested deeper than {MAX_NESTING} levels"
    if kind == "M":
        if not isinstance(inner, Mapping):
            return f"{where}: M must be an object of attributes"
        return next((p for k, v in inner.items()
                     if (p := value_problem(v, f"{where}.{k}", depth + 1))), None)
    if kind == "L":
        if not isinstance(inner, list):
            return f"{where}: L must be a list"
        return next((p for i, v in enumerate(inner)
                     if (p := value_problem(v, f"{where}[{i}]", depth + 1))), None)
    return f"{where}: unknown type {kind!r}"


def _scalar_problem(kind: str, inner: Any, where: str) -> str | None:
    if not isinstance(inner, str):
        return f"{where}: {kind} must be a string"
    if kind == "N":
        try:
            if not Decimal(inner).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return f"{where}: N is not a number ({inner[:40]!r})"
    if kind == "B":
        try:
            base64.b64decode(inner, validate=True)
        except (binascii.Error, ValueError):
            return f"{where}: B is not base64"
    return None
