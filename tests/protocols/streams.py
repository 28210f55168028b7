"""Helpers the stream codec tests share: IR events as an async stream, and a stream collected."""

from __future__ import annotations

from collections.abc import AsyncIterator

from mlx_manager.core import StreamEvent


async def stream_of(
    events: list[StreamEvent], error: Exception | None = None
) -> AsyncIterator[StreamEvent]:
    """``events`` one by one, then ``error`` raised if given (a backend failing mid-stream)."""
    for event in events:
        yield event
    if error is not None:
        raise error


async def collect(stream: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in stream]
