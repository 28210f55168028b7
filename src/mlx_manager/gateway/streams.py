"""Streams held back until their first content, so failover stays possible until the caller has
seen a byte: errors until then raise from ``prefetch``, inside the failover loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
