"""How a listing is paged, read from its spec: cursor, page number, offset or `Link` header.

Without the extension the style is derived, first rule that applies wins:

1. a link from the listing to itself that fills a query parameter from the body
   (`query.cursor: $response.body#/page/next`): an opaque **cursor**;
2. a `Link` header declared on the listing's 2xx response (RFC 8288, `rel="next"`): **link**;
3. a query parameter named page, pageNumber, page_number or pageIndex: **page** numbers,
   starting at the parameter's `minimum` (else its `default`); with neither the first page is
   unknown (0 or 1?) and the listing is not walked;
4. a query parameter named offset, skip or start: **offset**/limit, from 0;
5. a query parameter named like a cursor (cursor, nextToken, pageToken, after, ...) and a
   response property that plausibly carries the next one (the same name, next, nextCursor,
   nextToken, nextPageToken): **cursor**;
6. a page-size parameter and nothing that asks for the next page: **unknown** (not walked);
7. no pagination parameter at all: **none** (one reply holds the whole listing).

`x-contracts-pagination` on the listing's GET says it outright::

    x-contracts-pagination: {style: page, page: p, size: n, first: 0, total: /meta/total}

Keys: style (cursor | page | offset | link | none), size, page (page style), offset (offset
style), cursor and next (cursor style: the query parameter, and the JSON pointer of the next
value in the reply), first (page style), total (JSON pointer of a declared total), items (JSON
pointer of the array), past-end (what a page past the end answers: `empty`, the default, or a
status code such as 404). A declared total is otherwise an integer property named total,
totalCount, total_count or count, at the top of the reply or one object down.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

STYLES = ("cursor", "page", "offset", "link", "none")
PAGE_NAMES = ("page", "pageNumber", "page_number", "pageIndex", "page_index")
OFFSET_NAMES = ("offset", "skip", "start")
CURSOR_NAMES = ("cursor", "nextToken", "next_token", "pageToken", "page_token",
                "continuationToken", "continuation_token", "after", "startingAfter",
                "starting_after", "marker")
NEXT_NAMES = ("next", "nextCursor", "next_cursor", "nextToken", "next_token", "nextPageToken",
              "next_page_token", "cursor")
TOTAL_NAMES = ("total", "totalCount", "total_count", "count")
KEYS = {"style", "size", "page", "offset", "cursor", "next", "first", "total", "items",
        "past-end"}


class PaginationError(Exception):
    """The extension says something unusable; the message names where."""


@dataclass(frozen=True, slots=True)
class Pagination:
    """How to walk one listing from its first page to its last."""

    style: str = "none"  # cursor | page | offset | link | none | unknown
    size_param: str | None = None
    param: str | None = None  # the page number, offset or cursor query parameter
    next_pointer: str | None = None  # cursor: where the reply carries the next one
    first: int = 0  # page: the first page's number
    total_pointer: str | None = None
    past_end: int | None = None  # None: a page past the end is an empty 200
    items_pointer: str | None = None  # declared by the extension's `items`
    why: str = ""  # unknown: why the walk is skipped
    declared: bool = False  # from x-contracts-pagination

    @property
    def walkable(self) -> bool:
        return self.style != "unknown"

    def describe(self) -> str:
        """One phrase for messages: `page=1.. with pageSize`."""
        size = f" with {self.size_param}" if self.size_param else ""
        return {
            "cursor": f"following {self.param}{size}",
            "page": f"{self.param}={self.first}..{size}",
            "offset": f"{self.param}=0..{size}",
            "link": f"following Link rel=next{size}",
            "none": "one page",
        }.get(self.style, f"not walked ({self.why})")


def derive(
    where: str,
    op: dict[str, Any],
    *,
    query: dict[str, dict[str, Any]],
    reply: dict[str, Any],
    headers: set[str],
    self_link: tuple[str | None, str | None],
    size_param: str | None,
) -> Pagination:
    """The listing's pagination: declared by the extension, else derived (module docstring).

    `query` maps query parameter names to their resolved schemas, `reply` is the resolved
    schema of the 2xx reply, `headers` the lower-cased names of its declared headers.
    """
    total = _total(reply)
    declared = op.get("x-contracts-pagination")
    if declared is not None:
        return _declared(f"{where}.x-contracts-pagination", declared, query, total, size_param)
    token_param, token_pointer = self_link
    make = functools.partial(Pagination, size_param=size_param, total_pointer=total)
    if token_param is not None:
        return make("cursor", param=token_param, next_pointer=token_pointer)
    if "link" in headers:
        return make("link")
    page = next((n for n in PAGE_NAMES if n in query), None)
    if page is not None:
        first = _first(query[page])
        if first is None:
            return Pagination("unknown", why=f"cannot tell whether {page} starts at 0 or 1: "
                              "declare its minimum (or x-contracts-pagination.first)")
        return make("page", param=page, first=first)
    offset = next((n for n in OFFSET_NAMES if n in query), None)
    if offset is not None:
        return make("offset", param=offset)
    cursor = next((n for n in CURSOR_NAMES if n in query), None)
    if cursor is not None:
        pointer = _next_pointer(reply, cursor)
        if pointer is None:
            return Pagination("unknown", why=f"no reply property carries the next {cursor}: "
                              "declare a link or x-contracts-pagination.next")
        return make("cursor", param=cursor, next_pointer=pointer)
    if size_param is not None:
        return Pagination("unknown", why=f"{size_param} bounds a page but no parameter asks "
                          "for the next one: declare x-contracts-pagination")
    return Pagination("none", total_pointer=total)


def _first(schema: dict[str, Any]) -> int | None:
    for key in ("minimum", "default"):
        value = schema.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            return value
    return None


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _find(reply: dict[str, Any], names: tuple[str, ...], kinds: tuple[str, ...]) -> str | None:
    """The pointer of the first property named in `names` of a type in `kinds`: at the top of
    the reply, else one object down (`/page/next`)."""
    top = _properties(reply)
    for name in names:
        if isinstance(top.get(name), dict) and top[name].get("type", kinds[0]) in kinds:
            return f"/{name}"
    for outer, schema in top.items():
        inner = _properties(schema) if isinstance(schema, dict) else {}
        for name in names:
            if isinstance(inner.get(name), dict) and inner[name].get("type", kinds[0]) in kinds:
                return f"/{outer}/{name}"
    return None


def _total(reply: dict[str, Any]) -> str | None:
    return _find(reply, TOTAL_NAMES, ("integer",))


def _next_pointer(reply: dict[str, Any], param: str) -> str | None:
    return _find(reply, (param, *NEXT_NAMES), ("string",))


def _declared(
    where: str, value: Any, query: dict[str, dict[str, Any]], total: str | None,
    size_param: str | None,
) -> Pagination:
    _validate(where, value, query)
    style = value["style"]
    default = {"page": PAGE_NAMES, "offset": OFFSET_NAMES, "cursor": CURSOR_NAMES}.get(style, ())
    param = value.get(style) or next((n for n in default if n in query), None)
    if style in ("page", "offset", "cursor") and param is None:
        raise PaginationError(f"{where}: style {style} needs its query parameter (key {style})")
    if style == "cursor" and value.get("next") is None:
        raise PaginationError(f"{where}.next: style cursor needs the JSON pointer of the next "
                              "cursor in the reply")
    first = value.get("first")
    if first is None and style == "page":
        first = _first(query.get(str(param)) or {})
        first = 1 if first is None else first
    past_end = value.get("past-end", "empty")
    return Pagination(
        style,
        size_param=value.get("size", size_param),
        param=param,
        next_pointer=value.get("next"),
        first=int(first) if style == "page" and first is not None else 0,
        total_pointer=value.get("total", total),
        past_end=None if past_end == "empty" else int(past_end),
        items_pointer=value.get("items"),
        declared=True,
    )


def _validate(where: str, value: Any, query: dict[str, dict[str, Any]]) -> None:
    """Every key known, every value of its kind; the message names the key's place."""
    if not isinstance(value, dict):
        raise PaginationError(f"{where}: expected an object with a style, got {value!r}")
    unknown = sorted(set(value) - KEYS)
    if unknown:
        raise PaginationError(f"{where}.{unknown[0]}: unknown key "
                              f"(known: {', '.join(sorted(KEYS))})")
    if value.get("style") not in STYLES:
        raise PaginationError(f"{where}.style: expected one of {', '.join(STYLES)}, "
                              f"got {value.get('style')!r}")
    for key in ("size", "page", "offset", "cursor"):
        name = value.get(key)
        if name is not None and name not in query:
            raise PaginationError(f"{where}.{key}: {name!r} is not a query parameter of the "
                                  "listing")
    for key in ("next", "total", "items"):
        pointer = value.get(key)
        if pointer is not None and not (isinstance(pointer, str)
                                        and (pointer == "" or pointer.startswith("/"))):
            raise PaginationError(f"{where}.{key}: expected a JSON pointer (/a/b), "
                                  f"got {pointer!r}")
    first = value.get("first", 1)
    if first not in (0, 1) or isinstance(first, bool):
        raise PaginationError(f"{where}.first: expected 0 or 1, got {first!r}")
    past_end = value.get("past-end", "empty")
    if past_end != "empty" and not (isinstance(past_end, int) and 400 <= past_end < 500):
        raise PaginationError(f"{where}.past-end: expected empty or a 4xx status, "
                              f"got {past_end!r}")
