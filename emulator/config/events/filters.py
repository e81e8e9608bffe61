"""Lambda event filtering: the `filterPatterns` of an event source mapping, checked and matched.

Pure. The grammar is AWS's ("Control which events Lambda sends to your function", Lambda
developer guide, "Filter rule syntax"): a pattern is an object whose leaves are arrays of
rules; keys inside one object must all match (and), values in one array may (or), and `$or`
takes alternative objects. Rules: a string, number or null equals; {"prefix"}, {"suffix"},
{"equals-ignore-case"}, {"anything-but": value | [values] | {"prefix"}}, {"numeric": [op, n,
(op, n)]}, {"exists": true | false}. An array in the event matches when any element does.
Several patterns of one mapping: a record is delivered when any of them matches, and a record
no pattern matches is dropped (SQS: deleted from the queue; streams: skipped).
For SQS the `body` is matched as JSON when it parses as a JSON object, else as a string.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

_NUMERIC_OPS = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_OPERATORS = frozenset({"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric",
                        "exists"})


class FilterError(ValueError):
    """A pattern Lambda's CreateEventSourceMapping would refuse."""


def parse_patterns(raw: Any) -> tuple[str, ...]:
    """`filterPatterns` (a list of objects, as the framework takes them) -> JSON texts."""
    if not isinstance(raw, list) or not raw:
        raise FilterError("filterPatterns must be a list of pattern objects")
    texts = []
    for i, given in enumerate(raw):
        pattern = given
        if isinstance(given, str):
            try:
                pattern = json.loads(given)
            except ValueError:
                raise FilterError(f"pattern {i} is not JSON") from None
        check(pattern, f"pattern {i}")
        texts.append(json.dumps(pattern, sort_keys=True))
    return tuple(texts)


def check(pattern: Any, where: str) -> None:
    """Raise FilterError unless `pattern` is an object whose leaves are arrays of rules."""
    if not isinstance(pattern, dict) or not pattern:
        raise FilterError(f"{where}: a pattern is a non-empty object")
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise FilterError(f"{where}.$or: takes a list of two or more objects")
            for j, alternative in enumerate(value):
                check(alternative, f"{where}.$or[{j}]")
        elif isinstance(value, dict):
            check(value, f"{where}.{key}")
        elif isinstance(value, list) and value:
            for rule in value:
                _check_rule(rule, f"{where}.{key}")
        else:
            raise FilterError(f"{where}.{key}: a leaf is a non-empty array of rules, "
                              f"e.g. [\"value\"] or [{{\"prefix\": \"a\"}}]")


def _check_rule(rule: Any, where: str) -> None:
    if rule is None or isinstance(rule, str | int | float):
        return
    if not isinstance(rule, dict) or len(rule) != 1:
        raise FilterError(f"{where}: a rule is a value or an object with one operator")
    ((operator, argument),) = rule.items()
    if operator not in _OPERATORS:
        raise FilterError(f"{where}: unknown operator {operator!r} (one of "
                          f"{', '.join(sorted(_OPERATORS))})")
    if operator == "numeric":
        _check_numeric(argument, where)
    elif operator == "exists" and not isinstance(argument, bool):
        raise FilterError(f"{where}: exists takes true or false")
    elif operator in ("prefix", "suffix", "equals-ignore-case") and not isinstance(argument,
                                                                                    str):
        raise FilterError(f"{where}: {operator} takes a string")


def _check_numeric(argument: Any, where: str) -> None:
    ok = isinstance(argument, list) and len(argument) in (2, 4)
    pairs = list(zip(argument[::2], argument[1::2], strict=True)) if ok else []
    if not ok or any(op not in _NUMERIC_OPS or isinstance(n, bool) or not isinstance(
            n, int | float) for op, n in pairs):
        raise FilterError(f"{where}: numeric takes [op, number] or [op, number, op, number], "
                          "op one of = < <= > >=")


def any_matches(patterns: Sequence[str], record: Mapping[str, Any]) -> bool:
    """Whether a record passes the mapping's filters (no filters: everything passes)."""
    return not patterns or any(matches(_parsed(p), record) for p in patterns)


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> dict[str, Any]:
    pattern: dict[str, Any] = json.loads(text)
    return pattern


def sqs_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS record as filters see it: `body` parsed when it is a JSON object."""
    try:
        body = json.loads(record.get("body") or "")
    except ValueError:
        return dict(record)
    return {**record, "body": body} if isinstance(body, dict) else dict(record)


def matches(pattern: Mapping[str, Any], value: Any) -> bool:
    """Whether `value` (a JSON object) matches one pattern."""
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(alternative, value) for alternative in rule):
                return False
            continue
        present = isinstance(value, dict) and key in value
        field = value[key] if present else None
        if isinstance(rule, dict):
            if not matches(rule, field if isinstance(field, dict) else {}):
                return False
        elif not any(_leaf(r, field, present) for r in rule):
            return False
    return True


def _leaf(rule: Any, field: Any, present: bool) -> bool:
    if isinstance(rule, dict) and "exists" in rule:
        return present is rule["exists"] and not isinstance(field, dict)
    if not present:
        return False
    values = field if isinstance(field, list) else [field]
    return any(_one(rule, v) for v in values)


def _one(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _equal(rule, value)
    ((operator, argument),) = rule.items()
    if operator == "anything-but":
        options = argument if isinstance(argument, list) else [argument]
        return not any(_one(o, value) if isinstance(o, dict) else _equal(o, value)
                       for o in options)
    if operator == "numeric":
        return _is_number(value) and all(
            _NUMERIC_OPS[op](value, n) for op, n in zip(argument[::2], argument[1::2],
                                                        strict=True))
    if not isinstance(value, str):
        return False
    return bool({"prefix": value.startswith, "suffix": value.endswith,
            "equals-ignore-case": lambda a: value.lower() == a.lower()}[operator](argument))


def _equal(rule: Any, value: Any) -> bool:
    if rule is None or value is None:
        return rule is None and value is None
    if _is_number(rule) and _is_number(value):
        return float(rule) == float(value)
    return type(rule) is type(value) and bool(rule == value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
