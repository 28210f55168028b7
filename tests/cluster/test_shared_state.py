"""Change notices and breakers between replicas, each replica a link of its own, in one process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from mlx_manager.cluster.changes import ChangeFeed
from mlx_manager.cluster.link import RedisLink
from mlx_manager.cluster.shared_breakers import SharedBreakers
from mlx_manager.cluster.topics import Topic
from mlx_manager.routing.breaker import BreakerState

Started = Callable[[], Awaitable[RedisLink]]


@pytest.fixture
async def link(redis_url: str) -> AsyncIterator[Started]:
    prefix = f"mlxm-test-{uuid.uuid4().hex[:8]}"
    made: list[RedisLink] = []

    async def start() -> RedisLink:
        new = RedisLink(url=redis_url, prefix=prefix)
        made.append(new)
        return new

    yield start
    async for name in made[0].redis.scan_iter(match=prefix + ":*"):
        await made[0].redis.delete(name)
    for each in made:
        await each.aclose()


async def until(check: Callable[[], bool]) -> None:
    """Wait (up to a second) for state another task or replica changes."""
    async with asyncio.timeout(1.0):
        while not check():  # noqa: ASYNC110 - the state has no event to wait on
            await asyncio.sleep(0.005)


async def test_a_change_reaches_the_other_replica_and_a_missed_one_is_caught_up(
    link: Started,
) -> None:
    reloaded: list[str] = []
    feeds: list[ChangeFeed] = []
    for name in ("a", "b"):
        replica = await link()
        feed = ChangeFeed(link=replica, interval=0.2)

        async def reload(name: str = name) -> None:
            reloaded.append(name)

        feed.watch(Topic.RULES, reload)
        await replica.start(wait=2)
        feed.start()
        feeds.append(feed)
    try:
        await until(lambda: sorted(reloaded) == ["a", "b"])  # once at start
        reloaded.clear()
        feeds[0].changed(Topic.RULES)
        await until(lambda: reloaded == ["b"])
        # A notice nobody heard: the version check finds the moved version.
        reloaded.clear()
        await feeds[0]._link.redis.hincrby(feeds[0]._versions_key, Topic.RULES.value, 1)
        await until(lambda: sorted(reloaded) == ["a", "b"])
        await asyncio.sleep(0.5)
        assert sorted(reloaded) == ["a", "b"]  # and nothing more while nothing changes
    finally:
        for feed in feeds:
            await feed.aclose()


async def started_breakers(link: Started, *, cooldown: float) -> SharedBreakers:
    replica = await link()
    breakers = SharedBreakers(link=replica, threshold=2, cooldown=cooldown)
    await replica.start(wait=2)
    breakers.start()
    return breakers


async def test_a_breaker_opened_by_one_replica_is_open_on_the_other(link: Started) -> None:
    a = await started_breakers(link, cooldown=30)
    b = await started_breakers(link, cooldown=30)
    try:
        a.record_failure("provider:1")
        a.record_failure("provider:1")
        assert a.state("provider:1") is BreakerState.OPEN
        await until(lambda: b.state("provider:1") is BreakerState.OPEN)
        assert not b.acquire("provider:1")
        assert 29 < b.retry_after("provider:1") <= 30
        # A replica started later takes it on too.
        c = await started_breakers(link, cooldown=30)
        assert c.state("provider:1") is BreakerState.OPEN
        await c.aclose()
    finally:
        await a.aclose()
        await b.aclose()


async def test_failures_on_different_replicas_add_up(link: Started) -> None:
    a = await started_breakers(link, cooldown=30)
    b = await started_breakers(link, cooldown=30)
    try:
        a.record_failure("provider:2")
        await asyncio.sleep(0.05)
        b.record_failure("provider:2")
        await until(lambda: a.state("provider:2") is BreakerState.OPEN)
        await until(lambda: b.state("provider:2") is BreakerState.OPEN)
    finally:
        await a.aclose()
        await b.aclose()


async def test_one_probe_for_the_cluster_and_its_success_closes_everywhere(
    link: Started,
) -> None:
    a = await started_breakers(link, cooldown=0.3)
    b = await started_breakers(link, cooldown=0.3)
    try:
        a.record_failure("provider:3")
        a.record_failure("provider:3")
        await until(lambda: b.state("provider:3") is BreakerState.OPEN)
        await until(lambda: a.state("provider:3") is BreakerState.HALF_OPEN)
        await until(lambda: b.state("provider:3") is BreakerState.HALF_OPEN)
        # The first asks claim the probe; then exactly one replica may send it.
        assert not a.acquire("provider:3")
        assert not b.acquire("provider:3")
        await asyncio.sleep(0.1)
        granted = [a.acquire("provider:3"), b.acquire("provider:3")]
        assert sorted(granted) == [False, True]
        prober, other = (a, b) if granted[0] else (b, a)
        prober.record_success("provider:3")
        await until(lambda: other.state("provider:3") is BreakerState.CLOSED)
        assert other.acquire("provider:3")
    finally:
        await a.aclose()
        await b.aclose()
