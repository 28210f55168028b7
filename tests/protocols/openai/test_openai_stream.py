"""OpenAI stream codec: exact chunk sequences, SDK parsing, recorded provider streams."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import openai
import orjson
import pytest
from openai.types.chat import ChatCompletionChunk

from mlx_manager.core import (
    MessageEnd,
    MessageStart,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import UpstreamError, UpstreamUnavailable
from mlx_manager.protocols.openai import OpenAIStreamDecoder, decode_stream, encode_stream
from mlx_manager.protocols.sse import SSEParser
from tests.protocols.streams import collect, stream_of

EVENTS: list[StreamEvent] = [
    MessageStart(id="msg_01", model="m"),
    UsageUpdate(Usage(input_tokens=30)),
    ThinkingDelta(text="Hmm."),
    ThinkingDelta(signature="sig"),
    TextDelta(text="Hi"),
    ToolCallStart(index=3, id="toolu_a", name="f"),
    ToolCallDelta(index=3, arguments='{"x":'),
    ToolCallStart(index=4, id="toolu_b", name="g"),
    ToolCallDelta(index=4, arguments="{}"),
    ToolCallDelta(index=3, arguments="1}"),
    UsageUpdate(Usage(input_tokens=30, output_tokens=12, cached_tokens=8)),
    MessageEnd(stop_reason="tool_use"),
]


def payloads(frames: list[bytes]) -> list[object]:
    parser = SSEParser()
    out: list[object] = []
    for event in parser.feed(b"".join(frames)):
        out.append(event.data if event.data == "[DONE]" else orjson.loads(event.data))
    return out


async def test_encode_stream_exact_sequence() -> None:
    frames = await collect(encode_stream(stream_of(EVENTS), include_usage=True, created=100))
    chunks = payloads(frames)
    assert chunks[-1] == "[DONE]"
    head = {"id": "chatcmpl-01", "object": "chat.completion.chunk", "created": 100, "model": "m"}
    deltas = [(c["choices"][0]["delta"], c["choices"][0]["finish_reason"]) for c in chunks[:-2]]  # type: ignore[index]
    assert deltas == [
        ({"role": "assistant", "content": ""}, None),
        ({"reasoning_content": "Hmm."}, None),
        ({"thinking_blocks": [{"type": "thinking", "thinking": "", "signature": "sig"}]}, None),
        ({"content": "Hi"}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "toolu_a",
                        "type": "function",
                        "function": {"name": "f", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":'}}]}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "toolu_b",
                        "type": "function",
                        "function": {"name": "g", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}, None),
        ({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}, None),
        ({}, "tool_calls"),
    ]
    assert chunks[-2] == {
        **head,
        "choices": [],
        "usage": {
            "prompt_tokens": 30,
            "completion_tokens": 12,
            "total_tokens": 42,
            "prompt_tokens_details": {"cached_tokens": 8},
        },
    }
    for chunk in chunks[:-1]:
        assert {k: chunk[k] for k in head} == head  # type: ignore[index]
        ChatCompletionChunk.model_validate(chunk)


async def test_encode_stream_without_usage() -> None:
    chunks = payloads(await collect(encode_stream(stream_of(EVENTS), include_usage=False)))
    assert all(c == "[DONE]" or c["choices"] for c in chunks)  # type: ignore[index]


async def test_error_after_first_byte_becomes_an_error_event() -> None:
    error = UpstreamUnavailable("upstream down", provider="p")
    frames = await collect(encode_stream(stream_of(EVENTS[:5], error), include_usage=True))
    last = payloads(frames)[-1]
    assert last == {
        "error": {
            "message": "upstream down",
            "type": "server_error",
            "param": None,
            "code": "upstream_unavailable",
        }
    }
    assert b"[DONE]" not in b"".join(frames)


async def test_error_before_first_byte_propagates() -> None:
    with pytest.raises(UpstreamUnavailable):
        await collect(
            encode_stream(stream_of([], UpstreamUnavailable("x", provider="p")), include_usage=True)
        )


async def test_sdk_reads_our_stream_end_to_end() -> None:
    body = b"".join(await collect(encode_stream(stream_of(EVENTS), include_usage=True)))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = openai.AsyncOpenAI(api_key="k", base_url="http://gw.test/v1", http_client=http)
    async with client.chat.completions.stream(
        model="m", messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        completion = await stream.get_final_completion()
    await client.close()
    message = completion.choices[0].message
    assert message.content == "Hi"
    assert [(c.id, c.function.name, c.function.arguments) for c in message.tool_calls or []] == [  # type: ignore[union-attr]
        ("toolu_a", "f", '{"x":1}'),
        ("toolu_b", "g", "{}"),
    ]
    assert completion.usage is not None
    assert completion.usage.total_tokens == 42


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
async def test_decode_recorded_parallel_tool_stream(
    size: int,
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("openai_parallel_tools_usage.sse")
    events = [e async for e in decode_stream(replay(raw, size), provider="openai")]
    assert events == [
        MessageStart(id="chatcmpl-BxQ8f2bX4n1kT7yY9pZr", model="gpt-4o-2024-08-06"),
        ToolCallStart(index=0, id="call_Wx3mC9aZpQ1rS2tU", name="get_weather"),
        ToolCallDelta(index=0, arguments='{"ci'),
        ToolCallDelta(index=0, arguments='ty": "Paris"}'),
        ToolCallStart(index=1, id="call_Yb7nD4eFgH5iJ6kL", name="get_weather"),
        ToolCallDelta(index=1, arguments='{"city": '),
        ToolCallDelta(index=1, arguments='"Tokyo"}'),
        UsageUpdate(Usage(input_tokens=1412, output_tokens=46, cached_tokens=1280)),
        MessageEnd(stop_reason="tool_use"),
    ]


async def test_decode_recorded_reasoning_stream(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("openai_reasoning_text.sse")
    response = await accumulate(decode_stream(replay(raw, 13), provider="deepseek"))
    assert [(p.type, getattr(p, "text", None)) for p in response.content] == [
        ("thinking", "The user asks 2+2. That is 4."),
        ("text", "2 + 2 = 4."),
    ]
    # The recording's completion_tokens_details: 18 of the 25 output tokens were reasoning.
    assert response.usage == Usage(input_tokens=17, output_tokens=25, reasoning_tokens=18)
    assert response.stop_reason == "end_turn"


async def test_decoder_encoder_round_trip() -> None:
    frames = await collect(encode_stream(stream_of(EVENTS), include_usage=True))

    async def replayed() -> AsyncIterator[bytes]:
        for frame in frames:
            yield frame

    original = await accumulate(stream_of(EVENTS))
    decoded = await accumulate(decode_stream(replayed(), provider="self"))
    assert decoded.content == original.content
    assert decoded.usage == original.usage
    assert decoded.stop_reason == original.stop_reason


async def test_truncated_stream_is_an_upstream_error() -> None:
    async def truncated() -> AsyncIterator[bytes]:
        yield b'data: {"id":"x","model":"m","choices":[{"delta":{"content":"a"}}]}\n\n'

    with pytest.raises(UpstreamError, match="before a finish reason"):
        _ = [e async for e in decode_stream(truncated(), provider="p")]


@pytest.mark.parametrize(
    "data",
    [b"data: {not json\n\n", b'data: {"error": {"message": "overloaded"}}\n\n', b"data: []\n\n"],
)
async def test_bad_chunks_are_upstream_errors(data: bytes) -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield data

    with pytest.raises(UpstreamError):
        _ = [e async for e in decode_stream(stream(), provider="p")]


def test_decoder_fed_dicts_handles_providers_without_ids_or_indexes() -> None:
    decoder = OpenAIStreamDecoder(provider="p")
    events = decoder.feed(
        {
            "choices": [
                {
                    "delta": {"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]},
                    "finish_reason": "tool_calls",
                }
            ]
        }
    )
    assert [e.type for e in events] == ["message_start", "tool_call_start", "tool_call_delta"]
    start = events[1]
    assert isinstance(start, ToolCallStart)
    assert start.id.startswith("call_")
    assert start.index == 0
    assert decoder.finish() == [MessageEnd(stop_reason="tool_use")]


async def test_the_role_chunk_goes_out_with_the_first_content() -> None:
    chunks = await collect(encode_stream(stream_of(EVENTS), include_usage=True, created=100))
    first = [orjson.loads(e.data) for e in SSEParser().feed(chunks[0])]
    assert len(first) == 2
    assert first[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-1].endswith(b"data: [DONE]\n\n")
