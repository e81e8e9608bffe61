"""Checks that follow resources across requests: updates, deletes and the listing.

They read the run's state (contracts.state), which the `after_call` hook here fills with every
response before the checks of that response run. What a resource, its id and its listing are
comes from the spec (contracts.model).
"""

from __future__ import annotations

import schemathesis

from contracts.model import Collection
from contracts.state import RunState
from contracts.wire import (
    Case,
    body_of,
    current_state,
    operation_of,
    path_id,
    sent_method,
    succeeded,
)

WALK_BOUND = 5  # small pages, so that a run's few dozen resources span several
WALK_MAX_PAGES = 300


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: Case, response: schemathesis.Response
) -> None:
    """Record every response in the run's state (ids, deletes, tokens, statuses)."""
    state = current_state()
    if state is not None:
        state.observe(
            case.id, operation_of(case), sent_method(response), path_id(case),
            status=response.status_code, body=body_of(response),
        )


@schemathesis.check
def update_never_creates(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """An item PUT/PATCH that declares no 201, on an id never seen, answers 404: no create.

    (A write that brings back a deleted resource is deleted_stays_deleted's to report.)
    """
    state = current_state()
    method = case.operation.method.upper()
    collection = state.model.collection_of(case.operation.path) if state else None
    if state is None or collection is None or not succeeded(case, response):
        return None
    before = state.before.get(case.id)
    if method not in collection.never_creates or before is None or before.seen:
        return None
    raise AssertionError(
        f"{method} {case.formatted_path} answered {response.status_code} for an id that never "
        "existed: the spec declares no 201 here, so an update must not create (expected 404)"
    )


@schemathesis.check
def deleted_stays_deleted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """After a successful DELETE, reading, updating or deleting that id again is a 404."""
    state = current_state()
    if state is None or not succeeded(case, response):
        return None
    before = state.before.get(case.id)
    if before is None or not before.deleted:
        return None
    raise AssertionError(
        f"{sent_method(response)} {case.formatted_path} answered "
        f"{response.status_code} after the resource was deleted (expected 404)"
    )


def _walk_due(creates: int) -> bool:
    """Walk the listing on the 1st, 2nd, 4th, 8th... create: log2(n) walks in a run."""
    return creates > 0 and creates & (creates - 1) == 0


@schemathesis.check
def listing_complete(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Pages chained by their token list every resource the run kept, once each, as last read."""
    state = current_state()
    collection = state.model.collection_of(case.operation.path) if state else None
    if (
        state is None
        or collection is None
        or collection.items_pointer is None
        or f"GET {collection.path}" not in collection.operations
        or operation_of(case) != f"POST {collection.path}"
        or not succeeded(case, response)
        or not _walk_due(state.creates[collection.path])
    ):
        return None
    _walk(state, collection)
    return None


def _walk(state: RunState, collection: Collection) -> None:
    assert state.client is not None
    bound = WALK_BOUND if collection.bound_param else None
    listed: list[str] = []
    pages = 0
    for page in state.client.walk(collection, bound, WALK_MAX_PAGES):
        pages += 1
        if page.status != 200:
            raise AssertionError(f"GET {collection.path} answered {page.status} on page {pages}")
        for item in page.items:
            if isinstance(item, dict) and collection.id_property in item:
                listed.append(str(item[collection.id_property]))
                _as_last_read(state, collection, item)
        if pages == WALK_MAX_PAGES and page.next_token is not None:
            return  # too big to walk here: inconclusive, not a failure
    twice = sorted({i for i in listed if listed.count(i) > 1})
    if twice:
        raise AssertionError(f"Listed more than once across {pages} page(s): {twice[:3]}")
    missing = sorted(state.live_ids(collection) - set(listed))
    if missing:
        raise AssertionError(
            f"{len(missing)} resource(s) this run created are not listed by GET "
            f"{collection.path} (walked {pages} page(s) of {collection.bound_param}={bound}, "
            f"following {collection.token_param}), e.g. {missing[:3]}: pagination loses items"
        )


def _as_last_read(state: RunState, collection: Collection, item: dict[str, object]) -> None:
    """A listed resource shows the writable fields as the run last read them."""
    with state.lock:
        last = state.latest.get((collection.path, str(item[collection.id_property])))
    fields = frozenset().union(*collection.writable.values())
    for name in sorted(fields & set(last or {})):
        if last is not None and item.get(name) != last[name]:
            raise AssertionError(
                f"GET {collection.path} lists {item[collection.id_property]} with {name} "
                f"{item.get(name)!r:.60}, last read as {last[name]!r:.60}"
            )


CHECKS = {
    "update_never_creates": None,
    "deleted_stays_deleted": None,
    "listing_complete": None,
}
