"""The failover loop with targets that fail in scripted ways."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from mlx_manager.errors import (
    EngineError,
    GatewayError,
    InvalidRequest,
    NoRouteAvailable,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.failover import RetryPolicy, Served, serve_with_failover
from mlx_manager.routing.health import (
    HealthPolicy,
    HealthState,
    Outcome,
    RetryBudget,
    TargetHealth,
)

FAST = RetryPolicy(retries_per_target=1, backoff_base=0.001, backoff_cap=0.01)


@dataclass(frozen=True)
class Named:
    key: str
    weight: int = 1

    @property
    def label(self) -> str:
        return f"provider '{self.key}'"


def scripted(
    script: dict[str, list[GatewayError | str]],
) -> tuple[Callable[[Named], Awaitable[str]], list[str]]:
    calls: list[str] = []

    async def call(target: Named) -> str:
        calls.append(target.key)
        steps = script[target.key]
        outcome = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(outcome, GatewayError):
            raise outcome
        return outcome

    return call, calls


async def serve(
    keys: list[str],
    call: Callable[[Named], Awaitable[str]],
    health: TargetHealth | None = None,
    policy: RetryPolicy = FAST,
    budget: RetryBudget | None = None,
) -> Served[str, Named]:
    return await serve_with_failover(
        [Named(k) for k in keys],
        call,
        strategy=Strategy.ORDERED,
        health=health or TargetHealth(),
        budget=budget or RetryBudget(),
        policy=policy,
    )


def upstream(status: int, retry_after: float | None = None) -> UpstreamError:
    return UpstreamError(
        f"answered {status}", provider="p", upstream_status=status, retry_after=retry_after
    )


async def test_first_target_serves() -> None:
    call, calls = scripted({"a": ["ok-a"], "b": ["ok-b"]})
    served = await serve(["a", "b"], call)
    assert (served.value, served.target.key, served.attempts) == ("ok-a", "a", 1)
    assert calls == ["a"]


@pytest.mark.parametrize(
    "error",
    [
        upstream(500),
        upstream(503),
        UpstreamTimeout("slow", provider="a"),
        UpstreamUnavailable("down", provider="a"),
    ],
)
async def test_transient_errors_retry_once_then_fall_back(error: GatewayError) -> None:
    call, calls = scripted({"a": [error], "b": ["ok-b"]})
    served = await serve(["a", "b"], call)
    assert calls == ["a", "a", "b"]
    assert served.value == "ok-b" and served.attempts == 3


async def test_a_rate_limited_target_is_left_alone_at_once() -> None:
    call, calls = scripted({"a": [upstream(429, retry_after=1)], "b": ["ok-b"]})
    await serve(["a", "b"], call)
    assert calls == ["a", "b"]


@pytest.mark.parametrize("status", [401, 403])
async def test_bad_credentials_fall_back_without_retrying(status: int) -> None:
    call, calls = scripted({"a": [upstream(status)], "b": ["ok-b"]})
    await serve(["a", "b"], call)
    assert calls == ["a", "b"]


@pytest.mark.parametrize(
    "error", [upstream(400), upstream(404), upstream(422), InvalidRequest("bad")]
)
async def test_request_errors_return_at_once(error: GatewayError) -> None:
    call, calls = scripted({"a": [error], "b": ["ok-b"]})
    with pytest.raises(type(error)):
        await serve(["a", "b"], call)
    assert calls == ["a"]


async def test_local_engine_failure_falls_back() -> None:
    call, calls = scripted({"local": [EngineError("cannot load")], "b": ["ok-b"]})
    assert (await serve(["local", "b"], call)).value == "ok-b"
    assert calls == ["local", "b"]


async def test_all_failing_names_every_attempt() -> None:
    call, _ = scripted({"a": [upstream(500)], "b": [upstream(401)]})
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a", "b"], call)
    assert info.value.status == 503
    assert len(info.value.attempts) == 3
    assert "answered 500" in info.value.message and "answered 401" in info.value.message


async def test_single_target_keeps_the_upstream_status() -> None:
    call, _ = scripted({"a": [upstream(401)]})
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a"], call, policy=RetryPolicy(retries_per_target=0))
    assert info.value.status == 401


def ejected(*keys: str) -> TargetHealth:
    health = TargetHealth(HealthPolicy(min_requests=1, cooldown_base=30))
    for key in keys:
        health.finished(key, health.started(key), Outcome.FAILURE, upstream(500))
        assert health.state(key) is HealthState.BACKING_OFF
    return health


async def test_an_ejected_target_is_skipped_while_another_serves() -> None:
    health = ejected("a")
    call, calls = scripted({"a": ["ok-a"], "b": ["ok-b"]})
    served = await serve(["a", "b"], call, health)
    assert calls == ["b"] and served.value == "ok-b"


async def test_a_single_target_is_never_refused_by_its_health_alone() -> None:
    health = ejected("a")
    call, calls = scripted({"a": ["ok-a"]})
    served = await serve(["a"], call, health)
    assert calls == ["a"] and served.value == "ok-a"
    assert health.state("a") is HealthState.HEALTHY  # the success reset it


async def test_every_target_out_tries_the_one_back_soonest_once() -> None:
    health = ejected("a")  # out for 30 s
    health.mirror("b", ejected_for=5, limited_for=0, ejections=1)
    call, calls = scripted({"a": ["ok-a"], "b": [upstream(500)]})
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a", "b"], call, health)
    assert calls == ["b"]  # one try, no retry on a target already out
    assert "not tried: backing off" in info.value.message


async def test_the_gateway_says_whether_a_client_retry_could_help() -> None:
    # It retried the target itself: a client's retry would only repeat that.
    call, _ = scripted({"a": [upstream(500)]})
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a"], call)
    assert info.value.should_retry is False
    # One try, a transient failure (a 429 the client may wait out): retrying can help.
    call, _ = scripted({"a": [upstream(429, retry_after=1)]})
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a"], call)
    assert info.value.should_retry is True


async def test_the_retry_budget_bounds_same_target_retries() -> None:
    now = [100.0]
    budget = RetryBudget(ratio=0.0, min_per_second=0.2, window=10, clock=lambda: now[0])
    call, calls = scripted({"a": [upstream(500)]})
    for _ in range(5):
        with pytest.raises(NoRouteAvailable):
            await serve(["a"], call, TargetHealth(HealthPolicy(min_requests=100)), budget=budget)
    # A floor of 0.2 a second over 10 s: two retries in all, then one try per request.
    assert len(calls) == 5 + 2
    now[0] += 11
    calls.clear()
    with pytest.raises(NoRouteAvailable):
        await serve(["a"], call, budget=budget)
    assert len(calls) == 2  # the window moved on: the budget is back
