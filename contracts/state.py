"""What one contract run has observed: reviews created, seen, deleted, and list tokens issued.

Schemathesis calls `observe` after every response (an `after_call` hook) and the custom checks
read it. A check runs after the hook has already recorded its own response, so each
observation keeps a `Before` snapshot of what was known about the id until then.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from contracts.client import ApiClient


@dataclass(frozen=True, slots=True)
class Stamps:
    """The timestamps a response carried for one review."""

    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Before:
    """What the run knew about an id just before a response."""

    seen: bool  # any earlier response carried this id
    deleted: bool  # an earlier DELETE of it answered 2xx
    stamps: Stamps | None  # the latest timestamps seen for it


@dataclass(slots=True)
class RunState:
    """Everything a run records; safe to share between schemathesis worker threads."""

    created: list[str] = field(default_factory=list)  # creation order, for cleanup
    creates: int = 0  # successful creates, for the list-walk schedule
    seen: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)  # nextTokens the API issued
    stamps: dict[str, Stamps] = field(default_factory=dict)
    before: dict[str, Before] = field(default_factory=dict)  # by schemathesis case id
    client: ApiClient | None = None  # for the checks' own requests (list walks)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def live_ids(self) -> set[str]:
        """Ids this run created and has not deleted."""
        with self.lock:
            return set(self.created) - self.deleted

    def issued(self, token: str) -> bool:
        """Whether the API handed out this nextToken during the run."""
        with self.lock:
            return token in self.tokens

    def observe(
        self, case_id: str, method: str, path_id: str | None, status: int, body: Any
    ) -> None:
        """Record one response (method upper case; path_id from /reviews/{id}, if any)."""
        with self.lock:
            if path_id is not None:
                self.before[case_id] = Before(
                    seen=path_id in self.seen,
                    deleted=path_id in self.deleted,
                    stamps=self.stamps.get(path_id),
                )
            if not 200 <= status < 300:
                return
            if method == "DELETE" and path_id is not None:
                self.deleted.add(path_id)
            for review in reviews_in(body):
                self._remember(method, review)
            if isinstance(body, dict) and isinstance(body.get("nextToken"), str):
                self.tokens.add(body["nextToken"])

    def _remember(self, method: str, review: dict[str, Any]) -> None:
        review_id = review["id"]
        if method in ("POST", "PUT") and review_id not in self.created:
            # A PUT that answers 2xx for an unknown id created it (a bug the checks report):
            # it is still ours to clean up.
            self.created.append(review_id)
            if method == "POST":
                self.creates += 1
        self.seen.add(review_id)
        created_at, updated_at = review.get("createdAt"), review.get("updatedAt")
        if isinstance(created_at, str) and isinstance(updated_at, str):
            self.stamps[review_id] = Stamps(created_at, updated_at)


def reviews_in(body: Any) -> list[dict[str, Any]]:
    """The review objects in a response body: one review, or a list page's items."""
    if not isinstance(body, dict):
        return []
    candidates = body["items"] if isinstance(body.get("items"), list) else [body]
    return [c for c in candidates if isinstance(c, dict) and isinstance(c.get("id"), str)]


_current: RunState | None = None


def activate(state: RunState | None) -> None:
    """Make `state` the one the hook and checks use (None: no run in progress)."""
    global _current  # noqa: PLW0603 - schemathesis hooks and checks are module-level functions
    _current = state


def current() -> RunState | None:
    """The state of the run in progress, if any."""
    return _current
