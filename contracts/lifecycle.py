"""Checks that follow reviews across requests: updates, deletes and the listing.

They read the run's state (contracts.state), which the `after_call` hook here fills with every
response before the checks of that response run.
"""

from __future__ import annotations

import schemathesis

from contracts.state import reviews_in
from contracts.wire import (
    Case,
    body_of,
    current_state,
    instant,
    path_id,
    sent_method,
    succeeded,
)

LIST_PAGE_SIZE = 10
LIST_MAX_PAGES = 300


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: Case, response: schemathesis.Response
) -> None:
    """Record every response in the run's state (ids, deletes, tokens, timestamps)."""
    state = current_state()
    if state is not None:
        state.observe(
            case.id, sent_method(response), path_id(case), response.status_code, body_of(response)
        )


@schemathesis.check
def update_moves_updated_at(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A successful update moves updatedAt forward and keeps createdAt."""
    state = current_state()
    if state is None or case.operation.method.upper() != "PUT" or not succeeded(case, response):
        return None
    reviews = reviews_in(body_of(response))
    if not reviews:
        return None
    new = reviews[0]
    created, updated = instant(new.get("createdAt")), instant(new.get("updatedAt"))
    if created is not None and updated is not None and updated <= created:
        raise AssertionError(
            f"After an update, updatedAt {new['updatedAt']} is not after "
            f"createdAt {new['createdAt']}"
        )
    before = state.before.get(case.id)
    if before is None or before.stamps is None or updated is None:
        return None
    previous = instant(before.stamps.updated_at)
    if previous is not None and updated <= previous:
        raise AssertionError(
            f"updatedAt did not move: {before.stamps.updated_at} before the "
            f"update, {new['updatedAt']} after it"
        )
    if new.get("createdAt") != before.stamps.created_at:
        raise AssertionError(
            f"createdAt changed on update: {before.stamps.created_at} -> {new.get('createdAt')}"
        )
    return None


@schemathesis.check
def update_never_creates(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """PUT on an id no response of the run ever carried is a 404, never a new review.

    (A PUT that brings back a deleted review is deleted_stays_deleted's to report.)
    """
    state = current_state()
    if state is None or case.operation.method.upper() != "PUT" or not succeeded(case, response):
        return None
    before = state.before.get(case.id)
    if before is None or before.seen:
        return None
    raise AssertionError(
        f"PUT {case.formatted_path} answered {response.status_code} for an id that never "
        "existed: an update must not create a review (expected 404)"
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
        f"{response.status_code} after the review was deleted (expected 404)"
    )


def _walk_due(creates: int) -> bool:
    """Walk the listing on the 1st, 2nd, 4th, 8th... create: log2(n) walks in a run."""
    return creates > 0 and creates & (creates - 1) == 0


@schemathesis.check
def created_review_is_listed(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Walking GET /reviews page by page finds every review this run created and kept, once."""
    state = current_state()
    if (
        state is None
        or state.client is None
        or case.operation.method.upper() != "POST"
        or not succeeded(case, response)
        or not _walk_due(state.creates)
    ):
        return None
    listed: list[str] = []
    pages = 0
    for page in state.client.walk(LIST_PAGE_SIZE, LIST_MAX_PAGES):
        pages += 1
        if page.status != 200:
            raise AssertionError(f"GET /reviews answered {page.status} on page {pages} of a walk")
        listed.extend(page.ids)
        if pages == LIST_MAX_PAGES and page.next_token is not None:
            return None  # too big to walk here: inconclusive, not a failure
    twice = sorted({i for i in listed if listed.count(i) > 1})
    if twice:
        raise AssertionError(f"Listed more than once across {pages} page(s): {twice[:3]}")
    missing = sorted(state.live_ids() - set(listed))
    if missing:
        raise AssertionError(
            f"{len(missing)} review(s) this run created are not in GET /reviews "
            f"(walked {pages} page(s) of limit={LIST_PAGE_SIZE}, following nextToken), "
            f"e.g. {missing[:3]}: pagination loses items"
        )
    return None


CHECK_NAMES = (
    "update_moves_updated_at",
    "update_never_creates",
    "deleted_stays_deleted",
    "created_review_is_listed",
)
