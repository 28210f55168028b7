"""Anthropic stream codec: exact event sequences, SDK parsing, recorded provider streams."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anthropic._base_client as sdk_base
import orjson
import pytest
from anthropic import AsyncAnthropic
from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from mlx_manager.core import (
    MessageEnd,
    MessageStart,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    Usage,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import UpstreamError, UpstreamUnavailable
from mlx_manager.protocols.anthropic import AnthropicStreamDecoder, decode_stream, encode_stream
from mlx_manager.protocols.sse import SSEParser
from tests.protocols.streams import collect, stream_of

# Recent SDKs carry their own fork of httpx (``httpx2``); the mock must come from the same one.
sdk_http = getattr(sdk_base, "httpx2", None) or sdk_base.httpx
SDK_EVENT: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)

EVENTS: list[StreamEvent] = [
    MessageStart(id="chatcmpl-7", model="m"),
    UsageUpdate(Usage(input_tokens=50, cached_tokens=20)),
    ThinkingDelta(text="Plan"),
    ThinkingDelta(text=" it."),
    ThinkingDelta(signature="sig1"),
    ThinkingDelta(redacted_data="red"),
    TextDelta(text="Sure"),
    ToolCallStart(index=0, id="call_a", name="f"),
    ToolCallDelta(index=0, arguments='{"x":'),
    ToolCallDelta(index=0, arguments="1}"),
    ToolCallStart(index=1, id="call_b", name="g"),
    ToolCallDelta(index=1, arguments="{}"),
    UsageUpdate(Usage(input_tokens=50, output_tokens=9, cached_tokens=20)),
    MessageEnd(stop_reason="tool_use"),
]


def parsed(frames: list[bytes]) -> list[tuple[str | None, dict[str, object]]]:
    return [(e.event, orjson.loads(e.data)) for e in SSEParser().feed(b"".join(frames))]


async def test_encode_stream_exact_sequence() -> None:
    events = parsed(await collect(encode_stream(stream_of(EVENTS))))
    for name, data in events:
        assert name == data["type"]
        if name != "ping":  # the SDK skips pings; they are not in its event union
            SDK_EVENT.validate_python(data)
    compact = [
        (d["type"], d.get("index"), d.get("content_block", d.get("delta"))) for _, d in events
    ]
    assert compact == [
        ("message_start", None, None),
        ("ping", None, None),
        ("content_block_start", 0, {"type": "thinking", "thinking": "", "signature": ""}),
        ("content_block_delta", 0, {"type": "thinking_delta", "thinking": "Plan"}),
        ("content_block_delta", 0, {"type": "thinking_delta", "thinking": " it."}),
        ("content_block_delta", 0, {"type": "signature_delta", "signature": "sig1"}),
        ("content_block_stop", 0, None),
        ("content_block_start", 1, {"type": "redacted_thinking", "data": "red"}),
        ("content_block_stop", 1, None),
        ("content_block_start", 2, {"type": "text", "text": ""}),
        ("content_block_delta", 2, {"type": "text_delta", "text": "Sure"}),
        ("content_block_stop", 2, None),
        ("content_block_start", 3, {"type": "tool_use", "id": "call_a", "name": "f", "input": {}}),
        ("content_block_delta", 3, {"type": "input_json_delta", "partial_json": '{"x":'}),
        ("content_block_delta", 3, {"type": "input_json_delta", "partial_json": "1}"}),
        ("content_block_stop", 3, None),
        ("content_block_start", 4, {"type": "tool_use", "id": "call_b", "name": "g", "input": {}}),
        ("content_block_delta", 4, {"type": "input_json_delta", "partial_json": "{}"}),
        ("content_block_stop", 4, None),
        ("message_delta", None, {"stop_reason": "tool_use", "stop_sequence": None}),
        ("message_stop", None, None),
    ]
    start = events[0][1]["message"]
    assert start["id"] == "msg_7"  # type: ignore[index]
    # The usage reported before any content rides on message_start.
    assert start["usage"] == {  # type: ignore[index]
        "input_tokens": 30,
        "output_tokens": 0,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 20,
    }
    assert events[-2][1]["usage"] == {
        "input_tokens": 30,
        "output_tokens": 9,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 20,
    }


async def test_error_after_first_byte_becomes_an_error_event() -> None:
    error = UpstreamUnavailable("down", provider="p", upstream_status=529)
    events = parsed(await collect(encode_stream(stream_of(EVENTS[:7], error))))
    assert events[-1] == (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "down"}},
    )


async def test_error_before_first_byte_propagates() -> None:
    error = UpstreamUnavailable("down", provider="p")
    with pytest.raises(UpstreamUnavailable):
        await collect(encode_stream(stream_of(EVENTS[:2], error)))


async def test_sdk_reads_our_stream_end_to_end() -> None:
    body = b"".join(await collect(encode_stream(stream_of(EVENTS))))

    def handler(request: object) -> object:
        return sdk_http.Response(200, content=body, headers={"content-type": "text/event-stream"})

    http = sdk_http.AsyncClient(transport=sdk_http.MockTransport(handler))
    client = AsyncAnthropic(api_key="k", base_url="http://gw.test", http_client=http)
    async with client.messages.stream(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        message = await stream.get_final_message()
    await client.close()
    assert [b.type for b in message.content] == [
        "thinking",
        "redacted_thinking",
        "text",
        "tool_use",
        "tool_use",
    ]
    assert message.content[3].input == {"x": 1}  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"
    assert message.usage.output_tokens == 9


@pytest.mark.parametrize("size", [1, 5, 97, 1_000_000])
async def test_decode_recorded_stream(
    size: int,
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("anthropic_thinking_tool_text.sse")
    events = [e async for e in decode_stream(replay(raw, size), provider="anthropic")]
    usage_start = Usage(input_tokens=2520, output_tokens=3, cached_tokens=2048)
    assert events == [
        MessageStart(id="msg_01XFDUDYJgAACzvnptvVoYEL", model="claude-sonnet-4-5-20250929"),
        UsageUpdate(usage_start),
        ThinkingDelta(text="The user wants the weather in Paris."),
        ThinkingDelta(text=" I should call get_weather."),
        ThinkingDelta(
            signature="EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+5fFfkUR7WdcQ=="
        ),
        TextDelta(text="Let me check "),
        TextDelta(text="the weather."),
        ToolCallStart(index=2, id="toolu_01T1x1fJ34qAmk2tNTrN7Up6", name="get_weather"),
        ToolCallDelta(index=2, arguments='{"city": "Pa'),
        ToolCallDelta(index=2, arguments='ris"}'),
        UsageUpdate(Usage(input_tokens=2520, output_tokens=89, cached_tokens=2048)),
        MessageEnd(stop_reason="tool_use"),
    ]


async def test_recorded_stream_folds_into_a_reply(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("anthropic_thinking_tool_text.sse")
    reply = await accumulate(decode_stream(replay(raw, 64), provider="anthropic"))
    assert reply.content[0] == ThinkingPart(
        "The user wants the weather in Paris. I should call get_weather.",
        signature="EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+5fFfkUR7WdcQ==",
    )
    assert reply.content[2] == ToolCallPart(
        "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", '{"city": "Paris"}'
    )


async def test_recorded_error_event_with_crlf_lines(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("anthropic_overloaded.sse")
    assert b"\r\n" in raw
    seen: list[StreamEvent] = []

    async def consume() -> None:
        async for event in decode_stream(replay(raw, 3), provider="anthropic"):
            seen.append(event)

    with pytest.raises(UpstreamUnavailable) as info:
        await consume()
    assert info.value.status == 529
    assert [e.type for e in seen] == ["message_start", "usage"]


async def test_encoder_decoder_round_trip() -> None:
    frames = await collect(encode_stream(stream_of(EVENTS)))

    async def replayed() -> AsyncIterator[bytes]:
        for frame in frames:
            yield frame

    original = await accumulate(stream_of(EVENTS))
    decoded = await accumulate(decode_stream(replayed(), provider="self"))
    assert decoded.content == original.content
    assert decoded.usage == original.usage
    assert decoded.stop_reason == "tool_use"


async def test_truncated_stream_is_an_upstream_error() -> None:
    async def truncated() -> AsyncIterator[bytes]:
        yield b"event: message_start\n"
        yield b'data: {"type":"message_start","message":{"id":"m","model":"c"}}\n\n'

    with pytest.raises(UpstreamError, match="before a stop reason"):
        _ = [e async for e in decode_stream(truncated(), provider="p")]


def test_decoder_fed_dicts() -> None:
    decoder = AnthropicStreamDecoder(provider="p")
    assert decoder.feed({"type": "ping"}) == []
    assert decoder.feed(
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "Hi"}}
    ) == [TextDelta("Hi")]
    assert decoder.feed(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "stop_sequence", "stop_sequence": "X"},
            "usage": {"output_tokens": 4},
        }
    ) == [UsageUpdate(Usage(output_tokens=4))]
    assert decoder.feed({"type": "message_stop"}) == [MessageEnd("stop_sequence", "X")]
    assert decoder.finish() == []
    with pytest.raises(UpstreamError):
        decoder.feed({"index": 0})


async def test_the_frames_of_one_event_go_out_in_one_chunk() -> None:
    # One write per IR event: the first content carries message_start, ping and its block's
    # start; the end carries the last block's stop, message_delta and message_stop.
    chunks = await collect(encode_stream(stream_of(EVENTS)))
    first = [e.event for e in SSEParser().feed(chunks[0])]
    assert first == ["message_start", "ping", "content_block_start", "content_block_delta"]
    last = [e.event for e in SSEParser().feed(chunks[-1])]
    assert last == ["content_block_stop", "message_delta", "message_stop"]
