"""Rate limits shared by every replica: the ``RateLimiter`` interface over Redis.

Each bucket is a sliding log, as in ``SlidingWindowLimiter``: a sorted set of the window's
events (score: the time, member: ``<amount>:<unique id>``) and a running total beside it. One
Lua script trims, checks and counts atomically, on Redis's own clock, so replicas whose clocks
disagree still share one window. ``SharedLimiter`` falls back to this replica's own window while
Redis is unreachable: limits then hold per replica, and the link reports the outage.
"""

from __future__ import annotations

import itertools

from redis.exceptions import RedisError

from mlx_manager.cluster.link import RedisLink
from mlx_manager.gateway_keys.limiter import WINDOW_SECONDS, SlidingWindowLimiter

# KEYS: the log, the total. ARGV: window (ms), room (the total may be at most this after counting
# ``cost``), cost to count (0: only ask), "1" to count regardless of room, a unique member id.
# Returns -1 when within the room (and counted), else the milliseconds until it would be.
_SLIDING_LOG = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local room = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local horizon = now - window
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', horizon)
if #expired > 0 then
  for _, member in ipairs(expired) do
    total = total - tonumber(string.match(member, '^(%d+):'))
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', horizon)
end
if total < 0 or redis.call('ZCARD', KEYS[1]) == 0 then
  total = 0
end
local fits = total <= room or ARGV[4] == '1'
if fits and cost > 0 then
  redis.call('ZADD', KEYS[1], now, cost .. ':' .. ARGV[5])
  total = total + cost
end
if total > 0 then
  redis.call('SET', KEYS[2], total, 'PX', window + 1000)
  redis.call('PEXPIRE', KEYS[1], window + 1000)
else
  redis.call('DEL', KEYS[1], KEYS[2])
end
if fits then
  return -1
end
if room < 0 then
  return window
end
local events = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #events, 2 do
  total = total - tonumber(string.match(events[i], '^(%d+):'))
  if total <= room then
    return math.max(tonumber(events[i + 1]) + window - now, 1)
  end
end
return window
"""


class RedisLimiter:
    """The sliding log in Redis; raises ``RedisError`` when Redis does not answer."""

    def __init__(self, *, link: RedisLink, window: float = WINDOW_SECONDS) -> None:
        self._link = link
        self._window_ms = int(window * 1000)
        self._script = link.redis.register_script(_SLIDING_LOG)
        self._ids = itertools.count()

    async def acquire(self, bucket: str, *, limit: int, cost: int = 1) -> float | None:
        return await self._run(bucket, room=limit - cost, cost=cost)

    async def wait_time(self, bucket: str, *, limit: int) -> float | None:
        return await self._run(bucket, room=limit - 1, cost=0)

    async def add(self, bucket: str, amount: int) -> None:
        if amount > 0:
            await self._run(bucket, room=0, cost=amount, force=True)

    async def _run(self, bucket: str, *, room: int, cost: int, force: bool = False) -> float | None:
        # The braces make both keys one hash slot, so the script also runs on Redis Cluster.
        log_key = self._link.name("limit", "{" + bucket + "}")
        member = f"{self._link.replica_id}.{next(self._ids)}"
        waited = await self._script(
            keys=[log_key, log_key + ":total"],
            args=[self._window_ms, room, cost, "1" if force else "0", member],
        )
        wait_ms = int(waited)
        return None if wait_ms < 0 else wait_ms / 1000


class SharedLimiter:
    """``RateLimiter``: Redis while the link is healthy, this replica's own window otherwise."""

    def __init__(self, *, link: RedisLink, local: SlidingWindowLimiter | None = None) -> None:
        self._link = link
        self.shared = RedisLimiter(link=link)
        self.local = local or SlidingWindowLimiter()

    async def acquire(self, bucket: str, *, limit: int, cost: int = 1) -> float | None:
        if self._link.healthy:
            try:
                return await self.shared.acquire(bucket, limit=limit, cost=cost)
            except RedisError as exc:
                self._link.report_failure(exc)
        return await self.local.acquire(bucket, limit=limit, cost=cost)

    async def wait_time(self, bucket: str, *, limit: int) -> float | None:
        if self._link.healthy:
            try:
                return await self.shared.wait_time(bucket, limit=limit)
            except RedisError as exc:
                self._link.report_failure(exc)
        return await self.local.wait_time(bucket, limit=limit)

    async def add(self, bucket: str, amount: int) -> None:
        if self._link.healthy:
            try:
                await self.shared.add(bucket, amount)
                return
            except RedisError as exc:
                self._link.report_failure(exc)
        await self.local.add(bucket, amount)
