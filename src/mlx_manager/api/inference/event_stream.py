"""Callers that go away, and the chat endpoints' streamed reply.

uvicorn speaks ASGI 2.3, so a send after a disconnect is dropped silently rather than raised: a
request learns of the hang-up only from ``receive``, which answers ``http.disconnect`` once the
body has been read and the caller has gone. ``HangUp`` is one plain task per request that waits
for it and cancels the task serving the request, so whatever that task awaits (an upstream
call, a stream's next chunk, the local engine) is let go; the cancelled request then ends
quietly. The task starts only for a request still running after ``WATCH_AFTER`` seconds.
Starlette's ``StreamingResponse`` listens in an anyio task group instead (a task, cancel scopes
and their bookkeeping per stream).

``EventStream`` is that response with the cheaper watch: the request's own ``HangUp`` when its
endpoint started one, else one of its own. A cancellation that is no hang-up (the drain timeout
on SIGTERM) ends the stream with the protocol's error event before it goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from mlx_manager.errors import GatewayError

# Seconds a request runs before its caller is watched for hanging up.
WATCH_AFTER = 0.05


def server_stopped() -> GatewayError:
    """What a caller is told when the server, not the caller, ended its request."""
    error = GatewayError(
        "The server stopped before this request was done (it is shutting down); send it again."
    )
    error.should_retry = True
    return error


class HangUp:
    """Cancels the current task once the caller hangs up. Start it after the request body has
    been read (it takes ``receive`` over); ``stop`` it as soon as the reply is out, because from
    then on ``receive`` answers ``http.disconnect`` whether or not the caller left."""

    __slots__ = ("_loop", "_receive", "_serving", "_timer", "_watcher", "happened")

    def __init__(self, receive: Receive) -> None:
        serving = asyncio.current_task()
        assert serving is not None
        self._serving = serving
        self._receive = receive
        self.happened = False
        self._loop = asyncio.get_running_loop()
        # The watch starts only once the request has taken a while: most replies the gateway
        # relays are out within it, and a watching task costs a request about 8% of its CPU.
        # A caller that left meanwhile is seen at once when the watch starts.
        self._watcher: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(WATCH_AFTER, self._start)

    def _start(self) -> None:
        self._timer = None
        self._watcher = self._loop.create_task(self._watch())

    async def _watch(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass
        self.happened = True
        self._serving.cancel()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._watcher is not None:
            self._watcher.cancel()

    def ended(self) -> bool:
        """Whether the cancellation being handled is the hang-up's; if so it is spent here, and
        the request ends quietly. Call it once, from the ``except CancelledError`` that handles
        it."""
        if not self.happened:
            return False
        self._serving.uncancel()
        return True


class EventStream(StreamingResponse):
    def __init__(
        self,
        content: AsyncIterable[bytes],
        *,
        stream_error: Callable[[GatewayError], bytes],
        status_code: int = 200,
        media_type: str = "text/event-stream",
    ) -> None:
        super().__init__(content, status_code=status_code, media_type=media_type)
        self._chunks = content
        self.stream_error = stream_error
        # The request's own watch, set by an endpoint that watched from the start (the chat
        # lane), so a request has one watcher from its body's end to its reply's.
        self.hang_up: HangUp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hang_up is None:
            self.hang_up = HangUp(receive)
        hang_up = self.hang_up
        try:
            await self.stream_response(send)
        except asyncio.CancelledError:
            if not hang_up.ended():
                raise
        finally:
            hang_up.stop()
            close = getattr(self._chunks, "aclose", None)
            if close is not None:
                await close()

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        last = b"\n\n"
        try:
            async for chunk in self._chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                last = chunk
        except asyncio.CancelledError:
            hang_up = self.hang_up
            if hang_up is None or not hang_up.happened:
                # Close a half-sent event first, so the error event is parsed on its own.
                end = b"" if last.endswith(b"\n\n") else b"\n\n"
                error = end + self.stream_error(server_stopped())
                await send({"type": "http.response.body", "body": error, "more_body": False})
            raise
        await send({"type": "http.response.body", "body": b"", "more_body": False})
