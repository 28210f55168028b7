"""``EventStream`` and ``HangUp``: a hang-up ends the stream quietly and closes its source;
anything else that cancels it ends it with the protocol's error event, then still cancels it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.types import Message

from mlx_manager.api.inference.event_stream import EventStream, HangUp
from mlx_manager.protocols.openai.errors import encode_stream_error

SCOPE = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}


def stream(events: AsyncIterator[bytes]) -> EventStream:
    return EventStream(events, stream_error=encode_stream_error)


class Source:
    """An endless event source that notes whether it was closed."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def events(self) -> AsyncIterator[bytes]:
        try:
            while True:
                self.sent += 1
                yield b"data: x\n\n"
                await asyncio.sleep(0.001)
        finally:
            self.closed = True


async def test_a_hang_up_ends_the_stream_and_closes_its_source() -> None:
    source = Source()
    hang_up = asyncio.Event()
    sent: list[Message] = []

    async def receive() -> Message:
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if len(sent) == 5:
            hang_up.set()

    await asyncio.wait_for(stream(source.events())(SCOPE, receive, send), 5)
    assert source.closed
    assert sent[0]["type"] == "http.response.start"
    assert not any(m.get("more_body") is False for m in sent)  # it never claimed to be complete


async def test_a_finished_stream_stops_watching_for_the_hang_up() -> None:
    async def three() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"data: x\n\n"

    receiving = asyncio.Event()
    sent: list[Message] = []

    async def receive() -> Message:
        receiving.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    tasks_before = len(asyncio.all_tasks())
    await stream(three())(SCOPE, receive, send)
    await asyncio.sleep(0)
    assert [m.get("body") for m in sent[1:]] == [b"data: x\n\n"] * 3 + [b""]
    assert len(asyncio.all_tasks()) == tasks_before  # the watcher is gone


async def test_a_cancellation_from_elsewhere_ends_the_stream_in_shape_and_still_cancels() -> None:
    source = Source()

    async def receive() -> Message:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    task = asyncio.create_task(stream(source.events())(SCOPE, receive, send))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.closed
    # The caller was told, in the protocol's shape, and the reply was ended properly.
    last = sent[-1]
    assert last["more_body"] is False
    assert last["body"].startswith(b'data: {"error":')
    assert b"shutting down" in last["body"]


async def test_a_stream_cut_mid_event_closes_the_event_before_the_error() -> None:
    async def halves() -> AsyncIterator[bytes]:
        yield b"data: {"
        await asyncio.Event().wait()
        yield b"}\n\n"

    async def receive() -> Message:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    task = asyncio.create_task(stream(halves())(SCOPE, receive, send))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sent[-1]["body"].startswith(b'\n\ndata: {"error":')


async def test_a_hang_up_before_the_reply_cancels_the_wait_for_it() -> None:
    """The request's own watch, started once its body was read: the wait for an upstream ends
    at once, and the cancellation is spent, so the request ends quietly."""
    hang_up_now = asyncio.Event()
    upstream_let_go = asyncio.Event()

    async def receive() -> Message:
        await hang_up_now.wait()
        return {"type": "http.disconnect"}

    async def serve() -> str:
        hang_up = HangUp(receive)
        try:
            try:
                await asyncio.sleep(30)  # an upstream that takes its time
            finally:
                upstream_let_go.set()
        except asyncio.CancelledError:
            if not hang_up.ended():
                raise
            return "ended quietly"
        finally:
            hang_up.stop()
        return "served"

    task = asyncio.create_task(serve())
    await asyncio.sleep(0.01)
    hang_up_now.set()
    assert await asyncio.wait_for(task, 5) == "ended quietly"
    assert upstream_let_go.is_set()
    assert task.cancelling() == 0


async def test_a_stream_shares_the_watch_of_its_request() -> None:
    source = Source()
    hang_up_now = asyncio.Event()
    receiving = 0

    async def receive() -> Message:
        nonlocal receiving
        receiving += 1
        await hang_up_now.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message.get("more_body"):
            hang_up_now.set()

    async def serve() -> None:
        response = stream(source.events())
        response.hang_up = HangUp(receive)
        await response(SCOPE, receive, send)

    await asyncio.wait_for(serve(), 5)
    assert source.closed
    assert receiving == 1  # one watcher for the request, none of the stream's own
