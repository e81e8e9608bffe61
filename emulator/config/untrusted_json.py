"""JSON from outside the emulator (clients, handlers, tokens), parsed with a depth bound.

Python's json module recurses once per nesting level and raises RecursionError (not
ValueError) near `sys.getrecursionlimit()`: a crash, and a 500 with a traceback, where AWS
answers a refusal (a 400 on the Lambda Invoke API, 401 for a token, 502 for a handler result).
AWS's parsers cap nesting too: Jackson, which many AWS services run on, refuses more than 1,000
levels since 2.15 (`StreamConstraintsException`). `loads` turns too deep into a ValueError the
callers already handle, and by default refuses more than `MAX_DEPTH` levels, so that what is
accepted can be stringified or serialised again without recursing out.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 512


class TooDeep(ValueError):
    """The document nests deeper than the bound."""


def loads(data: str | bytes, max_depth: int | None = MAX_DEPTH) -> Any:
    """json.loads with a depth bound; ValueError (TooDeep) for too deep, never RecursionError.

    `max_depth=None`: only as deep as json.loads itself can go (about 1,000 levels).
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep("nested too deeply") from None
    if max_depth is not None:
        check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep when `value` nests more than `max_depth` lists/objects (no recursion)."""
    if not isinstance(value, dict | list):
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > max_depth:
            raise TooDeep(f"nested more than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
