"""``EventStream``: a hang-up ends the stream quietly and closes its source; anything else that
cancels it still cancels it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.types import Message

from mlx_manager.api.inference.event_stream import EventStream

SCOPE = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}


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

    await asyncio.wait_for(EventStream(source.events())(SCOPE, receive, send), 5)
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
    await EventStream(three())(SCOPE, receive, send)
    await asyncio.sleep(0)
    assert [m.get("body") for m in sent[1:]] == [b"data: x\n\n"] * 3 + [b""]
    assert len(asyncio.all_tasks()) == tasks_before  # the watcher is gone


async def test_a_cancellation_from_elsewhere_still_cancels() -> None:
    source = Source()

    async def receive() -> Message:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(_message: Message) -> None:
        return None

    task = asyncio.create_task(EventStream(source.events())(SCOPE, receive, send))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.closed
