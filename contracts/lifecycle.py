"""Checks that follow resources across requests: updates and deletes (listings: contracts.listing).

They read the run's state (contracts.state), which the `after_call` hook here fills with every
response before the checks of that response run. What a resource, its id and its listing are
comes from the spec (contracts.model).
"""

from __future__ import annotations

import schemathesis

from contracts.wire import (
    Case,
    body_of,
    current_state,
    operation_of,
    path_id,
    sent_method,
    succeeded,
)


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: Case, response: schemathesis.Response
) -> None:
    """Record every response in the run's state (ids, deletes, tokens, statuses)."""
    state = current_state()
    if state is not None:
        state.observe(
            case.id, operation_of(case), sent_method(response), path_id(case),
            status=response.status_code, body=body_of(response), query=dict(case.query or {}),
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


CHECKS = {
    "update_never_creates": None,
    "deleted_stays_deleted": None,
}
