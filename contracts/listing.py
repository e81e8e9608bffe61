"""Checks that walk a listing from its first page to its last, in the style its spec declares.

After a successful create (the 1st, 2nd, 4th, 8th... of a collection: log2(n) walks in a run)
the listing is walked once, in small pages, as contracts.pagination derived (cursor, page
numbers, offsets or `Link` headers); the walk is kept for that create, and each check reads
its own part of it:

- listing_complete: every page answers 200; every resource the run created and kept is
  listed, as the run last read it;
- pages_disjoint: no resource appears on two pages (or twice on one);
- list_bound_honoured (contracts.semantics) also reads the walk: no page holds more than asked;
- listing_total: a declared total equals the distinct resources the walk listed;
- page_past_end: the page after the last (page numbers, offsets) is empty, or answers a 4xx the
  listing declares.

A listing whose pagination cannot be derived is not walked (the summary says why): a walk in
the wrong style would report a correct API. Each check leaves to another what another reports:
a total is not compared while resources are missing, for instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import schemathesis

from contracts.client import Page
from contracts.model import Collection
from contracts.state import RunState
from contracts.wire import Case, current_state, operation_of, succeeded

WALK_BOUND = 5  # small pages, so that a run's few dozen resources span several
WALK_MAX_PAGES = 300


@dataclass(frozen=True, slots=True)
class Walk:
    """One walk of a listing: its pages in order, and the page past the end if asked."""

    collection: Collection
    bound: int | None
    pages: tuple[Page, ...]
    past_end: Page | None
    truncated: bool  # stopped at WALK_MAX_PAGES: too big to judge here

    def ids(self) -> list[str]:
        """Listed ids in order, repeats kept."""
        key = self.collection.id_property
        return [str(item[key]) for page in self.pages for item in page.items
                if isinstance(item, dict) and key in item]

    def describe(self) -> str:
        return (f"walked {len(self.pages)} page(s) of {self.collection.bound_param}="
                f"{self.bound}, {self.collection.pagination.describe()}")


def listings(collections: tuple[Collection, ...]) -> list[str]:
    """One line per listing: how it is walked, or why it is not (for the summary)."""
    return [f"GET {c.path}: {c.pagination.describe()}" for c in collections
            if f"GET {c.path}" in c.operations and c.items_pointer is not None]


def _walk_due(creates: int) -> bool:
    return creates > 0 and creates & (creates - 1) == 0


def walk_of(case: Case, response: schemathesis.Response) -> tuple[RunState, Walk] | None:
    """The walk this create triggers (made once, shared by the checks), or None."""
    state = current_state()
    collection = state.model.collection_of(case.operation.path) if state else None
    if (
        state is None
        or state.client is None
        or collection is None
        or collection.items_pointer is None
        or not collection.pagination.walkable
        or f"GET {collection.path}" not in collection.operations
        or operation_of(case) != f"POST {collection.path}"
        or not succeeded(case, response)
    ):
        return None
    with state.lock:
        found = state.walks.get(case.id)
        due = _walk_due(state.creates[collection.path])
    if found is None and due:
        found = _walk(state, collection)
        with state.lock:
            state.walks[case.id] = found
    return None if found is None else (state, found)


def _walk(state: RunState, collection: Collection) -> Walk:
    assert state.client is not None
    bound = WALK_BOUND if collection.bound_param else None
    pages: list[Page] = []
    past_end = None
    for page in state.client.walk(collection, bound, WALK_MAX_PAGES):
        if page.past_end:
            past_end = page
        else:
            pages.append(page)
    last = pages[-1] if pages else None
    truncated = (len(pages) == WALK_MAX_PAGES and last is not None and last.status == 200
                 and past_end is None)
    return Walk(collection, bound, tuple(pages), past_end, truncated)


def missing_ids(state: RunState, walk: Walk) -> list[str]:
    """Resources the run created and kept that the walk did not list."""
    if walk.truncated or any(p.status != 200 for p in walk.pages):
        return []
    return sorted(state.live_ids(walk.collection) - set(walk.ids()))


@schemathesis.check
def listing_complete(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """The walk lists every resource the run kept, as last read; every page answers 200."""
    found = walk_of(case, response)
    if found is None:
        return None
    state, walk = found
    path = walk.collection.path
    for number, page in enumerate(walk.pages, 1):
        if page.status != 200:
            raise AssertionError(f"GET {path} answered {page.status} on page {number} "
                                 f"({walk.describe()})")
    for page in walk.pages:
        for item in page.items:
            if isinstance(item, dict) and walk.collection.id_property in item:
                _as_last_read(state, walk.collection, item)
    missing = missing_ids(state, walk)
    if missing:
        raise AssertionError(
            f"{len(missing)} resource(s) this run created are not listed by GET {path} "
            f"({walk.describe()}), e.g. {missing[:3]}: pagination loses items"
        )
    return None


def _as_last_read(state: RunState, collection: Collection, item: dict[str, Any]) -> None:
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


@schemathesis.check
def pages_disjoint(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """No resource is listed twice in one walk (on two pages, or twice on one)."""
    found = walk_of(case, response)
    if found is None:
        return None
    _, walk = found
    listed = walk.ids()
    twice = sorted({i for i in listed if listed.count(i) > 1})
    if twice:
        raise AssertionError(
            f"GET {walk.collection.path}: {len(twice)} resource(s) listed more than once "
            f"({walk.describe()}), e.g. {twice[:3]}: pages overlap"
        )
    return None


@schemathesis.check
def listing_total(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A declared total (total, totalCount, count or the extension's) equals what the walk
    lists, counted once each; compared only on a walk that lost nothing (else it is
    listing_complete's to report)."""
    found = walk_of(case, response)
    if found is None or not found[1].pages or found[1].pages[0].total is None:
        return None
    state, walk = found
    if walk.truncated or missing_ids(state, walk) or any(p.status != 200 for p in walk.pages):
        return None
    totals = {p.total for p in walk.pages if p.total is not None}
    distinct = len(set(walk.ids()))
    if totals != {distinct}:
        pointer = walk.collection.pagination.total_pointer
        raise AssertionError(
            f"GET {walk.collection.path} declares {pointer} = "
            f"{', '.join(map(str, sorted(totals)))} but walking every page lists {distinct} "
            f"resource(s) ({walk.describe()})"
        )
    return None


@schemathesis.check
def page_past_end(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """The page after the last (page numbers, offsets) is empty, or a 4xx the spec declares
    for the listing (x-contracts-pagination past-end names the one it must be)."""
    found = walk_of(case, response)
    if found is None or found[1].past_end is None:
        return None
    _, walk = found
    page, paging = walk.past_end, walk.collection.pagination
    assert page is not None
    declared = {int(c) for c in _declared_codes(walk.collection) if c.startswith("4")}
    if paging.past_end is not None:
        ok = page.status == paging.past_end
        wanted = str(paging.past_end)
    else:
        ok = (page.status == 200 and not page.items) or page.status in declared
        wanted = "an empty page" + (f" or {sorted(declared)}" if declared else "")
    if not ok:
        raise AssertionError(
            f"GET {page.url or walk.collection.path}, the page after the last, answered "
            f"{page.status} with {len(page.items)} item(s); expected {wanted}"
        )
    return None


def _declared_codes(collection: Collection) -> frozenset[str]:
    state = current_state()
    return (state.model.declared.get(f"GET {collection.path}", frozenset()) if state
            else frozenset())


def page_size_problem(case: Case, response: schemathesis.Response) -> str | None:
    """For list_bound_honoured: a walked page holding more items than the walk asked."""
    found = walk_of(case, response)
    if found is None or found[1].bound is None:
        return None
    walk = found[1]
    for number, page in enumerate(walk.pages, 1):
        if len(page.items) > walk.bound:  # type: ignore[operator]
            return (f"GET {walk.collection.path}: {walk.collection.bound_param}={walk.bound} "
                    f"but page {number} holds {len(page.items)} items ({walk.describe()})")
    return None


CHECKS: dict[str, str | None] = {
    "listing_complete": None,
    "pages_disjoint": None,
    "listing_total": None,
    "page_past_end": None,
}
