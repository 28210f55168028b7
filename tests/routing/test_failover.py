"""The failover loop with targets that fail in scripted ways."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
from mlx_manager.routing.breaker import Breakers
from mlx_manager.routing.failover import RetryPolicy, serve_with_failover

FAST = RetryPolicy(retries_per_target=1, backoff_base=0.001, backoff_cap=0.01)


def scripted(
    script: dict[str, list[GatewayError | str]],
) -> tuple[Callable[[str], Awaitable[str]], list[str]]:
    calls: list[str] = []

    async def call(target: str) -> str:
        calls.append(target)
        outcome = script[target].pop(0) if len(script[target]) > 1 else script[target][0]
        if isinstance(outcome, GatewayError):
            raise outcome
        return outcome

    return call, calls


async def serve(
    targets: list[str],
    call: Callable[[str], Awaitable[str]],
    breakers: Breakers | None = None,
    policy: RetryPolicy = FAST,
) -> object:
    return await serve_with_failover(
        targets,
        call,
        key_of=lambda t: t,
        label_of=lambda t: f"provider '{t}'",
        breakers=breakers or Breakers(threshold=3, cooldown=60),
        policy=policy,
    )


def upstream(status: int, retry_after: float | None = None) -> UpstreamError:
    return UpstreamError(
        f"answered {status}", provider="p", upstream_status=status, retry_after=retry_after
    )


async def test_first_target_serves() -> None:
    call, calls = scripted({"a": ["ok-a"], "b": ["ok-b"]})
    served = await serve(["a", "b"], call)
    assert (served.value, served.target, served.attempts) == ("ok-a", "a", 1)  # type: ignore[attr-defined]
    assert calls == ["a"]


@pytest.mark.parametrize(
    "error",
    [
        upstream(500),
        upstream(503),
        upstream(429),
        UpstreamTimeout("slow", provider="a"),
        UpstreamUnavailable("down", provider="a"),
    ],
)
async def test_transient_errors_retry_once_then_fall_back(error: GatewayError) -> None:
    call, calls = scripted({"a": [error], "b": ["ok-b"]})
    served = await serve(["a", "b"], call)
    assert calls == ["a", "a", "b"]
    assert served.value == "ok-b" and served.attempts == 3  # type: ignore[attr-defined]


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
    assert (await serve(["local", "b"], call)).value == "ok-b"  # type: ignore[attr-defined]
    assert calls == ["local", "b"]


async def test_retry_after_too_long_moves_on_instead_of_waiting() -> None:
    call, calls = scripted({"a": [upstream(429, retry_after=60)], "b": ["ok-b"]})
    await serve(["a", "b"], call)
    assert calls == ["a", "b"]


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


async def test_open_breaker_skips_the_target_and_reports_retry_after() -> None:
    breakers = Breakers(threshold=2, cooldown=30)
    call, calls = scripted({"a": [upstream(500)], "b": ["ok-b"]})
    await serve(["a", "b"], call, breakers)  # two failures on a: open
    calls.clear()
    served = await serve(["a", "b"], call, breakers)
    assert calls == ["b"] and served.value == "ok-b"  # type: ignore[attr-defined]
    with pytest.raises(NoRouteAvailable) as info:
        await serve(["a"], call, breakers)
    assert info.value.status == 503
    assert info.value.retry_after is not None and 29 <= info.value.retry_after <= 30
