"""Serving a request from ordered targets: bounded retries, fallbacks, circuit breakers.

The next target is tried on connection errors, timeouts, 429, 5xx and 401/403 (that credential is
bad); a request error (400/404/422) goes back at once. Transient errors are retried on the same
target a bounded number of times with jittered backoff that respects ``Retry-After``. A target
whose breaker is open is skipped. If nothing served: ``NoRouteAvailable`` naming every attempt.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from mlx_manager.errors import (
    EngineError,
    GatewayError,
    ModelNotFound,
    NoRouteAvailable,
    UpstreamError,
    UpstreamUnavailable,
)
from mlx_manager.routing.breaker import Breakers

T = TypeVar("T")
TargetT = TypeVar("TargetT")


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
    errors: list[GatewayError] = field(default_factory=list)


def _fails_over(exc: GatewayError) -> bool:
    if isinstance(exc, UpstreamError):
        return exc.fails_over
    # The local engine: model missing, cannot load, or failed before its first token.
    return isinstance(exc, ModelNotFound | EngineError)


def _transient(exc: GatewayError) -> bool:
    return isinstance(exc, UpstreamError) and exc.transient


def _backoff(policy: RetryPolicy, retry: int, exc: GatewayError) -> float | None:
    """Seconds to wait before retrying the same target, or None to move on instead."""
    hinted = exc.retry_after if isinstance(exc, UpstreamError) else None
    if hinted is not None:
        return hinted if hinted <= policy.backoff_cap else None
    return random.uniform(0, min(policy.backoff_cap, policy.backoff_base * 2**retry))


async def serve_with_failover(
    targets: Sequence[TargetT],
    call: Callable[[TargetT], Awaitable[T]],
    *,
    key_of: Callable[[TargetT], str],
    label_of: Callable[[TargetT], str],
    breakers: Breakers,
    policy: RetryPolicy,
    skipped: Sequence[GatewayError] = (),
) -> Served[T, TargetT]:
    errors: list[GatewayError] = list(skipped)
    attempts = 0
    for target in targets:
        key = key_of(target)
        if not breakers.acquire(key):
            wait = breakers.retry_after(key)
            errors.append(
                UpstreamUnavailable(
                    f"{label_of(target)} is cooling down after repeated failures"
                    f" ({wait:.0f} s left).",
                    provider=label_of(target),
                    retry_after=wait,
                )
            )
            continue
        for retry in range(policy.retries_per_target + 1):
            attempts += 1
            try:
                value = await call(target)
            except GatewayError as exc:
                if not _fails_over(exc):
                    breakers.release(key)
                    raise
                breakers.record_failure(key)
                errors.append(exc)
                if retry == policy.retries_per_target or not _transient(exc):
                    break
                if not breakers.acquire(key):
                    break
                delay = _backoff(policy, retry, exc)
                if delay is None:
                    break
                await asyncio.sleep(delay)
            except BaseException:
                breakers.release(key)
                raise
            else:
                breakers.record_success(key)
                return Served(value=value, target=target, attempts=attempts, errors=errors)
    raise _exhausted(errors)


def _exhausted(errors: list[GatewayError]) -> NoRouteAvailable:
    if not errors:
        return NoRouteAvailable("The route has no usable target.", attempts=[])
    messages = list(dict.fromkeys(e.message for e in errors))
    if len(messages) == 1:
        return NoRouteAvailable(messages[0], attempts=errors)
    return NoRouteAvailable(f"Every target failed: {'; '.join(messages)}", attempts=errors)
