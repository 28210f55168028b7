"""Circuit breakers shared by every replica, with the in-process ``Breakers`` API unchanged.

Each replica keeps its own breakers in memory, so checking a target costs no Redis call; Redis
carries what changes them. A failure is counted in ``<prefix>:breaker:<target>:failures``
(expiring a cool-down after the last one); whichever replica takes it to the threshold (or sees
its own threshold) opens the breaker: ``...:open`` with a TTL of the cool-down, and an "open"
event every replica mirrors. Once cooled down, one probe is let through for the whole cluster:
the replica that wins ``SET ...:probe NX`` sends it; the others keep refusing until its result
(a "close" or a new "open" event) arrives, or the claim expires. A success closes the breaker
everywhere. Redis calls are queued and run by one task, never on the request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import orjson
from redis.exceptions import RedisError

from mlx_manager.cluster.link import RedisLink
from mlx_manager.routing.breaker import Breakers, BreakerState

log = logging.getLogger(__name__)

_Kind = Literal["failure", "open", "close", "claim"]


@dataclass(frozen=True, slots=True)
class _Op:
    kind: _Kind
    key: str


class SharedBreakers(Breakers):
    def __init__(
        self,
        *,
        link: RedisLink,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(threshold=threshold, cooldown=cooldown, clock=clock)
        self._link = link
        self._channel = link.name("breakers")
        self._ops: asyncio.Queue[_Op] = asyncio.Queue()
        # Half-open targets whose cluster-wide probe this replica holds, and those another
        # replica holds (until when, by this replica's clock).
        self._probe_won: set[str] = set()
        self._probe_elsewhere: dict[str, float] = {}
        self._claiming: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        link.subscribe(self._channel, self._on_event)
        link.on_up(self._mirror_open)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_ops(), name="shared breakers")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def acquire(self, key: str) -> bool:
        if not self._link.healthy or self.state(key) is not BreakerState.HALF_OPEN:
            return super().acquire(key)
        if key in self._probe_won:
            return super().acquire(key)
        if self._probe_elsewhere.get(key, 0.0) <= self._clock() and key not in self._claiming:
            self._claiming.add(key)
            self._send("claim", key)
        return False

    def record_failure(self, key: str) -> None:
        before = self._breakers.get(key)
        opened_before = before.opened_at if before is not None else None
        super().record_failure(key)
        if self._breakers[key].opened_at != opened_before:
            self._forget_probe(key)
            self._send("open", key)
        else:
            self._send("failure", key)

    def record_success(self, key: str) -> None:
        if key not in self._breakers:
            return  # nothing failing: the common case costs nothing
        super().record_success(key)
        self._forget_probe(key)
        self._send("close", key)

    def _forget_probe(self, key: str) -> None:
        self._probe_won.discard(key)
        self._probe_elsewhere.pop(key, None)

    def _send(self, kind: _Kind, key: str) -> None:
        if self._link.healthy:
            self._ops.put_nowait(_Op(kind, key))

    def _open_locally(self, key: str, remaining: float) -> None:
        self.mirror_open(key, remaining=remaining)
        self._forget_probe(key)

    def _on_event(self, data: bytes) -> None:
        try:
            event = orjson.loads(data)
            kind, key, origin = event["event"], str(event["key"]), event["origin"]
            remaining = float(event.get("remaining", self.cooldown))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("Ignored a malformed breaker event: %r", data[:200])
            return
        if origin == self._link.replica_id:
            return
        if kind == "open":
            self._open_locally(key, remaining)
        elif kind == "close":
            self.mirror_close(key)
            self._forget_probe(key)

    async def _mirror_open(self) -> None:
        """After (re)connecting: take on the breakers other replicas opened meanwhile."""
        pattern = self._link.name("breaker", "*", "open")
        async for raw in self._link.redis.scan_iter(match=pattern, count=100):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            key = name.removeprefix(self._link.name("breaker", "")).removesuffix(":open")
            remaining_ms = await self._link.redis.pttl(name)
            if remaining_ms > 0 and self.state(key) is BreakerState.CLOSED:
                self._open_locally(key, remaining_ms / 1000)

    async def _run_ops(self) -> None:
        while True:
            op = await self._ops.get()
            try:
                await self._apply(op)
            except RedisError as exc:
                self._link.report_failure(exc)
            finally:
                if op.kind == "claim":
                    self._claiming.discard(op.key)

    async def _apply(self, op: _Op) -> None:
        redis = self._link.redis
        base = self._link.name("breaker", op.key)
        cooldown_ms = max(int(self.cooldown * 1000), 1)
        if op.kind == "failure":
            async with redis.pipeline(transaction=True) as pipe:
                pipe.incr(base + ":failures")
                pipe.pexpire(base + ":failures", cooldown_ms)
                count, _ = await pipe.execute()
            if int(count) >= self.threshold and self.state(op.key) is BreakerState.CLOSED:
                self._open_locally(op.key, self.cooldown)
                await self._apply(_Op("open", op.key))
        elif op.kind == "open":
            if self.state(op.key) is BreakerState.CLOSED:
                return  # closed again before the event went out; "close" follows
            remaining = max(self.retry_after(op.key), 0.001)
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(base + ":open", self._link.replica_id, px=int(remaining * 1000))
                pipe.delete(base + ":probe", base + ":failures")
                pipe.publish(self._channel, self._event("open", op.key, remaining=remaining))
                await pipe.execute()
        elif op.kind == "close":
            async with redis.pipeline(transaction=True) as pipe:
                pipe.delete(base + ":open", base + ":probe", base + ":failures")
                pipe.publish(self._channel, self._event("close", op.key))
                await pipe.execute()
        elif await redis.set(base + ":probe", self._link.replica_id, nx=True, px=cooldown_ms):
            self._probe_won.add(op.key)
        else:
            self._probe_elsewhere[op.key] = self._clock() + self.cooldown

    def _event(self, kind: str, key: str, *, remaining: float | None = None) -> bytes:
        event: dict[str, str | float] = {"event": kind, "key": key, "origin": self._link.replica_id}
        if remaining is not None:
            event["remaining"] = remaining
        return orjson.dumps(event)
