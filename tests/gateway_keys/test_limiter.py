"""The sliding-window limiter, on a clock the test moves."""

from __future__ import annotations

import pytest

from mlx_manager.gateway_keys.limiter import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_requests_beyond_the_limit_wait_for_the_oldest_to_leave_the_window() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock=clock)
    for _ in range(3):
        assert await limiter.acquire("k", limit=3) is None
        clock.now += 10
    # Events at 1000, 1010, 1020; now 1030: the first leaves the window at 1060.
    assert await limiter.acquire("k", limit=3) == pytest.approx(30)
    clock.now = 1060.5
    assert await limiter.acquire("k", limit=3) is None
    assert await limiter.acquire("k", limit=3) is not None


async def test_tokens_counted_after_the_fact_block_until_they_age_out() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock=clock)
    assert await limiter.wait_time("t", limit=100) is None
    await limiter.add("t", 60)
    assert await limiter.wait_time("t", limit=100) is None
    clock.now += 30
    await limiter.add("t", 50)
    # 110 used: below the limit again once the first 60 leave, 30 s from now.
    assert await limiter.wait_time("t", limit=100) == pytest.approx(30)
    clock.now += 31
    assert await limiter.wait_time("t", limit=100) is None


async def test_buckets_are_independent_and_empty_ones_are_dropped() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(clock=clock)
    assert await limiter.acquire("a", limit=1) is None
    assert await limiter.acquire("a", limit=1) is not None
    assert await limiter.acquire("b", limit=1) is None
    clock.now += 61
    await limiter.wait_time("a", limit=1)
    assert "a" not in limiter._events
