"""The seam between provider calls and the network, in the spirit of httpx's transports.

``ProviderClient`` sends through a ``Transport``. In service it is ``AiohttpTransport``: one
aiohttp session and its connection pool, whose responses are handed on as they are (they fit
``UpstreamResponse`` already, so the seam costs nothing per request). Tests pass
``MockTransport`` with a handler that answers each request in memory, so the code above it runs
without a socket.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import aiohttp
from yarl import URL

from mlx_manager import __version__
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS, UpstreamTimeouts

# Uncompressed replies: relayed bytes need no decoding, and loopback or LAN links gain nothing.
# A User-Agent of our own also keeps aiohttp on its fast path: skipping its default one through
# ``skip_auto_headers`` made it rebuild a header multidict on every request.
DEFAULT_HEADERS = {"accept-encoding": "identity", "user-agent": f"mlx-manager/{__version__}"}


class UpstreamBody(Protocol):
    """A reply body being read (aiohttp's ``StreamReader``)."""

    async def read(self, n: int = -1) -> bytes: ...

    async def readany(self) -> bytes: ...

    def iter_any(self) -> AsyncIterator[bytes]: ...

    def set_exception(self, exc: BaseException, exc_cause: BaseException = ..., /) -> None: ...


class UpstreamResponse(Protocol):
    """A provider's reply, status and headers read, body not yet (aiohttp's ``ClientResponse``)."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> UpstreamBody: ...

    async def read(self) -> bytes: ...

    def release(self) -> object: ...


Method = Literal["GET", "POST"]


class Transport(Protocol):
    def request(
        self,
        method: Method,
        url: URL,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeouts: UpstreamTimeouts,
    ) -> Awaitable[UpstreamResponse]:
        """Send the request; redirects are never followed. Network failures raise aiohttp's
        exceptions (``ClientError``, ``TimeoutError``), which ``TransportErrors`` maps."""
        ...

    def in_use(self) -> bool:
        """Whether a reply is still being read (a stream relayed) over this transport."""
        ...

    async def aclose(self) -> None: ...


class AiohttpTransport:
    __slots__ = ("_session",)

    def __init__(self, *, max_connections: int = 512) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=60),
            # Each call passes its target's timeouts; these are for calls that pass none.
            timeout=DEFAULT_TIMEOUTS.aiohttp,
            headers=DEFAULT_HEADERS,
        )

    def request(
        self,
        method: Method,
        url: URL,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeouts: UpstreamTimeouts,
    ) -> Awaitable[UpstreamResponse]:
        # aiohttp's own awaitable, handed on: no coroutine frame of ours per request.
        return self._session.request(
            method, url, data=body, headers=headers, timeout=timeouts.aiohttp, allow_redirects=False
        )

    def in_use(self) -> bool:
        # aiohttp keeps the connections handed out in ``_acquired``; it has no public count.
        return bool(getattr(self._session.connector, "_acquired", ()))

    async def aclose(self) -> None:
        await self._session.close()


TransportFactory = Callable[[], Transport]


# In memory, for tests of the code above the seam.


@dataclass(frozen=True, slots=True)
class MockRequest:
    method: Method
    url: URL
    body: bytes | None
    headers: Mapping[str, str]
    timeouts: UpstreamTimeouts


class MockBody:
    """A body that hands out the given chunks, one per read, as a socket would."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._error: BaseException | None = None

    async def read(self, n: int = -1) -> bytes:
        data = b""
        while (n < 0 or len(data) < n) and (chunk := await self.readany()):
            data += chunk
        return data

    async def readany(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._chunks.pop(0) if self._chunks else b""

    async def _iterate(self) -> AsyncIterator[bytes]:
        while chunk := await self.readany():
            yield chunk

    def iter_any(self) -> AsyncIterator[bytes]:
        return self._iterate()

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None, /) -> None:
        self._error = exc


@dataclass(slots=True)
class MockResponse:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    released: bool = False
    _body: MockBody | None = None

    @property
    def content(self) -> MockBody:
        if self._body is None:
            self._body = MockBody(list(self.chunks))
        return self._body

    async def read(self) -> bytes:
        return await self.content.read()

    def release(self) -> None:
        self.released = True


class MockTransport:
    """Answers every request with ``handler(request)``; a handler that raises stands for a
    network failure. ``requests`` keeps what was sent."""

    def __init__(self, handler: Callable[[MockRequest], MockResponse]) -> None:
        self._handler = handler
        self.requests: list[MockRequest] = []
        self.responses: list[MockResponse] = []
        self.closed = False

    async def request(
        self,
        method: Method,
        url: URL,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeouts: UpstreamTimeouts,
    ) -> MockResponse:
        request = MockRequest(
            method=method, url=url, body=body, headers=dict(headers), timeouts=timeouts
        )
        self.requests.append(request)
        response = self._handler(request)
        self.responses.append(response)
        return response

    def in_use(self) -> bool:
        return any(not r.released for r in self.responses)

    async def aclose(self) -> None:
        self.closed = True
