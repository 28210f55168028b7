"""OpenAI ``chat.completion.chunk`` streams: ``encode_stream`` for callers, and
``OpenAIStreamDecoder`` / ``decode_stream`` for OpenAI-protocol providers.

Encoding: a first chunk carries the role; each IR delta becomes one chunk; ``MessageEnd`` becomes
the chunk with ``finish_reason``; with ``include_usage`` a last chunk has empty ``choices`` and
the usage; ``data: [DONE]`` closes. IR tool-call indexes are renumbered 0, 1, … in order of first
appearance, as OpenAI numbers them.

Decoding: ``MessageEnd`` is emitted only when the stream is over, because providers send usage in
a chunk after the one with ``finish_reason``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Mapping

import orjson

from mlx_manager.core import (
    MessageEnd,
    MessageStart,
    StopReason,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageUpdate,
)
from mlx_manager.errors import GatewayError, UpstreamError
from mlx_manager.protocols.malformed import malformed
from mlx_manager.protocols.openai.errors import encode_stream_error
from mlx_manager.protocols.openai.response import (
    FINISH_REASONS,
    STOP_REASONS,
    check_error,
    decode_thinking_block,
    decode_usage,
    encode_usage,
    parse_reply,
    response_id,
    thinking_blocks,
)
from mlx_manager.protocols.openai.schemas import OpenAIChatResponse, OpenAIReplyMessage
from mlx_manager.protocols.sse import SSEEvent, SSEParser, encode_event

DONE = b"data: [DONE]\n\n"


class _ChunkEncoder:
    def __init__(self, start: MessageStart, *, created: int) -> None:
        self._head = {
            "id": response_id(start.id),
            "object": "chat.completion.chunk",
            "created": created,
            "model": start.model,
        }
        # Every chunk repeats id, object, created and model: their bytes are written once. orjson
        # writes no raw line break, so a chunk is always one ``data:`` line.
        self._prefix = (
            b"data: " + orjson.dumps(self._head)[:-1] + b',"choices":[{"index":0,"delta":'
        )
        self._tools: dict[int, int] = {}
        self.usage = Usage()

    def chunk(self, delta: dict[str, object], finish_reason: str | None = None) -> bytes:
        return self.frame(orjson.dumps(delta), finish_reason)

    def frame(self, delta: bytes, finish_reason: str | None = None) -> bytes:
        """A chunk around ``delta``, already JSON."""
        if finish_reason is None:
            return self._prefix + delta + b',"finish_reason":null}]}\n\n'
        return (
            self._prefix + delta + b',"finish_reason":' + orjson.dumps(finish_reason) + b"}]}\n\n"
        )

    def usage_chunk(self) -> bytes:
        body = {**self._head, "choices": [], "usage": encode_usage(self.usage)}
        return encode_event(orjson.dumps(body))

    def event(self, event: StreamEvent) -> bytes | None:
        match event:
            case TextDelta(text=text):
                return self.frame(b'{"content":' + orjson.dumps(text) + b"}")
            case ThinkingDelta(text=text, signature=signature, redacted_data=redacted):
                delta: dict[str, object] = {}
                if text:
                    delta["reasoning_content"] = text
                blocks = thinking_blocks(
                    [ThinkingPart(signature=signature, redacted_data=redacted)]
                )
                if blocks is not None:
                    delta["thinking_blocks"] = blocks
                return self.chunk(delta) if delta else None
            case ToolCallStart(index=index, id=id_, name=name):
                position = self._tools.setdefault(index, len(self._tools))
                call = {
                    "index": position,
                    "id": id_,
                    "type": "function",
                    "function": {"name": name, "arguments": ""},
                }
                return self.chunk({"tool_calls": [call]})
            case ToolCallDelta(index=index, arguments=arguments):
                position = self._tools.setdefault(index, len(self._tools))
                head = b'{"tool_calls":[{"index":%d,"function":{"arguments":' % position
                return self.frame(head + orjson.dumps(arguments) + b"}}]}")
            case UsageUpdate(usage=usage):
                self.usage = usage
                return None
            case MessageEnd(stop_reason=reason):
                return self.chunk({}, FINISH_REASONS[reason])
        return None


async def encode_stream(
    events: AsyncIterable[StreamEvent], *, include_usage: bool, created: int | None = None
) -> AsyncIterator[bytes]:
    """IR events as ``chat.completion.chunk`` SSE bytes, ending with ``data: [DONE]``.

    A ``GatewayError`` before ``MessageStart`` propagates (the caller can still answer with an
    HTTP error); after it, it becomes an error event and the stream ends without ``[DONE]``.
    """
    encoder: _ChunkEncoder | None = None
    # The role chunk goes out with the first content, in one write.
    role = b""
    try:
        async for event in events:
            if encoder is None:
                start = event if isinstance(event, MessageStart) else MessageStart(id="", model="")
                encoder = _ChunkEncoder(start, created=created or int(time.time()))
                role = encoder.chunk({"role": "assistant", "content": ""})
                if event is start:
                    continue
            data = encoder.event(event)
            if data is not None:
                yield role + data if role else data
                role = b""
    except GatewayError as exc:
        if encoder is None:
            raise
        yield role + encode_stream_error(exc)
        return
    usage = encoder.usage_chunk() if encoder is not None and include_usage else b""
    yield role + usage + DONE


class OpenAIStreamDecoder:
    """Turns a provider's chunks, in order, into IR events. Call ``finish`` at the end."""

    def __init__(self, *, provider: str) -> None:
        self._provider = provider
        self._started = False
        self._tools: set[int] = set()
        self._stop: StopReason | None = None

    def feed(self, chunk: object) -> list[StreamEvent]:
        """One chunk, as the dict parsed from its ``data:`` line."""
        return self.feed_reply(parse_reply(chunk, provider=self._provider))

    def feed_reply(self, wire: OpenAIChatResponse) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(MessageStart(id=wire.id, model=wire.model))
        for choice in wire.choices[:1]:
            if choice.delta is not None:
                self._delta(choice.delta, events)
            if choice.finish_reason is not None:
                self._stop = STOP_REASONS.get(choice.finish_reason, "end_turn")
        if wire.usage is not None:
            events.append(UsageUpdate(decode_usage(wire.usage)))
        return events

    def feed_text(
        self, id_: str, model: str, text: str, finish_reason: str | None
    ) -> list[StreamEvent]:
        """A chunk that carries at most text and a finish reason (``_plain_chunk``'s reading):
        what ``feed_reply`` makes of it, without a model built for it."""
        events: list[StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(MessageStart(id=id_, model=model))
        if text:
            events.append(TextDelta(text=text))
        if finish_reason is not None:
            self._stop = STOP_REASONS.get(finish_reason, "end_turn")
        return events

    def _delta(self, delta: OpenAIReplyMessage, events: list[StreamEvent]) -> None:
        reasoning = delta.reasoning_content or delta.reasoning
        if reasoning:
            events.append(ThinkingDelta(text=reasoning))
        for block in delta.thinking_blocks or ():
            part = decode_thinking_block(block)
            events.append(ThinkingDelta(signature=part.signature, redacted_data=part.redacted_data))
        text = delta.content or delta.refusal
        if text:
            events.append(TextDelta(text=text))
        for position, call in enumerate(delta.tool_calls or ()):
            index = call.index if call.index is not None else position
            function = call.function
            if index not in self._tools:
                self._tools.add(index)
                id_ = call.id or f"call_{uuid.uuid4().hex[:24]}"
                name = (function.name if function else None) or ""
                events.append(ToolCallStart(index=index, id=id_, name=name))
            if function is not None and function.arguments:
                events.append(ToolCallDelta(index=index, arguments=function.arguments))

    def finish(self) -> list[StreamEvent]:
        if self._stop is None:
            raise UpstreamError(
                f"{self._provider} ended the stream before a finish reason.",
                provider=self._provider,
            )
        return [MessageEnd(stop_reason=self._stop)]


async def decode_stream(
    chunks: AsyncIterable[bytes], *, provider: str
) -> AsyncIterator[StreamEvent]:
    """A provider's raw SSE bytes, chunked as they came, as IR events."""
    decoder = OpenAIStreamDecoder(provider=provider)
    parser = SSEParser()
    async for raw in chunks:
        for sse in parser.feed(raw):
            if sse.data == "[DONE]":
                for event in decoder.finish():
                    yield event
                return
            text = _plain_chunk(sse.data)
            if text is not None:
                for event in decoder.feed_text(*text):
                    yield event
                continue
            try:
                wire = OpenAIChatResponse.model_validate_json(sse.data)
            except ValueError as exc:
                raise malformed(exc, provider=provider, what="chunk") from exc
            for event in decoder.feed_reply(check_error(wire, provider=provider)):
                yield event
    for event in decoder.finish():
        yield event


# The fields of a chunk and of its choice and delta that ``OpenAIChatResponse`` reads besides
# the ones ``_plain_chunk`` takes: any of them set sends the chunk through the model.
_CHUNK_FIELDS = ("usage", "error")
_CHOICE_FIELDS = ("message",)
_DELTA_FIELDS = ("refusal", "reasoning_content", "reasoning", "tool_calls", "thinking_blocks")


def _plain_chunk(data: str) -> tuple[str, str, str, str | None] | None:
    """(id, model, text, finish_reason) of a chunk with one choice whose delta has only text, as
    almost every chunk is; None for anything else, which ``OpenAIChatResponse`` then judges (so
    a malformed chunk is refused with the same error). What is accepted here is exactly what
    the model accepts unchanged: the values already of the declared types."""
    try:
        chunk = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(chunk) is not dict:
        return None
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return None
    choice = choices[0]
    if type(choice) is not dict:
        return None
    delta = choice.get("delta")
    finish = choice.get("finish_reason")
    id_ = chunk.get("id", "")
    model = chunk.get("model", "")
    if (
        type(delta) is not dict
        or (finish is not None and type(finish) is not str)
        or type(id_) is not str
        or type(model) is not str
        or any(chunk.get(key) is not None for key in _CHUNK_FIELDS)
        or any(choice.get(key) is not None for key in _CHOICE_FIELDS)
        or any(delta.get(key) is not None for key in _DELTA_FIELDS)
    ):
        return None
    text = delta.get("content")
    if text is None:
        return id_, model, "", finish
    if type(text) is not str:
        return None
    return id_, model, text, finish


def usage_options(body: Mapping[str, object]) -> dict[str, object] | None:
    """``stream_options`` that ask for the usage chunk, for a caller's stream request that did not
    (``include_usage`` absent or false); None when it did, or sent options that are not of the
    API's shape, which the upstream judges."""
    options = body.get("stream_options")
    if options is None:
        return {"include_usage": True}
    if not isinstance(options, dict) or options.get("include_usage", False) is not False:
        return None
    return {**options, "include_usage": True}


def starts_stream(event: SSEEvent) -> bool | None:
    """Whether a relayed stream's first event is a chat completion chunk (None: not an event
    that decides it). Azure's first chunk has empty ``choices``; that is still a start."""
    if event.data == "[DONE]":
        return False
    try:
        document = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(document, dict)
        and isinstance(document.get("choices"), list)
        and document.get("error") is None
    )
