"""Serving a request from a route's targets: balancing, failover, bounded retries, target health.

The rule's strategy puts the targets in order; each is tried in turn unless health says it is
out (backing off or already probed). The next target is tried on connection errors, timeouts,
broken replies, 429, 5xx and 401/403 (that credential is bad); a request error (400/404/422)
goes back at once. A transient failure (not a 429: that target asked to be left alone) is
retried on the same target while it is healthy and the retry budget allows, so the gateway's
retries never multiply a client's. When no target was a good choice, or all that were failed,
the target out for the shortest time still gets one try: health alone never refuses a request.
If nothing served: ``NoRouteAvailable`` naming every attempt, saying whether a client retry
could help (``should_retry``, sent as ``x-should-retry``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mlx_manager.errors import (
    EngineError,
    GatewayError,
    ModelNotFound,
    NoRouteAvailable,
    UpstreamError,
)
from mlx_manager.routing.balancing import Strategy, arrange
from mlx_manager.routing.health import HealthState, Outcome, RetryBudget, TargetHealth, outcome_of


class Target(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def weight(self) -> int: ...


T = TypeVar("T")
TargetT = TypeVar("TargetT", bound=Target)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries_per_target: int = 1
    backoff_base: float = 0.05
    backoff_cap: float = 2.0


@dataclass(slots=True)
class Served(Generic[T, TargetT]):
    value: T
    target: TargetT
    attempts: int


def _fails_over(exc: GatewayError) -> bool:
    if isinstance(exc, UpstreamError):
        return exc.fails_over
    # The local engine: model missing, cannot load, or failed before its first token.
    return isinstance(exc, ModelNotFound | EngineError)


def _transient(exc: GatewayError) -> bool:
    return isinstance(exc, UpstreamError) and exc.transient


def _backoff(policy: RetryPolicy, retry: int, exc: GatewayError) -> float:
    hinted = exc.retry_after if isinstance(exc, UpstreamError) else None
    if hinted is not None:
        return min(hinted, policy.backoff_cap)
    return random.uniform(0, min(policy.backoff_cap, policy.backoff_base * 2**retry))


class _Attempts(Generic[T, TargetT]):
    """One request's tries across its targets. Built for every request, so its arguments are
    positional: keywords cost a Generic class's constructor a microsecond."""

    __slots__ = ("budget", "call", "count", "errors", "health", "policy", "retried")

    def __init__(
        self,
        call: Callable[[TargetT], Awaitable[T]],
        health: TargetHealth,
        budget: RetryBudget,
        policy: RetryPolicy,
        skipped: Sequence[GatewayError],
    ) -> None:
        self.call = call
        self.health = health
        self.budget = budget
        self.policy = policy
        self.errors: list[GatewayError] = list(skipped)
        self.count = 0
        self.retried = False

    async def serve(self, target: TargetT, *, retries: int) -> Served[T, TargetT] | None:
        """Try ``target``, retrying transient failures; None when it failed over."""
        health = self.health
        key = target.key
        for retry in range(retries + 1):
            self.count += 1
            started = health.started(key)
            try:
                value = await self.call(target)
            except GatewayError as exc:
                health.finished(key, started, outcome_of(exc), exc)
                if not _fails_over(exc):
                    raise
                self.errors.append(exc)
                if (
                    retry == retries
                    or not _transient(exc)
                    or exc.status == 429
                    or health.state(key) is not HealthState.HEALTHY
                    or not self.budget.withdraw()
                ):
                    return None
                self.retried = True
                await asyncio.sleep(_backoff(self.policy, retry, exc))
            except BaseException:
                health.finished(key, started, Outcome.NEUTRAL, None)
                raise
            else:
                health.succeeded(key, started)
                return Served(value=value, target=target, attempts=self.count)
        return None


async def serve_with_failover(
    targets: Sequence[TargetT],
    call: Callable[[TargetT], Awaitable[T]],
    *,
    strategy: Strategy = Strategy.ORDERED,
    health: TargetHealth,
    budget: RetryBudget,
    policy: RetryPolicy,
    skipped: Sequence[GatewayError] = (),
) -> Served[T, TargetT]:
    budget.deposit()
    attempts: _Attempts[T, TargetT] = _Attempts(call, health, budget, policy, skipped)
    held_back: list[TargetT] = []
    order = targets if strategy is Strategy.ORDERED else arrange(targets, strategy, health)
    for target in order:
        if not health.admit(target.key):
            held_back.append(target)
            continue
        served = await attempts.serve(target, retries=policy.retries_per_target)
        if served is not None:
            return served
    if held_back:
        # The last resort: the target whose back-off ends first, once.
        soonest = min(held_back, key=lambda t: health.available_in(t.key))
        served = await attempts.serve(soonest, retries=0)
        if served is not None:
            return served
        held_back.remove(soonest)
    raise _exhausted(attempts, [(t, health.available_in(t.key)) for t in held_back])


def _exhausted(
    attempts: _Attempts[T, TargetT], untried: list[tuple[TargetT, float]]
) -> NoRouteAvailable:
    errors = attempts.errors
    messages = list(dict.fromkeys(e.message for e in errors))
    messages += [f"{t.label} not tried: backing off ({wait:.0f} s left)" for t, wait in untried]
    if len(messages) == 1:
        exhausted = NoRouteAvailable(messages[0], attempts=errors)
    else:
        exhausted = NoRouteAvailable(f"Every target failed: {'; '.join(messages)}", attempts=errors)
    # A client's retry would repeat what the gateway already did once it retried itself.
    exhausted.should_retry = not attempts.retried and all(_transient(e) for e in errors)
    return exhausted
