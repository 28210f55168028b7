"""Rate limits through Redis: one window for every replica, and this replica's own while Redis
is unreachable."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from mlx_manager.cluster.link import RedisLink
from mlx_manager.cluster.redis_limiter import RedisLimiter, SharedLimiter
from tests.fakes.upstream import closed_port_url

LinkFactory = Callable[[], RedisLink]


@pytest.fixture
async def links(redis_url: str) -> AsyncIterator[LinkFactory]:
    """Links to the machine's Redis, as separate replicas would hold, in a prefix of their own."""
    prefix = f"mlxm-test-{uuid.uuid4().hex[:8]}"
    made: list[RedisLink] = []

    def make() -> RedisLink:
        link = RedisLink(url=redis_url, prefix=prefix)
        link.healthy = True
        made.append(link)
        return link

    yield make
    async for name in made[0].redis.scan_iter(match=prefix + ":*"):
        await made[0].redis.delete(name)
    for link in made:
        await link.aclose()


async def test_replicas_share_one_request_window(links: LinkFactory) -> None:
    first, second = RedisLimiter(link=links()), RedisLimiter(link=links())
    assert await first.acquire("rpm:1", limit=3) is None
    assert await second.acquire("rpm:1", limit=3) is None
    assert await first.acquire("rpm:1", limit=3) is None
    wait = await second.acquire("rpm:1", limit=3)
    assert wait is not None
    assert 59 < wait <= 60
    # A refused request is not counted, and other buckets are independent.
    assert await first.wait_time("rpm:1", limit=4) is None
    assert await first.acquire("rpm:2", limit=1) is None


async def test_tokens_counted_after_the_fact_block_until_below_the_limit(
    links: LinkFactory,
) -> None:
    first, second = RedisLimiter(link=links()), RedisLimiter(link=links())
    assert await first.wait_time("tpm:1", limit=100) is None
    await first.add("tpm:1", 60)
    assert await second.wait_time("tpm:1", limit=100) is None
    await second.add("tpm:1", 50)
    wait = await first.wait_time("tpm:1", limit=100)
    assert wait is not None
    assert 59 < wait <= 60
    # A cost larger than the limit can never fit: the whole window.
    assert await first.acquire("tpm:2", limit=5, cost=6) == 60


async def test_a_short_window_lets_requests_in_again(redis_url: str) -> None:
    link = RedisLink(url=redis_url, prefix=f"mlxm-test-{uuid.uuid4().hex[:8]}")
    try:
        limiter = RedisLimiter(link=link, window=0.2)
        assert await limiter.acquire("rpm:1", limit=1) is None
        wait = await limiter.acquire("rpm:1", limit=1)
        assert wait is not None
        assert wait <= 0.2
        await asyncio.sleep(wait + 0.05)
        assert await limiter.acquire("rpm:1", limit=1) is None
    finally:
        await link.aclose()


async def test_an_unreachable_redis_falls_back_to_this_replicas_window() -> None:
    link = RedisLink(url=closed_port_url().replace("http", "redis"), prefix="x", timeout=0.2)
    link.healthy = True  # as if Redis had just gone away
    try:
        limiter = SharedLimiter(link=link)
        assert await limiter.acquire("rpm:1", limit=1) is None
        assert not link.healthy
        assert link.outages == 1
        assert await limiter.acquire("rpm:1", limit=1) is not None
        await limiter.add("tpm:1", 10)
        assert await limiter.wait_time("tpm:1", limit=10) is not None
    finally:
        await link.aclose()
