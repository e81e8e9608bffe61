"""Usage plans of a REST API: per-key throttling and quotas, as API Gateway meters them.

AWS, "Throttle requests to your REST APIs for better throughput in API Gateway": throttling is
a token bucket; a request takes one token; the bucket holds at most `burstLimit` tokens and
refills at `rateLimit` per second; an empty bucket answers 429 with the THROTTLED gateway
response (`{"message":"Too Many Requests"}`). A usage plan's quota counts the requests of a key
per period (DAY, WEEK, MONTH) and answers 429 QUOTA_EXCEEDED (`{"message":"Limit Exceeded"}`)
past it; its `offset` is subtracted from the limit in the first period only (AWS's
QuotaSettings). Periods here start at UTC midnight, on Mondays (ISO weeks) and on the 1st.

Only requests that present a valid key to a method that requires one are metered (the key
identifies the client), after authorization. The meter belongs to the gateway, not to a
deployment: a hot reload keeps every bucket and count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from emulator.config.api_keys import ApiKeyConfig, UsagePlanConfig
from emulator.gateway.errors import Reply


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float  # monotonic seconds


def period_start(period: str, now: float) -> float:
    """The start (epoch seconds) of the quota period containing `now` (UTC).

    >>> period_start("DAY", 86_400 * 3 + 5)
    259200.0
    """
    day = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "WEEK":
        day -= timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return day.timestamp()


class UsageMeter:
    """Token buckets and quota counts per (plan, key); thread-safe."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self._monotonic = monotonic
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._counts: dict[tuple[str, str], tuple[float, int, bool]] = {}  # start, n, first

    def admit(self, key: ApiKeyConfig, plan: UsagePlanConfig) -> Reply | None:
        """Take one request of `key` under `plan`: None (admitted), THROTTLED or QUOTA_EXCEEDED.

        A throttled request does not count against the quota (it never reached the method)."""
        with self._lock:
            if plan.rate is not None and not self._take_token((plan.name, key.name), plan):
                return Reply.THROTTLED
            if plan.quota_limit is not None and not self._count((plan.name, key.name), plan):
                return Reply.QUOTA_EXCEEDED
        return None

    def _take_token(self, ident: tuple[str, str], plan: UsagePlanConfig) -> bool:
        rate = float(plan.rate or 0)
        size = float(plan.bucket_size)
        now = self._monotonic()
        bucket = self._buckets.get(ident)
        if bucket is None:
            bucket = self._buckets[ident] = _Bucket(size, now)  # a new client starts full
        bucket.tokens = min(size, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _count(self, ident: tuple[str, str], plan: UsagePlanConfig) -> bool:
        assert plan.quota_limit is not None and plan.quota_period is not None
        start = period_start(plan.quota_period, self._wall())
        first_start, used, first = self._counts.get(ident, (start, 0, True))
        if first_start != start:  # a new period: the offset applied to the first one only
            first_start, used, first = start, 0, False
        limit = plan.quota_limit - (plan.quota_offset if first else 0)
        if used >= limit:
            self._counts[ident] = (first_start, used, first)
            return False
        self._counts[ident] = (first_start, used + 1, first)
        return True
