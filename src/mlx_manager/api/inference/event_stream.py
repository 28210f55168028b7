"""The chat endpoints' streamed reply: Starlette's ``StreamingResponse`` with a cheaper watch for
the caller hanging up.

uvicorn speaks ASGI 2.3, so a send after a disconnect is dropped silently rather than raised,
and a stream learns of the hang-up only from ``receive``. Starlette listens for it in an anyio
task group (a task, cancel scopes and their bookkeeping per stream); here one plain task waits
for the disconnect and cancels the stream's own task, which ends quietly. Ending the stream
closes its generator, which stops the upstream call or the local generation.
"""

from __future__ import annotations

import asyncio

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class EventStream(StreamingResponse):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streaming = asyncio.current_task()
        assert streaming is not None
        hung_up = False

        async def watch() -> None:
            nonlocal hung_up
            while (await receive())["type"] != "http.disconnect":
                pass
            hung_up = True
            streaming.cancel()

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            await self.stream_response(send)
        except asyncio.CancelledError:
            if not hung_up:
                raise
            streaming.uncancel()
        finally:
            watcher.cancel()
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                await close()
