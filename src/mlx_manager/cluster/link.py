"""The one connection to Redis that every shared part uses: its health, pub/sub and reconnection.

``healthy`` is what the hot path reads before it spends a round trip on Redis. It turns false
when the subscription breaks or a part reports a failed command, and true again once the
reconnect loop (exponential backoff) has subscribed anew and pinged; then the ``on_up``
callbacks run, so every part catches up on what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# A message's payload, from another replica (or this one: handlers skip their own by origin).
MessageHandler = Callable[[bytes], None]
UpCallback = Callable[[], Awaitable[None]]

MIN_BACKOFF = 0.05
MAX_BACKOFF = 2.0
# How long the subscription waits for a message before it checks the link is alive.
IDLE_CHECK = 1.0


class RedisLink:
    def __init__(self, *, url: str, prefix: str, timeout: float = 1.0) -> None:
        # No retries inside the client: a failed command falls back at once, and the
        # reconnect loop below is the only thing that waits for Redis.
        self.redis: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self.prefix = prefix
        # Tells this replica's own messages from others'.
        self.replica_id = uuid.uuid4().hex[:12]
        self.healthy = False
        self.outages = 0
        self._down_since: float | None = time.monotonic()
        self._handlers: dict[str, MessageHandler] = {}
        self._on_up: list[UpCallback] = []
        self._up = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def name(self, *parts: str) -> str:
        """A key or channel name in this gateway's namespace: ``mlx-manager:rules``."""
        return ":".join((self.prefix, *parts))

    def subscribe(self, channel: str, handler: MessageHandler) -> None:
        """Call ``handler`` with each message on ``channel``; register before ``start``."""
        self._handlers[channel] = handler

    def on_up(self, callback: UpCallback) -> None:
        """Run ``callback`` each time the link (re)connects."""
        self._on_up.append(callback)

    async def start(self, *, wait: float) -> None:
        """Connect in the background; wait up to ``wait`` seconds for the first connection."""
        self._task = asyncio.create_task(self._run(), name="redis link")
        try:
            async with asyncio.timeout(wait):
                await self._up.wait()
        except TimeoutError:
            log.warning(
                "Redis did not answer within %.1f s; serving with per-replica limits and"
                " target health until it does.",
                wait,
            )

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.redis.aclose()

    @property
    def degraded_seconds(self) -> float:
        """How long shared mode has been degraded; 0 while healthy."""
        return 0.0 if self._down_since is None else time.monotonic() - self._down_since

    def report_failure(self, exc: BaseException) -> None:
        """A command failed: use the per-replica fallbacks until the link is up again."""
        if not self.healthy:
            return
        self.healthy = False
        self._up.clear()
        self.outages += 1
        self._down_since = time.monotonic()
        log.warning(
            "Shared mode degraded, Redis is unreachable (%s): rate limits and target health"
            " are per replica, and changes reach other replicas only through periodic reloads"
            " from the database, until Redis answers again.",
            type(exc).__name__,
        )

    async def _run(self) -> None:
        delay = MIN_BACKOFF
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*self._handlers)
                await self._came_up()
                delay = MIN_BACKOFF
                await self._listen(pubsub)
            except (RedisError, OSError) as exc:
                self.report_failure(exc)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(timeout=IDLE_CHECK)
            if message is None:
                # Quiet: make sure the link still answers (a dead peer may send no EOF), and
                # leave degraded mode if a failed command caused it but Redis is fine.
                await self.redis.ping()
                if not self.healthy:
                    await self._came_up()
                continue
            if message["type"] != "message":
                continue
            channel = message["channel"]
            handler = self._handlers.get(
                channel.decode() if isinstance(channel, bytes) else str(channel)
            )
            if handler is not None:
                handler(message["data"])

    async def _came_up(self) -> None:
        await self.redis.ping()
        if self.outages:
            log.warning(
                "Shared mode restored: Redis answers again after %.1f s.", self.degraded_seconds
            )
        else:
            log.info("Shared mode on: replica %s connected to Redis.", self.replica_id)
        self.healthy = True
        self._down_since = None
        for callback in self._on_up:
            await callback()
        self._up.set()
