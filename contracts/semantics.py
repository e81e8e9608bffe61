"""Semantic checks derived from the spec: what a schema-valid reply can still get wrong.

None of them knows an API: each reads contracts.model (ids through links, listings, declared
timestamps and partial updates) and the run's state. Registered with schemathesis like every
check; an AssertionError is a failure reported under the function's name.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from contracts import formats, listing
from contracts.model import Collection, pointer_get
from contracts.state import RunState, resources_in
from contracts.wire import Case, body_of, current_state, path_id, sent_body, succeeded


def _context(case: Case, response: schemathesis.Response) -> tuple[RunState, Collection] | None:
    """The run and the collection of a successful call, or None when the check does not apply."""
    state = current_state()
    if state is None or not succeeded(case, response):
        return None
    collection = state.model.collection_of(case.operation.path)
    return None if collection is None else (state, collection)


def _differences(sent: dict[str, Any], resource: Any, fields: frozenset[str]) -> list[str]:
    if not isinstance(resource, dict):
        return [f"not an object: {resource!r:.80}"]
    missing = object()  # a field sent as null may come back absent
    return [
        f"{k}: sent {v!r:.60}, got {resource.get(k, '<missing>')!r:.60}"
        for k, v in sorted(sent.items())
        if k in fields and resource.get(k, None if v is None else missing) != v
    ]


@schemathesis.check
def write_read_back(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Fields sent on create or update come back equal in the reply and in a later GET."""
    found, sent = _context(case, response), sent_body(case)
    method = case.operation.method.upper()
    if found is None or sent is None:
        return None
    state, collection = found
    fields = collection.writable.get(method)
    if fields is None:
        return None
    reply = body_of(response)
    problems = _differences(sent, reply, fields)
    if problems:
        raise AssertionError(f"The reply differs from what was written: {'; '.join(problems)}")
    rid = reply.get(collection.id_property) if isinstance(reply, dict) else None
    readable = f"GET {collection.item_path}" in collection.operations
    if state.client is None or rid is None or not readable:
        return None
    status, stored = state.client.get_item(collection, str(rid))
    if status != 200:
        raise AssertionError(f"GET of the resource just written ({rid}) answered {status}")
    if isinstance(stored, dict) and str(stored.get(collection.id_property)) != str(rid):
        return None  # another resource: path_selects_resource's to report
    problems = _differences(sent, stored, fields)
    if problems:
        raise AssertionError(f"A later GET differs from what was written: {'; '.join(problems)}")
    return None


@schemathesis.check
def path_selects_resource(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A reply on an item path is the resource the path names (its id property equals it)."""
    found, wanted = _context(case, response), path_id(case)
    if found is None or wanted is None:
        return None
    _, collection = found
    body = body_of(response)
    if not isinstance(body, dict) or collection.id_property not in body:
        return None
    got = body[collection.id_property]
    if str(got) != wanted:
        raise AssertionError(
            f"{case.operation.method.upper()} {case.formatted_path} answered with "
            f"{collection.id_property} {got!r}: another resource than the path names"
        )
    return None


@schemathesis.check
def list_bound_honoured(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A listing returns at most as many items as its bound parameter (or its default) asks,
    on the generated requests and on every page of the walk a create triggers."""
    walked = listing.page_size_problem(case, response)
    if walked is not None:
        raise AssertionError(walked)
    found = _context(case, response)
    if found is None or case.operation.method.upper() != "GET":
        return None
    _, collection = found
    if case.operation.path != collection.path or collection.bound_param is None:
        return None
    asked = (case.query or {}).get(collection.bound_param, collection.bound_default)
    items = pointer_get(body_of(response), collection.items_pointer or "")
    if not isinstance(asked, int) or isinstance(asked, bool) or not isinstance(items, list):
        return None
    if len(items) > asked:
        raise AssertionError(
            f"{collection.bound_param}={asked} but the page holds {len(items)} items"
        )
    return None


@schemathesis.check
def partial_update_as_declared(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A writable field an update omits keeps its value (`keep`) or is cleared (`clear`)."""
    found, sent = _context(case, response), sent_body(case)
    method = case.operation.method.upper()
    if found is None or sent is None:
        return None
    state, collection = found
    rule = collection.partial.get(method)
    before = state.before.get(case.id)
    reply = body_of(response)
    if rule is None or before is None or before.resource is None or not isinstance(reply, dict):
        return None
    for name in sorted(collection.writable.get(method, frozenset()) - set(sent)):
        old, new = before.resource.get(name), reply.get(name)
        if rule == "keep" and old is not None and new != old:
            raise AssertionError(
                f"{name} was omitted from the update, so it must keep {old!r:.60}; got {new!r:.60}"
            )
        if rule == "clear" and new is not None:
            raise AssertionError(
                f"{name} was omitted from the update, so it must be cleared; got {new!r:.60}"
            )
    return None


@schemathesis.check
def server_timestamps(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """created never changes; updated is not before it, moves on updates and not on reads.

    A timestamp without a `format` must still be an RFC 3339 date-time; one with a `format`
    that does not parse is response_schema_conformance's to report (it validates formats).
    """
    found = _context(case, response)
    if found is None or not found[1].timestamps:
        return None
    state, collection = found
    method = case.operation.method.upper()
    before = state.before.get(case.id)
    wanted = path_id(case)
    # A resource on its own item path is compared with what the run knew of it; a listing, or
    # another resource than the path names (path_selects_resource's to report), is not.
    for resource in resources_in(collection, case.operation.path, body_of(response)):
        mine = before is not None and str(resource.get(collection.id_property)) == wanted
        previous = before.resource if mine and before is not None else None
        _timestamps_hold(collection, resource, previous, updating=method in ("PUT", "PATCH"))
    return None


def _timestamps_hold(
    collection: Collection,
    resource: dict[str, Any],
    previous: dict[str, Any] | None,
    *,
    updating: bool,
) -> None:
    stamps = {}
    for name, role in collection.timestamps.items():
        if resource.get(name) is None:
            continue
        declared = collection.timestamp_formats.get(name)
        kind = declared if declared in ("date-time", "date") else "date-time"
        instant = formats.instant(resource[name], kind)
        if instant is None and declared in formats.KNOWN:
            return  # response_schema_conformance validates formats and reports it
        if instant is None:
            raise AssertionError(f"{name} {resource[name]!r} is not an RFC 3339 date-time")
        stamps[role] = (name, instant)
        was = previous.get(name) if previous else None
        old = formats.instant(was, kind)
        if old is None:
            continue
        change = f"{name}: {was} -> {resource[name]}"
        if role == "created" and instant != old:
            raise AssertionError(f"{change}: a creation time never changes")
        if role == "updated" and updating and instant <= old:
            raise AssertionError(f"{change}: did not move forward on a successful update")
        if role == "updated" and not updating and instant != old:
            raise AssertionError(f"{change}: moved without an update")
    if "created" in stamps and "updated" in stamps and stamps["updated"][1] < stamps["created"][1]:
        raise AssertionError(f"{stamps['updated'][0]} is before {stamps['created'][0]}")


CHECKS = {
    "write_read_back": None,
    "path_selects_resource": None,
    "list_bound_honoured": None,
    "partial_update_as_declared": None,
    "server_timestamps": None,
}
