"""What one contract run has observed: resources created, seen, deleted; tokens; coverage.

Schemathesis calls `observe` after every response (an `after_call` hook) and the checks read it.
A check runs after the hook has already recorded its own response, so each observation keeps a
`Before` snapshot of what was known about the resource until then. Resources are keyed by their
collection's path and id, so two collections may share ids.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from contracts.client import ApiClient
from contracts.model import Collection, Model, pointer_get

Key = tuple[str, str]  # (collection path, id)


@dataclass(frozen=True, slots=True)
class Before:
    """What the run knew about a resource just before a response."""

    seen: bool  # an earlier response carried it
    deleted: bool  # an earlier DELETE of it answered 2xx
    resource: dict[str, Any] | None  # its latest representation


@dataclass(slots=True)
class RunState:
    """Everything a run records; safe to share between schemathesis worker threads."""

    model: Model = field(default_factory=lambda: Model(raw={}))
    cors_origin: str | None = None  # the Access-Control-Allow-Origin every handler reply carries
    created: list[tuple[Collection, str]] = field(default_factory=list)  # for cleanup, in order
    creates: Counter[str] = field(default_factory=Counter)  # successful creates by collection
    seen: set[Key] = field(default_factory=set)
    deleted: set[Key] = field(default_factory=set)
    # page tokens the API issued, each with the listing's filters it was issued for (the query
    # without the token and the page size): a token belongs to the listing that issued it
    tokens: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    latest: dict[Key, dict[str, Any]] = field(default_factory=dict)
    before: dict[str, Before] = field(default_factory=dict)  # by schemathesis case id
    statuses: dict[str, Counter[int]] = field(default_factory=dict)  # "METHOD /path" -> codes
    client: ApiClient | None = None  # for the checks' own requests (read-backs, list walks)
    walks: dict[str, Any] = field(default_factory=dict)  # case id -> its listing.Walk
    credentials: Any = None  # identities.Credentials when the spec's security needs them
    probed: set[str] = field(default_factory=set)  # what the auth checks did once already
    lock: threading.Lock = field(default_factory=threading.Lock)

    def live_ids(self, collection: Collection) -> set[str]:
        """Ids of this collection the run created and has not deleted."""
        with self.lock:
            return {
                i for c, i in self.created
                if c.path == collection.path and (c.path, i) not in self.deleted
            }

    def first_time(self, key: str) -> bool:
        """True once per key: the auth checks probe each operation or collection once."""
        with self.lock:
            if key in self.probed:
                return False
            self.probed.add(key)
            return True

    def count(self, operation: str, status: int) -> None:
        """A response to one of the checks' own requests, for coverage (401s, 403s)."""
        with self.lock:
            self.statuses.setdefault(operation, Counter())[status] += 1

    def issued(self, token: str, filters: frozenset[tuple[str, str]] | None = None) -> bool:
        """Whether the API handed out this page token during the run (for a listing with these
        `filters`, when given: a token of another listing is not one the API issued for this
        one, e.g. an unfiltered listing's token sent with `?author=`)."""
        with self.lock:
            return token in self.tokens and (filters is None or self.tokens[token] == filters)

    def observe(
        self, case_id: str, operation: str, sent: str, path_value: str | None, *,
        status: int, body: Any, query: dict[str, Any] | None = None,
    ) -> None:
        """Record one response to `operation` ("METHOD /path"), sent with method `sent`."""
        method, _, path = operation.partition(" ")
        collection = self.model.collection_of(path)
        with self.lock:
            if sent == method:
                self.statuses.setdefault(operation, Counter())[status] += 1
            if collection is None or sent != method:
                return
            key = (collection.path, path_value) if path_value is not None else None
            if key is not None:
                self.before[case_id] = Before(
                    key in self.seen, key in self.deleted, self.latest.get(key)
                )
            if not 200 <= status < 300:
                return
            if method == "DELETE" and key is not None:
                self.deleted.add(key)
            for resource in resources_in(collection, path, body):
                self._remember(collection, method, resource)
            token = _token(collection, path, method, body)
            if token is not None:
                self.tokens[token] = listing_filters(collection, query)

    def _remember(self, collection: Collection, method: str, resource: dict[str, Any]) -> None:
        rid = str(resource[collection.id_property])
        key = (collection.path, rid)
        if method in ("POST", "PUT", "PATCH") and (collection, rid) not in self.created:
            # A PUT that answers 2xx for an unknown id created it (a bug the checks report):
            # it is still ours to clean up.
            self.created.append((collection, rid))
            if method == "POST":
                self.creates[collection.path] += 1
        self.seen.add(key)
        self.latest[key] = resource


def resources_in(collection: Collection, path: str, body: Any) -> list[dict[str, Any]]:
    """The resources in a reply: the body on item paths and creates, a listing's items."""
    id_property = collection.id_property
    if path == collection.path and collection.items_pointer is not None:
        items = pointer_get(body, collection.items_pointer)
        candidates = items if isinstance(items, list) else [body]
    else:
        candidates = [body]
    return [
        c for c in candidates
        if isinstance(c, dict) and isinstance(c.get(id_property), str | int)
        and not isinstance(c.get(id_property), bool)
    ]


def _token(collection: Collection, path: str, method: str, body: Any) -> str | None:
    if path != collection.path or method != "GET" or collection.token_pointer is None:
        return None
    token = pointer_get(body, collection.token_pointer)
    return token if isinstance(token, str) else None


_current: RunState | None = None


def activate(state: RunState | None) -> None:
    """Make `state` the one the hook and checks use (None: no run in progress)."""
    global _current  # noqa: PLW0603 - schemathesis hooks and checks are module-level functions
    _current = state


def current() -> RunState | None:
    """The state of the run in progress, if any."""
    return _current


def listing_filters(collection: Collection, query: dict[str, Any] | None
                    ) -> frozenset[tuple[str, str]]:
    """A listing request's filters: its query without the page token and the page size."""
    skip = {collection.token_param, collection.bound_param}
    return frozenset((str(k), str(v)) for k, v in (query or {}).items() if k not in skip)
