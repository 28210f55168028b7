"""A scriptable fake upstream provider, served by a real uvicorn server on loopback.

Each test scripts answers per path (status, JSON body, SSE events, delay) and reads back the
requests it received, headers included, and whether the caller went away before the answer was
all sent (``Received.disconnected``).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    # SSE: a list of (event name or None, data dict or raw str) pairs.
    sse: list[tuple[str | None, Any]] | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    # Computes the reply from the request body (the echo model in ``llm.py``).
    compute: Callable[[Any], Reply] | None = None
    # Stream this many SSE events, then drop the connection mid-stream.
    cut_after: int | None = None
    # Seconds to wait after each SSE event (a slow model's token pace).
    event_delay: float = 0.0
    # A plain-text body instead of JSON (a proxy's own error page).
    text: str | None = None
    # Computes the reply from the whole request, headers included (an upstream that echoes them).
    respond: Callable[[Received], Reply] | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # The caller closed the connection during the delay or the stream: it was let go.
    disconnected: bool = False
    # The query string, undecoded (``api-version=...``).
    query: str = ""

    def json(self) -> Any:
        return orjson.loads(self.body)


def sse_events(events: list[tuple[str | None, Any]]) -> Iterator[bytes]:
    """The bytes of each event, as the fake writes them."""
    for name, data in events:
        payload = data if isinstance(data, str) else orjson.dumps(data).decode()
        head = f"event: {name}\n" if name else ""
        yield f"{head}data: {payload}\n\n".encode()


class StreamCut(Exception):
    """Raised inside a streaming body to make the server drop the connection."""


async def _sse_stream(reply: Reply, received: Received) -> AsyncIterator[bytes]:
    assert reply.sse is not None
    try:
        for i, chunk in enumerate(sse_events(reply.sse)):
            if reply.cut_after is not None and i >= reply.cut_after:
                raise StreamCut
            yield chunk
            await asyncio.sleep(reply.event_delay)
    except (asyncio.CancelledError, GeneratorExit):
        # Starlette cancels a stream whose caller went away.
        received.disconnected = True
        raise


async def _hung_up_within(request: Request, seconds: float) -> bool:
    """Wait ``seconds``; True as soon as the caller closes the connection meanwhile."""

    async def disconnect() -> None:
        # With the body read, the next message is the disconnect.
        while (await request.receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnect(), seconds)
    except TimeoutError:
        return False
    return True


class FakeUpstream:
    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.received: list[Received] = []
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def reply(self, path: str, *replies: Reply) -> None:
        """Queue answers for ``path``; the last one repeats once the queue is down to it."""
        self.replies[path] = list(replies)

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        received = Received(
            request.method, request.url.path, dict(request.headers), body, query=request.url.query
        )
        self.received.append(received)
        queue = self.replies.get(request.url.path)
        if not queue:
            return Response(
                orjson.dumps({"error": {"message": f"no reply for {request.url.path}"}}),
                status_code=404,
                media_type="application/json",
            )
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.compute is not None:
            reply = reply.compute(orjson.loads(body) if body else None)
        if reply.respond is not None:
            reply = reply.respond(received)
        if reply.delay and await _hung_up_within(request, reply.delay):
            received.disconnected = True
            return Response(status_code=499)
        if reply.sse is not None:
            return StreamingResponse(
                _sse_stream(reply, received),
                status_code=reply.status,
                media_type="text/event-stream",
                headers=reply.headers,
            )
        if reply.text is not None:
            return Response(
                reply.text, status_code=reply.status, media_type="text/plain", headers=reply.headers
            )
        return Response(
            orjson.dumps(reply.json),
            status_code=reply.status,
            media_type="application/json",
            headers=reply.headers,
        )

    def start(self) -> FakeUpstream:
        app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "DELETE"])]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="critical")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake upstream did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
