"""Rate limits over a sliding one-minute window, behind a small interface.

``SlidingWindowLimiter`` keeps every event of the last window in memory, so it is exact and needs
no background task, but it counts per process. Several replicas share one window through Redis
(``cluster.redis_limiter``, a sorted set per bucket); anything with these three methods can
replace it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

WINDOW_SECONDS = 60.0


class RateLimiter(Protocol):
    async def acquire(self, bucket: str, *, limit: int, cost: int = 1) -> float | None:
        """Count ``cost`` if the window stays within ``limit`` and return None; else count
        nothing and return the seconds after which it would fit."""
        ...

    async def wait_time(self, bucket: str, *, limit: int) -> float | None:
        """None while the window is below ``limit``; else the seconds until it is."""
        ...

    async def add(self, bucket: str, amount: int) -> None:
        """Count ``amount`` after the fact (tokens, known once a reply is done)."""
        ...


class SlidingWindowLimiter:
    def __init__(
        self, *, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._clock = clock
        self._events: dict[str, deque[tuple[float, int]]] = {}
        self._totals: dict[str, int] = {}
        self._ops = 0

    async def acquire(self, bucket: str, *, limit: int, cost: int = 1) -> float | None:
        now = self._clock()
        wait = self._wait(bucket, limit - cost, now)
        if wait is None:
            self._count(bucket, cost, now)
        return wait

    async def wait_time(self, bucket: str, *, limit: int) -> float | None:
        return self._wait(bucket, limit - 1, self._clock())

    async def add(self, bucket: str, amount: int) -> None:
        if amount > 0:
            self._count(bucket, amount, self._clock())

    def _wait(self, bucket: str, room: int, now: float) -> float | None:
        """Seconds until the bucket's total is at most ``room``; None if it is already."""
        self._trim(bucket, now)
        total = self._totals.get(bucket, 0)
        if total <= room:
            return None
        if room < 0:
            return self._window
        for at, amount in self._events[bucket]:
            total -= amount
            if total <= room:
                return max(at + self._window - now, 0.001)
        return self._window

    def _count(self, bucket: str, amount: int, now: float) -> None:
        self._events.setdefault(bucket, deque()).append((now, amount))
        self._totals[bucket] = self._totals.get(bucket, 0) + amount
        self._ops += 1
        if self._ops % 1024 == 0:
            self._sweep(now)

    def _trim(self, bucket: str, now: float) -> None:
        events = self._events.get(bucket)
        if events is None:
            return
        horizon = now - self._window
        while events and events[0][0] <= horizon:
            _, amount = events.popleft()
            self._totals[bucket] -= amount
        if not events:
            del self._events[bucket]
            del self._totals[bucket]

    def _sweep(self, now: float) -> None:
        # Buckets nobody touches again (a one-off client address) would otherwise stay forever.
        for bucket in list(self._events):
            self._trim(bucket, now)
