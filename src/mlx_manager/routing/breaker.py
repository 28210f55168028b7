"""Circuit breakers: a target that keeps failing is taken out for a cool-down.

closed --(``threshold`` consecutive failures)--> open --(``cooldown`` elapsed)--> half-open:
exactly one probe request is let through; its success closes the breaker, its failure re-opens it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class _Breaker:
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False


class Breakers:
    """Breakers by target key (``provider:3``, ``local:name``); all state is in memory."""

    def __init__(
        self,
        *,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._breakers: dict[str, _Breaker] = {}

    def state(self, key: str) -> BreakerState:
        breaker = self._breakers.get(key)
        if breaker is None or breaker.opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - breaker.opened_at < self.cooldown:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def acquire(self, key: str) -> bool:
        """Whether a request may go to ``key`` now; in half-open state only one probe may."""
        state = self.state(key)
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        breaker = self._breakers[key]
        if breaker.probing:
            return False
        breaker.probing = True
        return True

    def retry_after(self, key: str) -> float:
        breaker = self._breakers.get(key)
        if breaker is None or breaker.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - breaker.opened_at))

    def record_success(self, key: str) -> None:
        if key in self._breakers:
            del self._breakers[key]

    def record_failure(self, key: str) -> None:
        breaker = self._breakers.setdefault(key, _Breaker())
        breaker.failures += 1
        if breaker.probing or breaker.failures >= self.threshold:
            breaker.opened_at = self._clock()
            breaker.probing = False

    def release(self, key: str) -> None:
        """A probe that ended neither in success nor in an upstream failure (e.g. a 400)."""
        breaker = self._breakers.get(key)
        if breaker is not None:
            breaker.probing = False

    def mirror_open(self, key: str, *, remaining: float) -> None:
        """Open ``key`` as another replica did, with ``remaining`` seconds of cool-down left."""
        breaker = self._breakers.setdefault(key, _Breaker())
        breaker.failures = max(breaker.failures, self.threshold)
        breaker.opened_at = self._clock() - (self.cooldown - min(remaining, self.cooldown))
        breaker.probing = False

    def mirror_close(self, key: str) -> None:
        """Close ``key`` as another replica did (its probe succeeded)."""
        self._breakers.pop(key, None)

    def snapshot(self) -> dict[str, BreakerState]:
        return {key: self.state(key) for key in self._breakers}
