"""Target health shared by every replica, with the in-process ``TargetHealth`` API unchanged.

Each replica judges health from its own traffic and keeps it in memory, so choosing a target
costs no Redis call; Redis carries what a replica decided. An ejection sets
``<prefix>:health:<target>:out`` (its TTL the cool-down left, its value the ejection count) and a
429's back-off ``...:limited``, each with an event every replica mirrors; a success after either
publishes "recover". Once a cool-down ends, one probe is let through for the whole cluster: the
replica that wins ``SET ...:probe NX`` sends it, the others route elsewhere until its result
arrives or the claim expires (where nothing else can serve, a request still goes: health never
refuses one by itself). Redis calls are queued and run by one task, never on the request path.
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
from mlx_manager.routing.health import HealthPolicy, HealthState, TargetHealth, TargetState

log = logging.getLogger(__name__)

_Kind = Literal["eject", "limit", "recover", "claim"]


@dataclass(frozen=True, slots=True)
class _Op:
    kind: _Kind
    key: str
    remaining: float = 0.0
    ejections: int = 0


class SharedHealth(TargetHealth):
    def __init__(
        self,
        *,
        link: RedisLink,
        policy: HealthPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(policy, clock=clock)
        self._link = link
        self._channel = link.name("health")
        self._ops: asyncio.Queue[_Op] = asyncio.Queue()
        # Probing targets whose cluster-wide probe this replica holds, and those another
        # replica holds (until when, by this replica's clock).
        self._probe_won: set[str] = set()
        self._probe_elsewhere: dict[str, float] = {}
        self._claiming: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        link.subscribe(self._channel, self._on_event)
        link.on_up(self._mirror_stored)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_ops(), name="shared health")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def admit(self, key: str) -> bool:
        if not self._link.healthy or self.state(key) is not HealthState.PROBING:
            return super().admit(key)
        if key in self._probe_won:
            return super().admit(key)
        if self._probe_elsewhere.get(key, 0.0) <= self._clock() and key not in self._claiming:
            self._claiming.add(key)
            self._send(_Op("claim", key))
        return False

    def _eject(self, key: str, target: TargetState, now: float) -> None:
        super()._eject(key, target, now)
        self._forget_probe(key)
        self._send(_Op("eject", key, target.ejected_until - now, target.ejections))

    def _limit(self, key: str, target: TargetState, until: float) -> None:
        before = target.limited_until
        super()._limit(key, target, until)
        if target.limited_until > before:
            self._send(_Op("limit", key, target.limited_until - self._clock()))

    def _recover(self, key: str, target: TargetState) -> None:
        super()._recover(key, target)
        self._forget_probe(key)
        self._send(_Op("recover", key))

    def _forget_probe(self, key: str) -> None:
        self._probe_won.discard(key)
        self._probe_elsewhere.pop(key, None)

    def _send(self, op: _Op) -> None:
        if self._link.healthy:
            self._ops.put_nowait(op)

    def _on_event(self, data: bytes) -> None:
        try:
            event = orjson.loads(data)
            kind, key, origin = event["event"], str(event["key"]), event["origin"]
            remaining = float(event.get("remaining", 0.0))
            ejections = int(event.get("ejections", 1))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("Ignored a malformed health event: %r", data[:200])
            return
        if origin == self._link.replica_id:
            return
        # Another replica's word is bounded by this one's own limits.
        remaining = min(
            max(remaining, 0.0), max(self.policy.cooldown_max, self.policy.rate_limit_max)
        )
        if kind == "eject":
            self.mirror(key, ejected_for=remaining, limited_for=0.0, ejections=ejections)
            self._forget_probe(key)
        elif kind == "limit":
            self.mirror(key, ejected_for=0.0, limited_for=remaining, ejections=0)
        elif kind == "recover":
            self.mirror_recovered(key)
            self._forget_probe(key)

    async def _mirror_stored(self) -> None:
        """After (re)connecting: take on what other replicas decided meanwhile."""
        redis = self._link.redis
        prefix = self._link.name("health", "")
        for suffix in (":out", ":limited"):
            async for raw in redis.scan_iter(match=self._link.name("health", "*") + suffix):
                name = raw.decode() if isinstance(raw, bytes) else str(raw)
                key = name.removeprefix(prefix).removesuffix(suffix)
                remaining_ms = await redis.pttl(name)
                if remaining_ms <= 0:
                    continue
                if suffix == ":out":
                    stored = await redis.get(name)
                    ejections = int(stored) if stored is not None and stored.isdigit() else 1
                    self.mirror(
                        key, ejected_for=remaining_ms / 1000, limited_for=0.0, ejections=ejections
                    )
                else:
                    self.mirror(key, ejected_for=0.0, limited_for=remaining_ms / 1000, ejections=0)

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
        base = self._link.name("health", op.key)
        remaining_ms = max(int(op.remaining * 1000), 1)
        if op.kind == "eject":
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(base + ":out", op.ejections, px=remaining_ms)
                pipe.delete(base + ":probe")
                pipe.publish(self._channel, self._event(op))
                await pipe.execute()
        elif op.kind == "limit":
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(base + ":limited", 1, px=remaining_ms)
                pipe.publish(self._channel, self._event(op))
                await pipe.execute()
        elif op.kind == "recover":
            async with redis.pipeline(transaction=True) as pipe:
                pipe.delete(base + ":out", base + ":limited", base + ":probe")
                pipe.publish(self._channel, self._event(op))
                await pipe.execute()
        else:
            claim_ms = max(int(self.policy.cooldown_max * 1000), 1)
            if await redis.set(base + ":probe", self._link.replica_id, nx=True, px=claim_ms):
                self._probe_won.add(op.key)
            else:
                self._probe_elsewhere[op.key] = self._clock() + self.policy.cooldown_max

    def _event(self, op: _Op) -> bytes:
        return orjson.dumps(
            {
                "event": op.kind,
                "key": op.key,
                "origin": self._link.replica_id,
                "remaining": op.remaining,
                "ejections": op.ejections,
            }
        )
