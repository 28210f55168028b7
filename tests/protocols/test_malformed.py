"""A provider reply that fails validation is reported briefly, as the field and what is wrong
with it: no pydantic banner, no echo of the input, no link to pydantic's documentation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from mlx_manager.errors import UpstreamError
from mlx_manager.protocols.anthropic import response as anthropic_response
from mlx_manager.protocols.anthropic import stream as anthropic_stream
from mlx_manager.protocols.openai import response as openai_response
from mlx_manager.protocols.openai import stream as openai_stream


def plain(error: UpstreamError) -> str:
    message = error.message
    for internal in ("validation error for", "input_value", "errors.pydantic.dev", "type="):
        assert internal not in message
    return message


def failure(call: Callable[[], object]) -> str:
    with pytest.raises(UpstreamError) as raised:
        call()
    return plain(raised.value)


async def stream_failure(decode: Callable[..., AsyncIterator[object]], data: bytes) -> str:
    async def chunks() -> AsyncIterator[bytes]:
        yield data

    with pytest.raises(UpstreamError) as raised:
        async for _ in decode(chunks(), provider="p"):
            pass
    return plain(raised.value)


def test_an_openai_reply_names_the_field() -> None:
    body = {"id": "x", "choices": [{"index": 0, "message": {"content": 5}}]}
    assert failure(lambda: openai_response.decode_response(body, provider="p")) == (
        "p sent a malformed reply: choices[0].message.content: Input should be a valid string"
    )


def test_a_reply_wrong_in_many_places_names_the_first_few() -> None:
    body = {
        "id": 5,
        "model": 5,
        "choices": [{"index": 0, "message": {"content": 5, "tool_calls": "x"}}],
    }
    assert failure(lambda: openai_response.decode_response(body, provider="p")) == (
        "p sent a malformed reply: id: Input should be a valid string; model: Input should be a"
        " valid string; choices[0].message.content: Input should be a valid string; and 1 more"
    )


async def test_openai_chunks_name_the_field_or_the_json_problem() -> None:
    assert await stream_failure(openai_stream.decode_stream, b"data: {not json\n\n") == (
        "p sent a malformed chunk: Invalid JSON: key must be a string at line 1 column 2"
    )
    chunk = b'data: {"choices": [{"delta": {"content": 5}}]}\n\n'
    assert await stream_failure(openai_stream.decode_stream, chunk) == (
        "p sent a malformed chunk: choices[0].delta.content: Input should be a valid string"
    )


def test_an_anthropic_reply_names_the_field() -> None:
    assert failure(lambda: anthropic_response.decode_response({"content": "x"}, provider="p")) == (
        "p sent a malformed reply: content: Input should be a valid list"
    )


async def test_anthropic_events_name_the_field() -> None:
    decoder = anthropic_stream.AnthropicStreamDecoder(provider="p")
    assert failure(lambda: decoder.feed({"index": 0})) == (
        "p sent a malformed event: type: Field required"
    )
    event = b'event: message_start\ndata: {"type": 5}\n\n'
    assert await stream_failure(anthropic_stream.decode_stream, event) == (
        "p sent a malformed event: type: Input should be a valid string"
    )
