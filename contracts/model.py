"""What the semantic checks need to know about an API, read from its OpenAPI 3 spec alone.

A *collection* is a path with an item path under it (`/tasks` and `/tasks/{taskId}`). From the
spec, without knowing the API:

- the id property: the response property a link feeds into the item's path parameter
  (`taskId: $response.body#/id`), else a property named like the parameter, else `id`;
- the listing: GET on the collection; its items are the response's array (the body itself, or
  its first array property); its page token is the query parameter a link from the listing to
  itself fills (`query.cursor: $response.body#/page/next`); its bound is the integer query
  parameter marked `x-contracts-page-size: true`, else one named limit, pageSize, page_size,
  per_page, perPage, maxItems, max_items or size;
- server-set timestamps: properties of the item's schema marked `x-contracts-timestamp:
  created` (set once, never changes) or `updated` (not before created; moves forward on every
  successful update; unchanged by reads);
- partial updates: an item PUT/PATCH marked `x-contracts-partial-update: keep` (a writable field
  the request omits keeps its value) or `clear` (it is removed or null);
- an item PUT/PATCH that declares no 201 never creates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from contracts import security
from contracts.pagination import Pagination, PaginationError, derive

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
BOUND_NAMES = ("limit", "pageSize", "page_size", "per_page", "perPage", "maxItems", "max_items",
               "size")
PARTIAL = ("keep", "clear")
TIMESTAMP_ROLES = ("created", "updated")


class SpecError(Exception):
    """The spec declares something the harness cannot use; one line."""


@dataclass(frozen=True, slots=True)
class Collection:
    path: str  # /tasks
    item_path: str  # /tasks/{taskId}
    id_param: str  # taskId
    id_property: str = "id"  # the property of a resource that its path parameter names
    items_pointer: str | None = None  # JSON pointer of the listing's array ("" = the body)
    token_param: str | None = None  # query parameter that asks for the next page
    token_pointer: str | None = None  # where a listing reply carries the next token
    bound_param: str | None = None  # query parameter that bounds a page's size
    bound_default: int | None = None
    bound_maximum: int | None = None
    pagination: Pagination = field(default_factory=Pagination)  # how to walk the listing
    timestamps: dict[str, str] = field(default_factory=dict)  # property -> created | updated
    timestamp_formats: dict[str, str] = field(default_factory=dict)  # property -> its format
    partial: dict[str, str] = field(default_factory=dict)  # METHOD -> keep | clear
    writable: dict[str, frozenset[str]] = field(default_factory=dict)  # METHOD -> body props
    never_creates: frozenset[str] = frozenset()  # item methods that must not create
    operations: frozenset[str] = frozenset()  # "METHOD /path" of its operations


@dataclass(frozen=True, slots=True)
class Model:
    raw: dict[str, Any]
    collections: tuple[Collection, ...] = ()
    declared: dict[str, frozenset[str]] = field(default_factory=dict)  # "METHOD path" -> codes
    access: security.Access = field(default_factory=security.Access)  # who may call what

    def collection_of(self, path: str) -> Collection | None:
        """The collection whose list or item path this is."""
        for c in self.collections:
            if path in (c.path, c.item_path):
                return c
        return None

    def resolve(self, node: Any) -> Any:
        """Follow local `$ref`s until `node` is not one."""
        return resolve(self.raw, node)


def resolve(raw: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 50:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SpecError(f"$ref {ref!r}: only local references are supported")
        node = pointer_get(raw, ref[1:])
        seen += 1
    return node


def pointer_get(document: Any, pointer: str) -> Any:
    """RFC 6901: `/a/b~1c` -> document["a"]["b/c"]; None where the path does not exist."""
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def load(spec: Path) -> Model:
    with spec.open(encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    return build(raw)


def build(raw: dict[str, Any]) -> Model:
    paths: dict[str, Any] = raw.get("paths") or {}
    declared = {
        f"{m.upper()} {p}": frozenset(str(code) for code in (op.get("responses") or {}))
        for p, item in paths.items()
        for m, op in item.items()
        if m in METHODS
    }
    collections = tuple(
        _collection(raw, parent, path)
        for path in paths
        if (parent := _parent(path)) is not None
    )
    try:
        access = security.read(raw, lambda node: resolve(raw, node), METHODS)
    except security.SecurityError as exc:
        raise SpecError(str(exc)) from None
    return Model(raw=raw, collections=collections, declared=declared, access=access)


def _parent(path: str) -> str | None:
    """`/tasks/{taskId}` -> `/tasks`; None for a path that does not end in one parameter."""
    head, _, last = path.rstrip("/").rpartition("/")
    if not (last.startswith("{") and last.endswith("}")):
        return None
    return head or "/"


def operations(raw: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    item = (raw.get("paths") or {}).get(path) or {}
    return {m.upper(): op for m, op in item.items() if m in METHODS and isinstance(op, dict)}


def _collection(raw: dict[str, Any], path: str, item_path: str) -> Collection:
    param = item_path.rstrip("/").rpartition("/")[2][1:-1]
    item_ops, list_ops = operations(raw, item_path), operations(raw, path)
    schema = _resource_schema(raw, item_ops, list_ops)
    props = resolve(raw, schema.get("properties")) or {}
    id_property = _id_property(raw, item_ops, param) or (param if param in props else "id")
    listing = _listing(raw, list_ops.get("GET"), path)
    listing.setdefault("pagination", Pagination())
    return Collection(
        path=path,
        item_path=item_path,
        id_param=param,
        id_property=id_property,
        **listing,
        timestamps=_timestamps(raw, props),
        timestamp_formats={k: f for k, v in props.items()
                           if k in _timestamps(raw, props) and (f := declared_format(raw, v))},
        partial=_partial(item_ops),
        writable={m: _body_properties(raw, op) for m, op in item_ops.items()
                  if m in ("PUT", "PATCH")} | (
            {"POST": _body_properties(raw, list_ops["POST"])} if "POST" in list_ops else {}),
        never_creates=frozenset(
            m for m, op in item_ops.items()
            if m in ("PUT", "PATCH") and "201" not in (op.get("responses") or {})
        ),
        operations=frozenset(
            [f"{m} {item_path}" for m in item_ops] + [f"{m} {path}" for m in list_ops]
        ),
    )


def success_schema(raw: dict[str, Any], op: dict[str, Any] | None) -> dict[str, Any]:
    """The resolved JSON schema of an operation's first 2xx response, or {}."""
    for code, response in sorted((op or {}).get("responses", {}).items()):
        if str(code).startswith("2"):
            content = resolve(raw, response).get("content") or {}
            media = content.get("application/json") or {}
            return resolve(raw, media.get("schema")) or {}
    return {}


def _resource_schema(
    raw: dict[str, Any], item_ops: dict[str, Any], list_ops: dict[str, Any]
) -> dict[str, Any]:
    for source in (item_ops.get("GET"), list_ops.get("POST"), item_ops.get("PUT")):
        schema = success_schema(raw, source)
        if schema:
            return schema
    return {}


def _links(raw: dict[str, Any], op: dict[str, Any] | None) -> list[dict[str, Any]]:
    found = []
    for response in ((op or {}).get("responses") or {}).values():
        for link in (resolve(raw, response).get("links") or {}).values():
            found.append(resolve(raw, link))
    return found


def _id_property(raw: dict[str, Any], item_ops: dict[str, Any], param: str) -> str | None:
    """The body property a link puts into the path parameter: `param: $response.body#/id`."""
    every_op = [
        op for item in (raw.get("paths") or {}).values() for m, op in item.items() if m in METHODS
    ]
    for op in every_op:
        for link in _links(raw, op):
            params = link.get("parameters") or {}
            for name in (param, f"path.{param}"):
                value = params.get(name)
                if isinstance(value, str) and value.startswith("$response.body#/"):
                    return value.removeprefix("$response.body#/").split("/")[0]
    return None


def _listing(raw: dict[str, Any], op: dict[str, Any] | None, path: str) -> dict[str, Any]:
    if op is None:
        return {}
    schema = success_schema(raw, op)
    items_pointer: str | None = None
    if schema.get("type") == "array":
        items_pointer = ""
    else:
        for name, prop in (schema.get("properties") or {}).items():
            if resolve(raw, prop).get("type") == "array":
                items_pointer = f"/{name}"
                break
    params = [resolve(raw, p) for p in op.get("parameters") or []]
    query = {p["name"]: p for p in params if p.get("in") == "query" and "name" in p}
    token_param, token_pointer = _token(raw, op)
    bound = next((p for p in query.values() if p.get("x-contracts-page-size") is True), None)
    bound = bound or next((query[n] for n in BOUND_NAMES if n in query), None)
    bound_schema = resolve(raw, (bound or {}).get("schema")) or {}
    try:
        pagination = derive(
            f"paths.{path}.get", op,
            query={n: resolve(raw, p.get("schema")) or {} for n, p in query.items()},
            reply=_resolved_properties(raw, schema), headers=_reply_headers(raw, op),
            self_link=(token_param, token_pointer), size_param=bound["name"] if bound else None,
        )
    except PaginationError as exc:
        raise SpecError(str(exc)) from None
    if pagination.style == "cursor" and token_param is None:
        token_param, token_pointer = pagination.param, pagination.next_pointer
    bound_param = pagination.size_param if pagination.declared else (
        bound["name"] if bound else None)
    if bound_param is not None and bound_param in query:
        bound_schema = resolve(raw, query[bound_param].get("schema")) or {}
    return {
        "items_pointer": pagination.items_pointer if pagination.items_pointer is not None
        else items_pointer,
        "token_param": token_param,
        "token_pointer": token_pointer,
        "bound_param": bound_param,
        "bound_default": bound_schema.get("default"),
        "bound_maximum": bound_schema.get("maximum"),
        "pagination": pagination,
    }


def _resolved_properties(raw: dict[str, Any], schema: dict[str, Any], depth: int = 2) -> Any:
    """The schema with its properties' $refs resolved, `depth` objects down."""
    schema = resolve(raw, schema) or {}
    if depth == 0 or not isinstance(schema.get("properties"), dict):
        return schema
    props = {k: _resolved_properties(raw, v, depth - 1) for k, v in schema["properties"].items()}
    return {**schema, "properties": props}


def _reply_headers(raw: dict[str, Any], op: dict[str, Any]) -> set[str]:
    """Lower-cased names of the headers the listing's 2xx replies declare."""
    found: set[str] = set()
    for code, response in (op.get("responses") or {}).items():
        if str(code).startswith("2"):
            found |= {str(h).lower() for h in resolve(raw, response).get("headers") or {}}
    return found


def _token(raw: dict[str, Any], op: dict[str, Any]) -> tuple[str | None, str | None]:
    """A link from the listing to itself: `query.<param>: $response.body#<pointer>`."""
    for link in _links(raw, op):
        if link.get("operationId") not in (None, op.get("operationId")):
            continue
        for name, value in (link.get("parameters") or {}).items():
            if (
                isinstance(name, str)
                and name.startswith("query.")
                and isinstance(value, str)
                and value.startswith("$response.body#")
            ):
                return name.removeprefix("query."), value.removeprefix("$response.body#")
    return None, None


def _timestamps(raw: dict[str, Any], props: dict[str, Any]) -> dict[str, str]:
    found = {}
    for name, prop in props.items():
        role = resolve(raw, prop).get("x-contracts-timestamp")
        if role is None:
            continue
        if role not in TIMESTAMP_ROLES:
            raise SpecError(
                f"{name}: x-contracts-timestamp: expected created or updated, got {role!r}"
            )
        found[name] = str(role)
    return found


def declared_format(raw: dict[str, Any], schema: Any) -> str | None:
    """The schema's `format`, also through `allOf` (how a $ref gets an extension next to it)."""
    schema = resolve(raw, schema) or {}
    if isinstance(schema.get("format"), str):
        return str(schema["format"])
    for part in schema.get("allOf") or []:
        found = declared_format(raw, part)
        if found:
            return found
    return None


def _partial(item_ops: dict[str, Any]) -> dict[str, str]:
    found = {}
    for method, op in item_ops.items():
        value = op.get("x-contracts-partial-update")
        if value is None:
            continue
        if value not in PARTIAL:
            raise SpecError(
                f"{method} x-contracts-partial-update: expected keep or clear, got {value!r}"
            )
        found[method] = str(value)
    return found


def _body_properties(raw: dict[str, Any], op: dict[str, Any]) -> frozenset[str]:
    body = resolve(raw, op.get("requestBody")) or {}
    media = (body.get("content") or {}).get("application/json") or {}
    schema = resolve(raw, media.get("schema")) or {}
    props = schema.get("properties") or {}
    return frozenset(k for k, v in props.items() if not resolve(raw, v).get("readOnly"))
