"""Shared mode, on when ``MLX_MANAGER_REDIS_URL`` is set: its parts, started and stopped together,
and the ``mlx_manager_shared_mode_*`` metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from mlx_manager.cluster.changes import ChangeFeed, Reload
from mlx_manager.cluster.link import RedisLink
from mlx_manager.cluster.redis_limiter import SharedLimiter
from mlx_manager.cluster.shared_health import SharedHealth
from mlx_manager.cluster.topics import Topic
from mlx_manager.routing.health import HealthPolicy
from mlx_manager.settings import Settings

# How long start-up waits for Redis before it serves in degraded mode.
CONNECT_WAIT = 2.0


@dataclass(slots=True)
class SharedMode:
    link: RedisLink
    feed: ChangeFeed
    limiter: SharedLimiter
    health: SharedHealth

    def watch(self, *, providers: Reload, rules: Reload, keys: Reload) -> None:
        """Say how each part reloads from storage, and start acting on other replicas' changes."""
        self.feed.watch(Topic.PROVIDERS, providers)
        self.feed.watch(Topic.RULES, rules)
        self.feed.watch(Topic.KEYS, keys)
        self.feed.start()

    def collector(self) -> Collector:
        return _SharedModeCollector(self.link)


async def start_shared_mode(
    settings: Settings, stack: AsyncExitStack, *, health_policy: HealthPolicy
) -> SharedMode:
    """Connect to Redis (serving degraded if it does not answer) and start the shared parts."""
    assert settings.redis_url is not None
    link = RedisLink(
        url=settings.redis_url.get_secret_value(),
        prefix=settings.redis_prefix,
        timeout=settings.redis_timeout,
    )
    stack.push_async_callback(link.aclose)
    feed = ChangeFeed(link=link, interval=settings.shared_check_interval)
    stack.push_async_callback(feed.aclose)
    health = SharedHealth(link=link, policy=health_policy)
    health.start()
    stack.push_async_callback(health.aclose)
    shared = SharedMode(link=link, feed=feed, limiter=SharedLimiter(link=link), health=health)
    await link.start(wait=CONNECT_WAIT)
    return shared


class _SharedModeCollector(Collector):
    def __init__(self, link: RedisLink) -> None:
        self._link = link

    def collect(self) -> Iterator[Metric]:
        degraded = GaugeMetricFamily(
            "mlx_manager_shared_mode_degraded",
            "1 while Redis is unreachable and limits and target health are per replica.",
        )
        degraded.add_metric([], 0.0 if self._link.healthy else 1.0)
        yield degraded
        seconds = GaugeMetricFamily(
            "mlx_manager_shared_mode_degraded_seconds",
            "How long shared mode has been degraded; 0 while Redis answers.",
        )
        seconds.add_metric([], self._link.degraded_seconds)
        yield seconds
        outages = CounterMetricFamily(
            "mlx_manager_shared_mode_outages", "Times this replica lost Redis."
        )
        outages.add_metric([], self._link.outages)
        yield outages
