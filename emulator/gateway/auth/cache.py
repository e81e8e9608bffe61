"""API Gateway's authorizer result cache: one policy per authorizer and identity-source values.

As on AWS, the cached *policy* is kept, not the decision: a later request with the same
identity is evaluated against its own method ARN, so a policy that allowed only the first
route's ARN denies the next route until the TTL passes (a well-known surprise, reproduced).
One cache per stage, shared by every execution environment; TTL 0 caches nothing.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

MAX_ENTRIES = 10_000
V = TypeVar("V")


class AuthorizerCache(Generic[V]):
    """Thread-safe TTL cache of authorizer outputs."""

    def __init__(self, now: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES) -> None:
        self._now = now
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The output cached under `key`, if its TTL has not passed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._now():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: Hashable, output: V, ttl_s: float) -> None:
        """Keep `output` for `ttl_s` seconds (nothing when ttl_s is 0)."""
        if ttl_s <= 0:
            return
        with self._lock:
            self._entries[key] = (self._now() + ttl_s, output)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
