"""Anthropic Messages streams: ``encode_stream`` for callers, and ``AnthropicStreamDecoder`` /
``decode_stream`` for Anthropic-protocol providers.

Encoding emits exactly: ``message_start``, ``ping``, then per content block
``content_block_start``, ``content_block_delta``…, ``content_block_stop``, then ``message_delta``
(stop reason and cumulative usage) and ``message_stop``. ``message_start`` is held back until
the first content or usage-free event so that it can carry the prompt's token count when the
backend reports it early. A delta for a tool call whose block was already closed (providers that
interleave parallel calls) is still sent under that block's index, where SDKs apply it.

Decoding uses the Anthropic block index as the IR tool-call index.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Mapping

import orjson

from mlx_manager.core import (
    MessageEnd,
    MessageStart,
    StopReason,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageUpdate,
)
from mlx_manager.errors import GatewayError, UpstreamError
from mlx_manager.protocols.anthropic.errors import encode_stream_error
from mlx_manager.protocols.anthropic.response import (
    ANTHROPIC_STOP_REASONS,
    STOP_REASONS,
    decode_error,
    encode_usage,
    merge_usage,
    message_id,
)
from mlx_manager.protocols.anthropic.schemas import AnthropicStreamEvent
from mlx_manager.protocols.malformed import malformed
from mlx_manager.protocols.sse import SSEEvent, SSEParser, encode_event


def _frame(body: Mapping[str, object]) -> bytes:
    return encode_event(orjson.dumps(body), event=str(body["type"]))


class _EventEncoder:
    def __init__(self) -> None:
        self.start: MessageStart | None = None
        self.usage = Usage()
        self._open: int | None = None  # index of the open block
        self._open_kind = ""
        self._next = 0
        self._tools: dict[int, int] = {}

    def started(self) -> list[bytes]:
        start = self.start or MessageStart(id="", model="")
        message: dict[str, object] = {
            "id": message_id(start.id),
            "type": "message",
            "role": "assistant",
            "model": start.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": encode_usage(self.usage),
        }
        return [_frame({"type": "message_start", "message": message}), _frame({"type": "ping"})]

    def event(self, event: StreamEvent) -> list[bytes]:
        match event:
            case TextDelta(text=text):
                out = self._ensure("text", {"type": "text", "text": ""})
                out.append(self._delta({"type": "text_delta", "text": text}))
                return out
            case ThinkingDelta(text=text, signature=signature, redacted_data=redacted):
                return self._thinking(text, signature, redacted)
            case ToolCallStart(index=index, id=id_, name=name):
                self._tools[index] = self._next
                block = {"type": "tool_use", "id": id_, "name": name, "input": {}}
                return self._ensure(f"tool:{index}", block, new=True)
            case ToolCallDelta(index=index, arguments=arguments):
                delta = {"type": "input_json_delta", "partial_json": arguments}
                block_index = self._tools.get(index)
                if block_index is None:
                    return []
                return [
                    _frame({"type": "content_block_delta", "index": block_index, "delta": delta})
                ]
            case UsageUpdate(usage=usage):
                self.usage = usage
            case MessageEnd(stop_reason=reason, stop_sequence=sequence):
                out = self._close()
                stop = {"stop_reason": ANTHROPIC_STOP_REASONS[reason], "stop_sequence": sequence}
                body = {"type": "message_delta", "delta": stop, "usage": encode_usage(self.usage)}
                out.append(_frame(body))
                out.append(_frame({"type": "message_stop"}))
                return out
        return []

    def _thinking(self, text: str, signature: str | None, redacted: str | None) -> list[bytes]:
        if redacted is not None:
            block = {"type": "redacted_thinking", "data": redacted}
            return [*self._ensure("redacted", block, new=True), *self._close()]
        empty = {"type": "thinking", "thinking": "", "signature": ""}
        out: list[bytes] = []
        if text:
            # Text after a signature starts a new block: a signature closes its block.
            out += self._ensure("thinking", empty)
            out.append(self._delta({"type": "thinking_delta", "thinking": text}))
        if signature is not None:
            out += self._ensure("thinking", empty)
            out.append(self._delta({"type": "signature_delta", "signature": signature}))
            self._open_kind = "signed"
        return out

    def _ensure(self, kind: str, block: Mapping[str, object], *, new: bool = False) -> list[bytes]:
        if self._open is not None and self._open_kind == kind and not new:
            return []
        out = self._close()
        self._open, self._open_kind = self._next, kind
        self._next += 1
        out.append(
            _frame({"type": "content_block_start", "index": self._open, "content_block": block})
        )
        return out

    def _delta(self, delta: dict[str, object]) -> bytes:
        return _frame({"type": "content_block_delta", "index": self._open, "delta": delta})

    def _close(self) -> list[bytes]:
        if self._open is None:
            return []
        index, self._open = self._open, None
        return [_frame({"type": "content_block_stop", "index": index})]


async def encode_stream(events: AsyncIterable[StreamEvent]) -> AsyncIterator[bytes]:
    """IR events as a Messages SSE stream.

    A ``GatewayError`` before the first byte propagates (the caller can still answer with an
    HTTP error); after it, it becomes an ``event: error`` and the stream ends.
    """
    encoder = _EventEncoder()
    sent = False
    try:
        async for event in events:
            if isinstance(event, MessageStart):
                encoder.start = event
                continue
            if not sent:
                if isinstance(event, UsageUpdate):
                    encoder.usage = event.usage
                    continue
                sent = True
                frames = encoder.started() + encoder.event(event)
            else:
                frames = encoder.event(event)
            # The frames of one event go out in one write (a block's start with its first delta,
            # the last block's stop with message_delta and message_stop).
            if frames:
                yield b"".join(frames)
    except GatewayError as exc:
        if not sent:
            raise
        yield encode_stream_error(exc)


class AnthropicStreamDecoder:
    """Turns a provider's stream events, in order, into IR events. Call ``finish`` at the end."""

    def __init__(self, *, provider: str) -> None:
        self._provider = provider
        self._usage = Usage()
        self._stop: StopReason | None = None
        self._stop_sequence: str | None = None
        self._ended = False

    def feed(self, event: object) -> list[StreamEvent]:
        """One event, as the dict parsed from its ``data:`` line."""
        try:
            wire = AnthropicStreamEvent.model_validate(event, strict=False)
        except ValueError as exc:
            raise malformed(exc, provider=self._provider, what="event") from exc
        return self.feed_event(wire)

    def feed_event(self, wire: AnthropicStreamEvent) -> list[StreamEvent]:
        kind = wire.type
        if kind == "content_block_delta" and wire.delta is not None and wire.index is not None:
            return self._delta(wire.index, wire)
        if kind == "content_block_start" and wire.content_block is not None:
            block = wire.content_block
            if block.type == "tool_use" and wire.index is not None:
                return [ToolCallStart(index=wire.index, id=block.id or "", name=block.name or "")]
            if block.type == "redacted_thinking":
                return [ThinkingDelta(redacted_data=block.data or "")]
            if block.type == "text" and block.text:
                return [TextDelta(text=block.text)]
            return []
        if kind == "message_start" and wire.message is not None:
            message = wire.message
            events: list[StreamEvent] = [MessageStart(id=message.id, model=message.model)]
            if message.usage is not None:
                self._usage = merge_usage(self._usage, message.usage)
                events.append(UsageUpdate(self._usage))
            return events
        if kind == "message_delta":
            return self._message_delta(wire)
        if kind == "message_stop":
            return self.finish()
        if kind == "error":
            raise decode_error(wire.error, provider=self._provider)
        return []

    def feed_delta(self, index: int, kind: str, value: str) -> list[StreamEvent]:
        """A text or tool-input ``content_block_delta`` (``_plain_delta``'s reading): what
        ``feed_event`` makes of it, without a model built for it."""
        if not value:
            return []
        if kind == "text_delta":
            return [TextDelta(text=value)]
        return [ToolCallDelta(index=index, arguments=value)]

    def _delta(self, index: int, wire: AnthropicStreamEvent) -> list[StreamEvent]:
        delta = wire.delta
        if delta is None:
            return []
        if delta.type == "text_delta" and delta.text:
            return [TextDelta(text=delta.text)]
        if delta.type == "input_json_delta" and delta.partial_json:
            return [ToolCallDelta(index=index, arguments=delta.partial_json)]
        if delta.type == "thinking_delta" and delta.thinking:
            return [ThinkingDelta(text=delta.thinking)]
        if delta.type == "signature_delta" and delta.signature is not None:
            return [ThinkingDelta(signature=delta.signature)]
        return []

    def _message_delta(self, wire: AnthropicStreamEvent) -> list[StreamEvent]:
        if wire.delta is not None and wire.delta.stop_reason is not None:
            self._stop = STOP_REASONS.get(wire.delta.stop_reason, "end_turn")
            self._stop_sequence = wire.delta.stop_sequence
        if wire.usage is None:
            return []
        self._usage = merge_usage(self._usage, wire.usage)
        return [UsageUpdate(self._usage)]

    def finish(self) -> list[StreamEvent]:
        """The closing ``MessageEnd``; an error if the stream ended before its stop reason."""
        if self._ended:
            return []
        if self._stop is None:
            raise UpstreamError(
                f"{self._provider} ended the stream before a stop reason.", provider=self._provider
            )
        self._ended = True
        return [MessageEnd(stop_reason=self._stop, stop_sequence=self._stop_sequence)]


async def decode_stream(
    chunks: AsyncIterable[bytes], *, provider: str
) -> AsyncIterator[StreamEvent]:
    """A provider's raw SSE bytes, chunked as they came, as IR events."""
    decoder = AnthropicStreamDecoder(provider=provider)
    parser = SSEParser()
    async for raw in chunks:
        for sse in parser.feed(raw):
            delta = _plain_delta(sse.data)
            if delta is not None:
                for event in decoder.feed_delta(*delta):
                    yield event
                continue
            try:
                wire = AnthropicStreamEvent.model_validate_json(sse.data, strict=False)
            except ValueError as exc:
                raise malformed(exc, provider=provider, what="event") from exc
            for event in decoder.feed_event(wire):
                yield event
    for event in decoder.finish():
        yield event


# The field a text or tool-input delta's value is in.
_DELTA_VALUES = {"text_delta": "text", "input_json_delta": "partial_json"}


def _plain_delta(data: str) -> tuple[int, str, str] | None:
    """(index, delta type, value) of a ``content_block_delta`` with text or tool input and no
    other field, as almost every event of a stream is; None for anything else, which
    ``AnthropicStreamEvent`` then judges (so a malformed event is refused with the same error).
    What is accepted here is exactly what the model accepts unchanged."""
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(event) is not dict or len(event) != 3 or event.get("type") != "content_block_delta":
        return None
    index = event.get("index")
    delta = event.get("delta")
    if type(index) is not int or type(delta) is not dict or len(delta) != 2:
        return None
    field = _DELTA_VALUES.get(delta.get("type"))  # type: ignore[arg-type]
    value = delta.get(field) if field is not None else None
    if type(value) is not str:
        return None
    return index, delta["type"], value


def starts_stream(event: SSEEvent) -> bool | None:
    """Whether a relayed stream's first event is ``message_start`` (None: a ``ping`` before it,
    which decides nothing)."""
    if event.event == "ping":
        return None
    if event.event != "message_start":
        return False
    try:
        document = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return False
    return isinstance(document, dict) and document.get("type") == "message_start"
