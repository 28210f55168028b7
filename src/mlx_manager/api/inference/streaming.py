"""Streams between a backend and the caller.

A stream is held back until its first content, so failover stays possible until the caller has
seen a byte; an error after that becomes the protocol's error event, and the stream ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from mlx_manager.core import (
    MessageEnd,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallStart,
    UsageUpdate,
)
from mlx_manager.errors import GatewayError
from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.usage import UsageCut, UsageScan

_CONTENT = (TextDelta, ThinkingDelta, ToolCallStart, MessageEnd)


async def prefetch(
    events: AsyncIterator[StreamEvent], record: RequestRecord
) -> AsyncIterator[StreamEvent]:
    """Read ``events`` up to the first content event (errors until then raise from here) and
    return an iterator that replays what was read, then the rest; ``record`` takes the token
    counts and a mid-stream error on the way (one generator, not one per concern: every layer
    costs each of a stream's events a hop)."""
    head: list[StreamEvent] = []
    try:
        # Leaving an ``async for`` with break does not close the generator; the rest follows.
        async for event in events:
            head.append(event)
            if isinstance(event, _CONTENT):
                break
    except BaseException:
        await _close(events)
        raise
    return _replay(head, events, record)


async def _replay(
    head: list[StreamEvent], events: AsyncIterator[StreamEvent], record: RequestRecord
) -> AsyncIterator[StreamEvent]:
    try:
        for event in head:
            if isinstance(event, UsageUpdate):
                record.took(event.usage)
            yield event
        async for event in events:
            if isinstance(event, UsageUpdate):
                record.took(event.usage)
            yield event
    except GatewayError as exc:
        record.error = exc.code
        raise
    finally:
        await _close(events)


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    # Backends return async generators; closing one stops its upstream call or generation.
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


async def relay(
    first: bytes,
    rest: AsyncIterator[bytes],
    *,
    stream_error: Callable[[GatewayError], bytes],
    record: RequestRecord,
    cut_usage: bool = False,
) -> AsyncIterator[bytes]:
    """Raw upstream bytes as they came; a failure mid-stream ends with an error event.

    The bytes are scanned, not changed, for the usage that ``record`` keeps; only with
    ``cut_usage`` (the gateway asked the upstream for usage that the caller did not ask for) is
    the usage-only chunk taken out."""
    scan = UsageCut(record.tokens) if cut_usage else UsageScan(record.tokens)
    last = scan.feed(first)
    yield last
    try:
        async for chunk in rest:
            data = scan.feed(chunk)
            if data:
                last = data
                yield data
    except GatewayError as exc:
        record.error = exc.code
        # Close a half-sent event first, so the error event is parsed on its own.
        yield (b"" if last.endswith(b"\n\n") else b"\n\n") + stream_error(exc)
        return
    tail = scan.flush()
    if tail:
        yield tail
