"""Target health on a fake clock: failure rates, growing cool-downs, probes, 429 back-offs."""

from __future__ import annotations

import pytest

from mlx_manager.errors import (
    EngineError,
    GatewayError,
    InvalidRequest,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from mlx_manager.routing.health import (
    HealthPolicy,
    HealthState,
    Outcome,
    RetryBudget,
    TargetHealth,
    outcome_of,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def health_with(clock: Clock, **policy: float) -> TargetHealth:
    return TargetHealth(HealthPolicy(**policy), clock=clock)  # type: ignore[arg-type]


def fail(health: TargetHealth, key: str = "t", times: int = 1) -> None:
    for _ in range(times):
        health.finished(key, health.started(key), Outcome.FAILURE, None)


def succeed(
    health: TargetHealth, key: str = "t", took: float = 0.0, clock: Clock | None = None
) -> None:
    started = health.started(key)
    if clock is not None:
        clock.now += took
    health.finished(key, started, Outcome.SUCCESS, None)


def status(code: int, retry_after: float | None = None) -> UpstreamError:
    kind = UpstreamRateLimited if code == 429 else UpstreamError
    return kind("x", provider="p", upstream_status=code, retry_after=retry_after)


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (status(500), Outcome.FAILURE),
        (status(503), Outcome.FAILURE),
        (UpstreamTimeout("slow", provider="p"), Outcome.FAILURE),
        (UpstreamUnavailable("down", provider="p"), Outcome.FAILURE),
        (EngineError("boom"), Outcome.FAILURE),
        (status(429), Outcome.RATE_LIMITED),
        (status(400), Outcome.NEUTRAL),
        (status(401), Outcome.NEUTRAL),
        (status(404), Outcome.NEUTRAL),
        (InvalidRequest("bad"), Outcome.NEUTRAL),
    ],
)
def test_only_failures_that_say_something_about_the_target_count(
    error: GatewayError, outcome: Outcome
) -> None:
    assert outcome_of(error) is outcome


def test_a_failure_rate_under_the_threshold_or_the_minimum_volume_keeps_it_in() -> None:
    clock = Clock()
    health = health_with(clock)
    fail(health, times=4)  # 4 of 4 failed, but under the minimum of 5 requests
    assert health.state("t") is HealthState.HEALTHY
    succeed(health)
    succeed(health)
    succeed(health)
    succeed(health)
    fail(health)  # 5 of 9: over half, with enough volume
    assert health.state("t") is HealthState.BACKING_OFF


def test_four_hundreds_never_take_a_target_out() -> None:
    health = health_with(Clock())
    for _ in range(20):
        health.finished("t", health.started("t"), outcome_of(status(400)), status(400))
    assert health.state("t") is HealthState.HEALTHY and health.admit("t")


def test_old_failures_leave_the_window() -> None:
    clock = Clock()
    health = health_with(clock)
    fail(health, times=4)
    clock.now += 11
    fail(health)
    assert health.state("t") is HealthState.HEALTHY
    assert health.view("t").requests == 1


def test_cool_downs_start_short_grow_while_failures_go_on_and_a_success_resets_them() -> None:
    clock = Clock()
    health = health_with(clock, cooldown_base=1.0, cooldown_max=8.0)
    fail(health, times=5)
    assert health.available_in("t") == pytest.approx(1.0)
    fail(health, times=3)  # failures of requests sent while out do not lengthen it
    assert health.available_in("t") == pytest.approx(1.0)
    waits = []
    for _ in range(5):
        clock.now += health.available_in("t")
        assert health.state("t") is HealthState.PROBING
        assert health.admit("t")  # the probe
        assert not health.admit("t")  # only one at a time
        fail(health)
        waits.append(health.available_in("t"))
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0]
    clock.now += 8
    assert health.admit("t")
    succeed(health)
    assert health.state("t") is HealthState.HEALTHY
    fail(health, times=4)  # the window started afresh
    assert health.state("t") is HealthState.HEALTHY


def test_a_probe_that_ends_in_a_request_error_frees_the_slot() -> None:
    clock = Clock()
    health = health_with(clock)
    fail(health, times=5)
    clock.now += 1
    assert health.admit("t")
    health.finished("t", health.started("t"), Outcome.NEUTRAL, None)
    assert health.admit("t")


def test_a_429_backs_off_for_its_retry_after_capped() -> None:
    clock = Clock()
    health = health_with(clock, rate_limit_max=30.0)
    limited = status(429, retry_after=2)
    health.finished("t", health.started("t"), Outcome.RATE_LIMITED, limited)
    assert health.state("t") is HealthState.BACKING_OFF and not health.admit("t")
    assert health.available_in("t") == pytest.approx(2.0)
    clock.now += 2.01
    assert health.admit("t") and health.state("t") is HealthState.HEALTHY
    health.finished("t", health.started("t"), Outcome.RATE_LIMITED, status(429, retry_after=3600))
    assert health.available_in("t") == pytest.approx(30.0)
    health.finished("u", health.started("u"), Outcome.RATE_LIMITED, status(429))
    assert health.available_in("u") == pytest.approx(1.0)  # no Retry-After: the default
    assert health.view("t").failures == 0  # a rate limit is not ill health


def test_health_is_kept_per_target() -> None:
    health = health_with(Clock())
    fail(health, "provider:1/big", times=5)
    assert health.state("provider:1/big") is HealthState.BACKING_OFF
    assert health.state("provider:1/small") is HealthState.HEALTHY


def test_latency_takes_peaks_at_once_and_decays_towards_new_samples() -> None:
    clock = Clock()
    health = health_with(clock)
    succeed(health, took=0.1, clock=clock)
    assert health.latency("t") == pytest.approx(0.1)
    succeed(health, took=0.5, clock=clock)
    assert health.latency("t") == pytest.approx(0.5)
    for _ in range(50):
        clock.now += 1
        succeed(health, took=0.1, clock=clock)
    assert health.latency("t") == pytest.approx(0.1, abs=0.01)


def test_in_flight_counts_requests_until_they_finish() -> None:
    health = health_with(Clock())
    first = health.started("t")
    health.started("t")
    assert health.in_flight("t") == 2
    health.finished("t", first, Outcome.SUCCESS, None)
    assert health.in_flight("t") == 1


def test_the_view_reports_what_the_ui_shows() -> None:
    clock = Clock()
    health = health_with(clock)
    succeed(health, took=0.02, clock=clock)
    fail(health)
    view = health.view("t")
    assert (view.state, view.requests, view.failures, view.error_rate) == (
        HealthState.HEALTHY,
        2,
        1,
        0.5,
    )
    assert view.latency == pytest.approx(0.02)
    assert health.view("never-used").requests == 0


def test_the_retry_budget_is_a_share_of_requests_plus_a_floor() -> None:
    clock = Clock()
    budget = RetryBudget(ratio=0.2, min_per_second=0.1, window=10, clock=clock)
    for _ in range(50):
        budget.deposit()
    granted = sum(budget.withdraw() for _ in range(100))
    assert granted == 1 + 10  # the floor (0.1/s over 10 s) and a fifth of 50 requests
    clock.now += 10.5
    assert budget.withdraw()
