"""Change notices between replicas: "providers changed", "rules changed", "keys changed".

A service calls its ``on_change`` hook after a commit; the feed bumps that topic's version in a
Redis hash and publishes the topic. Every other replica reloads that part from the database.
Messages can be missed (a dropped subscription), so every ``interval`` seconds each replica
also reads the version hash and reloads any topic whose version moved; while Redis is down it
reloads everything from the database at that pace instead, and notices it could not publish
are sent once Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import orjson
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from mlx_manager.cluster.link import RedisLink
from mlx_manager.cluster.topics import Topic

log = logging.getLogger(__name__)

Reload = Callable[[], Awaitable[None]]


class ChangeFeed:
    def __init__(self, *, link: RedisLink, interval: float) -> None:
        self._link = link
        self._interval = interval
        self._channel = link.name("changes")
        self._versions_key = link.name("versions")
        self._reloads: dict[Topic, Reload] = {}
        # Changes made here and not yet published; changes elsewhere not yet reloaded.
        self._unpublished: set[Topic] = set()
        self._stale: set[Topic] = set()
        # The versions this replica has caught up with, as last read from Redis.
        self._seen: dict[Topic, int] = {}
        self._publish_wake = asyncio.Event()
        self._reload_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.reloads = 0
        link.subscribe(self._channel, self._on_message)
        link.on_up(self._catch_up)

    def watch(self, topic: Topic, reload: Reload) -> None:
        """How this replica reloads ``topic`` from storage."""
        self._reloads[topic] = reload

    def hook(self, topic: Topic) -> Callable[[], None]:
        """The ``on_change`` callback a service calls after committing a change to ``topic``."""
        return lambda: self.changed(topic)

    def changed(self, topic: Topic) -> None:
        self._unpublished.add(topic)
        self._publish_wake.set()

    def start(self) -> None:
        """Start publishing, reloading and checking; call after every ``watch``."""
        # Once now: a notice that came between start-up's loads and ``watch`` was not acted on.
        self._mark_stale(set(Topic))
        self._tasks = [
            asyncio.create_task(self._publish_forever(), name="change feed publish"),
            asyncio.create_task(self._reload_forever(), name="change feed reload"),
            asyncio.create_task(self._check_forever(), name="change feed check"),
        ]

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _mark_stale(self, topics: set[Topic]) -> None:
        self._stale |= topics
        if self._stale:
            self._reload_wake.set()

    def _on_message(self, data: bytes) -> None:
        try:
            notice = orjson.loads(data)
            topic = Topic(notice["topic"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("Ignored a malformed change notice on %s: %r", self._channel, data[:200])
            return
        if notice.get("origin") != self._link.replica_id:
            self._mark_stale({topic})

    async def _catch_up(self) -> None:
        """After (re)connecting: reload everything once, and send what could not be sent."""
        self._seen = await self._read_versions()
        self._mark_stale(set(Topic))
        if self._unpublished:
            self._publish_wake.set()

    async def _read_versions(self) -> dict[Topic, int]:
        raw = await self._link.redis.hgetall(self._versions_key)
        return {topic: int(raw.get(topic.value.encode(), 0)) for topic in Topic}

    async def _publish_forever(self) -> None:
        while True:
            await self._publish_wake.wait()
            self._publish_wake.clear()
            for topic in sorted(self._unpublished):
                if not self._link.healthy:
                    break  # kept, and sent by ``_catch_up`` when Redis is back
                try:
                    await self._publish(topic)
                except RedisError as exc:
                    self._link.report_failure(exc)
                    break
                self._unpublished.discard(topic)

    async def _publish(self, topic: Topic) -> None:
        notice = orjson.dumps({"topic": topic.value, "origin": self._link.replica_id})
        async with self._link.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self._versions_key, topic.value, 1)
            pipe.publish(self._channel, notice)
            version, _receivers = await pipe.execute()
        # This replica is current with its own change; only skip a reload if nobody else's
        # change slipped in between.
        if self._seen.get(topic) == int(version) - 1:
            self._seen[topic] = int(version)

    async def _reload_forever(self) -> None:
        while True:
            await self._reload_wake.wait()
            self._reload_wake.clear()
            for topic in Topic:
                if topic not in self._stale:
                    continue
                self._stale.discard(topic)
                reload = self._reloads.get(topic)
                if reload is None:
                    continue
                try:
                    await reload()
                except SQLAlchemyError as exc:
                    # The next check (or notice) tries again; the tables in memory still serve.
                    log.warning("Could not reload %s from storage: %s", topic, exc)
                else:
                    self.reloads += 1

    async def _check_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if not self._link.healthy:
                self._mark_stale(set(Topic))
                continue
            try:
                versions = await self._read_versions()
            except RedisError as exc:
                self._link.report_failure(exc)
                continue
            moved = {t for t, v in versions.items() if self._seen.get(t) != v}
            self._seen = versions
            self._mark_stale(moved)
