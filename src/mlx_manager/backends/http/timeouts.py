"""How long a provider may take: to connect, to start its reply, and between a stream's chunks.

The first two are aiohttp's own per-request timeouts (``connect`` and ``sock_read``, the gap
before the reply's first byte). A stream's idle gap is kept by ``IdleWatch``: one timer per
stream that re-arms itself lazily, so a chunk costs one clock read rather than a timer reset.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from mlx_manager.errors import UpstreamTimeout

if TYPE_CHECKING:
    from mlx_manager.backends.http.transport import UpstreamResponse


@dataclass(frozen=True, slots=True)
class UpstreamTimeouts:
    # Seconds to open a connection (or wait for a free one in the pool).
    connect: float = 10.0
    # Seconds until the reply starts: a stream's first chunk, or a whole non-streamed reply's
    # headers (which most providers send only once generation is done).
    first_byte: float = 300.0
    # Seconds a stream may go without a chunk once it has started.
    idle: float = 120.0
    aiohttp: aiohttp.ClientTimeout = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        timeout = aiohttp.ClientTimeout(total=None, connect=self.connect, sock_read=self.first_byte)
        object.__setattr__(self, "aiohttp", timeout)


DEFAULT_TIMEOUTS = UpstreamTimeouts()


class IdleWatch:
    """Ends ``response``'s body with ``UpstreamTimeout`` once no chunk came for ``idle`` seconds;
    the reader calls ``touch`` per chunk and ``stop`` at the end."""

    __slots__ = ("_handle", "_idle", "_loop", "_provider", "_response", "last")

    def __init__(self, response: UpstreamResponse, *, idle: float, provider: str) -> None:
        self._loop = asyncio.get_running_loop()
        self._response = response
        self._idle = idle
        self._provider = provider
        self.last = self._loop.time()
        self._handle = self._loop.call_at(self.last + idle, self._check)

    def touch(self) -> None:
        self.last = self._loop.time()

    def stop(self) -> None:
        self._handle.cancel()

    def _check(self) -> None:
        due = self.last + self._idle
        if due > self._loop.time():
            self._handle = self._loop.call_at(due, self._check)
            return
        self._response.content.set_exception(
            UpstreamTimeout(
                f"Provider '{self._provider}' sent nothing for {self._idle:g} s; the stream was"
                " ended.",
                provider=self._provider,
            )
        )
