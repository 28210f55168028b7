"""Change notices and target health between replicas, each a link of its own, in one process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from mlx_manager.cluster.changes import ChangeFeed
from mlx_manager.cluster.link import RedisLink
from mlx_manager.cluster.shared_health import SharedHealth
from mlx_manager.cluster.topics import Topic
from mlx_manager.errors import UpstreamRateLimited
from mlx_manager.routing.health import HealthPolicy, HealthState, Outcome

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


async def started_health(link: Started, *, cooldown: float) -> SharedHealth:
    replica = await link()
    policy = HealthPolicy(min_requests=2, cooldown_base=cooldown, cooldown_max=cooldown)
    health = SharedHealth(link=replica, policy=policy)
    await replica.start(wait=2)
    health.start()
    return health


def fail(health: SharedHealth, key: str) -> None:
    health.finished(key, health.started(key), Outcome.FAILURE, None)


async def test_a_target_ejected_by_one_replica_is_out_on_the_others(link: Started) -> None:
    a = await started_health(link, cooldown=30)
    b = await started_health(link, cooldown=30)
    try:
        fail(a, "provider:1/m")
        fail(a, "provider:1/m")
        assert a.state("provider:1/m") is HealthState.BACKING_OFF
        await until(lambda: b.state("provider:1/m") is HealthState.BACKING_OFF)
        assert not b.admit("provider:1/m")
        assert 29 < b.available_in("provider:1/m") <= 30
        # A replica started later takes it on too.
        c = await started_health(link, cooldown=30)
        assert c.state("provider:1/m") is HealthState.BACKING_OFF
        await c.aclose()
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_rate_limit_back_off_reaches_every_replica(link: Started) -> None:
    a = await started_health(link, cooldown=30)
    b = await started_health(link, cooldown=30)
    try:
        limited = UpstreamRateLimited("slow", provider="p", upstream_status=429, retry_after=5)
        a.finished("provider:2/m", a.started("provider:2/m"), Outcome.RATE_LIMITED, limited)
        await until(lambda: b.state("provider:2/m") is HealthState.BACKING_OFF)
        assert 4 < b.available_in("provider:2/m") <= 5
        assert b.view("provider:2/m").failures == 0
    finally:
        await a.aclose()
        await b.aclose()


async def test_one_probe_for_the_cluster_and_its_success_recovers_everywhere(
    link: Started,
) -> None:
    a = await started_health(link, cooldown=0.3)
    b = await started_health(link, cooldown=0.3)
    key = "provider:3/m"
    try:
        fail(a, key)
        fail(a, key)
        await until(lambda: b.state(key) is HealthState.BACKING_OFF)
        await until(lambda: a.state(key) is HealthState.PROBING)
        await until(lambda: b.state(key) is HealthState.PROBING)
        # The first asks claim the probe; then exactly one replica may send it.
        assert not a.admit(key)
        assert not b.admit(key)
        await asyncio.sleep(0.1)
        granted = [a.admit(key), b.admit(key)]
        assert sorted(granted) == [False, True]
        prober, other = (a, b) if granted[0] else (b, a)
        prober.finished(key, prober.started(key), Outcome.SUCCESS, None)
        await until(lambda: other.state(key) is HealthState.HEALTHY)
        assert other.admit(key)
    finally:
        await a.aclose()
        await b.aclose()
