"""Target health: which targets (provider and model, or a local model) to send requests to now.

Only failures that say something about the target count: connection errors, timeouts, 5xx and
broken replies. A 4xx never does. A 429 is a rate limit, not ill health: the target backs off
for the ``Retry-After`` it gave (capped), then takes requests again.

A target is ejected when its failure rate over a sliding window reaches ``failure_rate`` with at
least ``min_requests`` in the window. The cool-down starts at ``cooldown_base`` and doubles with
each ejection in a row, up to ``cooldown_max``; when it ends, one probe is let through at a time
(the target is *probing*), and a success resets everything. Health never refuses a request by
itself: ``admit`` only says whether a target is a good choice, and the failover loop still tries
the most promising target when every target of a route is out (Envoy's panic mode).

Per process and in memory: a request costs a few attribute updates and one clock read.
``cluster.shared_health`` shares ejections, back-offs and probes between replicas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from mlx_manager.errors import EngineError, GatewayError, UpstreamError

_BUCKETS = 10
# Peak-EWMA decay time of the latency estimate (Finagle's default is 10 s too).
_LATENCY_TAU = 10.0


class HealthState(StrEnum):
    HEALTHY = "healthy"
    # Ejected for its failures, or rate-limited by its upstream, until the back-off ends.
    BACKING_OFF = "backing_off"
    # The cool-down ended: probes go through, one at a time, until one succeeds.
    PROBING = "probing"


class Outcome(StrEnum):
    SUCCESS = "success"
    # Ill health: counted in the failure rate.
    FAILURE = "failure"
    RATE_LIMITED = "rate_limited"
    # The request was at fault (4xx), or the caller left: says nothing about the target.
    NEUTRAL = "neutral"


def outcome_of(exc: GatewayError) -> Outcome:
    if isinstance(exc, UpstreamError):
        status = exc.status
        if status == 429:
            return Outcome.RATE_LIMITED
        return Outcome.FAILURE if status >= 500 or status == 408 else Outcome.NEUTRAL
    return Outcome.FAILURE if isinstance(exc, EngineError) else Outcome.NEUTRAL


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    window: float = 10.0
    min_requests: int = 5
    failure_rate: float = 0.5
    cooldown_base: float = 1.0
    cooldown_max: float = 30.0
    # Back-off after a 429: its Retry-After, else ``rate_limit_default``, at most ``_max``.
    rate_limit_default: float = 1.0
    rate_limit_max: float = 60.0


class TargetState:
    """One target's state. Window buckets are whole seconds of ``window / _BUCKETS``."""

    __slots__ = (
        "ejected_until",
        "ejections",
        "failures",
        "inflight",
        "latency",
        "latency_at",
        "limited_until",
        "probing",
        "slots",
        "totals",
    )

    def __init__(self) -> None:
        self.slots = [-1] * _BUCKETS
        self.totals = [0] * _BUCKETS
        self.failures = [0] * _BUCKETS
        self.ejected_until = 0.0
        self.ejections = 0
        self.limited_until = 0.0
        self.probing = False
        self.inflight = 0
        # Peak EWMA of the time to a reply's start, in seconds; 0 until measured.
        self.latency = 0.0
        self.latency_at = 0.0


@dataclass(frozen=True, slots=True)
class TargetView:
    """What the UI, ``/metrics`` and the route test show of one target."""

    key: str
    state: HealthState
    requests: int
    failures: int
    error_rate: float
    latency: float | None
    in_flight: int
    # Seconds until the back-off ends; 0 when none.
    retry_in: float


class TargetHealth:
    """Health by target key (``provider:3/gpt-4o``, ``local/qwen3``)."""

    def __init__(
        self, policy: HealthPolicy | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or HealthPolicy()
        self._clock = clock
        self._span = self.policy.window / _BUCKETS
        self._targets: dict[str, TargetState] = {}

    def _target(self, key: str) -> TargetState:
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = TargetState()
        return target

    # -- what the failover loop asks -------------------------------------------------------

    def admit(self, key: str) -> bool:
        """Whether ``key`` is a good choice now; a probe slot is taken when it is probing."""
        target = self._targets.get(key)
        if target is None:
            return True
        now = self._clock()
        if target.limited_until > now or target.ejected_until > now:
            return False
        if target.ejections == 0:
            return True
        if target.probing:
            return False
        target.probing = True
        return True

    def available_in(self, key: str) -> float:
        """Seconds until ``key`` takes requests again (0 when it does now)."""
        target = self._targets.get(key)
        if target is None:
            return 0.0
        return max(0.0, max(target.limited_until, target.ejected_until) - self._clock())

    def in_flight(self, key: str) -> int:
        target = self._targets.get(key)
        return target.inflight if target is not None else 0

    def latency(self, key: str) -> float:
        """The decayed peak-EWMA latency of ``key`` in seconds; 0 when never measured."""
        target = self._targets.get(key)
        if target is None or not target.latency:
            return 0.0
        return target.latency

    # -- what the failover loop reports ----------------------------------------------------

    def started(self, key: str) -> float:
        self._target(key).inflight += 1
        return self._clock()

    def finished(
        self, key: str, started: float, outcome: Outcome, exc: GatewayError | None
    ) -> None:
        if outcome is Outcome.SUCCESS:
            self.succeeded(key, started)
            return
        target = self._target(key)
        target.inflight -= 1
        now = self._clock()
        if outcome is Outcome.FAILURE:
            self._count(target, now, failed=True)
            # Failures of requests sent while it was already out do not lengthen the cool-down;
            # once it ends, any failure (the probe's, or a last-resort try's) does.
            if target.ejected_until <= now and (target.ejections or self._failing(target, now)):
                self._eject(key, target, now)
        elif outcome is Outcome.RATE_LIMITED:
            hinted = exc.retry_after if exc is not None else None
            wait = self.policy.rate_limit_default if hinted is None else hinted
            self._limit(key, target, now + min(max(wait, 0.0), self.policy.rate_limit_max))
            target.probing = False
        else:
            target.probing = False

    def succeeded(self, key: str, started: float) -> None:
        """``finished`` for a success: every request takes this path, so it is written out."""
        target = self._target(key)
        target.inflight -= 1
        now = self._clock()
        slot = int(now / self._span)
        index = slot % _BUCKETS
        if target.slots[index] == slot:
            target.totals[index] += 1
        else:
            target.slots[index] = slot
            target.totals[index] = 1
            target.failures[index] = 0
        sample = now - started
        latency = target.latency
        if sample >= latency:
            target.latency = sample  # peaks are taken at once, as Finagle's peak EWMA does
        else:
            weight = math.exp((target.latency_at - now) / _LATENCY_TAU)
            target.latency = latency * weight + sample * (1.0 - weight)
        target.latency_at = now
        if target.ejections or target.limited_until:
            self._recover(key, target)

    def _count(self, target: TargetState, now: float, *, failed: bool) -> None:
        slot = int(now / self._span)
        index = slot % _BUCKETS
        if target.slots[index] != slot:
            target.slots[index] = slot
            target.totals[index] = 0
            target.failures[index] = 0
        target.totals[index] += 1
        if failed:
            target.failures[index] += 1

    def _window(self, target: TargetState, now: float) -> tuple[int, int]:
        oldest = int(now / self._span) - _BUCKETS + 1
        totals = failures = 0
        for index, slot in enumerate(target.slots):
            if slot >= oldest:
                totals += target.totals[index]
                failures += target.failures[index]
        return totals, failures

    def _failing(self, target: TargetState, now: float) -> bool:
        totals, failures = self._window(target, now)
        return totals >= self.policy.min_requests and failures >= self.policy.failure_rate * totals

    # -- state changes (``SharedHealth`` tells the other replicas) ------------------------

    def cooldown(self, ejections: int) -> float:
        policy = self.policy
        return min(policy.cooldown_max, policy.cooldown_base * 2.0 ** max(ejections - 1, 0))

    def _eject(self, key: str, target: TargetState, now: float) -> None:
        target.ejections += 1
        target.ejected_until = now + self.cooldown(target.ejections)
        target.probing = False

    def _limit(self, key: str, target: TargetState, until: float) -> None:
        target.limited_until = max(target.limited_until, until)

    def _recover(self, key: str, target: TargetState) -> None:
        _reset(target)

    def mirror(self, key: str, *, ejected_for: float, limited_for: float, ejections: int) -> None:
        """Take on what another replica decided, with the seconds it had left."""
        target = self._target(key)
        now = self._clock()
        if ejected_for > 0:
            target.ejections = max(target.ejections, ejections, 1)
            target.ejected_until = max(target.ejected_until, now + ejected_for)
            target.probing = False
        if limited_for > 0:
            target.limited_until = max(target.limited_until, now + limited_for)

    def mirror_recovered(self, key: str) -> None:
        target = self._targets.get(key)
        if target is not None:
            _reset(target)

    def ejections(self, key: str) -> int:
        target = self._targets.get(key)
        return target.ejections if target is not None else 0

    # -- what is shown ---------------------------------------------------------------------

    def state(self, key: str) -> HealthState:
        target = self._targets.get(key)
        if target is None:
            return HealthState.HEALTHY
        now = self._clock()
        if target.limited_until > now or target.ejected_until > now:
            return HealthState.BACKING_OFF
        return HealthState.PROBING if target.ejections else HealthState.HEALTHY

    def view(self, key: str) -> TargetView:
        target = self._targets.get(key)
        if target is None:
            return TargetView(key, HealthState.HEALTHY, 0, 0, 0.0, None, 0, 0.0)
        totals, failures = self._window(target, self._clock())
        return TargetView(
            key=key,
            state=self.state(key),
            requests=totals,
            failures=failures,
            error_rate=failures / totals if totals else 0.0,
            latency=target.latency or None,
            in_flight=target.inflight,
            retry_in=self.available_in(key),
        )

    def views(self) -> list[TargetView]:
        return [self.view(key) for key in sorted(self._targets)]


def _reset(target: TargetState) -> None:
    target.ejections = 0
    target.ejected_until = 0.0
    target.limited_until = 0.0
    target.probing = False
    target.slots = [-1] * _BUCKETS


class RetryBudget:
    """The share of requests that may be retried, as Finagle's and Envoy's retry budgets: over
    the last ``window`` seconds, retries may be ``ratio`` of requests plus ``min_per_second``.
    Keeps a gateway's own retries from multiplying a client's during an outage."""

    __slots__ = ("_clock", "_floor", "_ratio", "_requests", "_retries", "_slots", "_span")

    def __init__(
        self,
        *,
        ratio: float = 0.2,
        min_per_second: float = 1.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ratio = ratio
        self._floor = min_per_second * window
        self._span = window / _BUCKETS
        self._clock = clock
        self._slots = [-1] * _BUCKETS
        self._requests = [0] * _BUCKETS
        self._retries = [0] * _BUCKETS

    def _index(self) -> int:
        slot = int(self._clock() / self._span)
        index = slot % _BUCKETS
        if self._slots[index] != slot:
            self._slots[index] = slot
            self._requests[index] = 0
            self._retries[index] = 0
        return index

    def deposit(self) -> None:
        """One request arrived."""
        self._requests[self._index()] += 1

    def withdraw(self) -> bool:
        """Whether one more retry fits the budget; it is counted when it does."""
        index = self._index()
        oldest = self._slots[index] - _BUCKETS + 1
        requests = retries = 0
        for i, slot in enumerate(self._slots):
            if slot >= oldest:
                requests += self._requests[i]
                retries += self._retries[i]
        if retries >= self._floor + self._ratio * requests:
            return False
        self._retries[index] += 1
        return True
