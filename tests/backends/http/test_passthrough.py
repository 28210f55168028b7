"""The fast path over an in-memory transport: a success is relayed as its bytes came, and a
200 that is no success of its protocol (truncated, an error object, not a stream) raises, so
failover and target health see it."""

from __future__ import annotations

import pytest

from mlx_manager.backends.http.passthrough import forward, open_stream
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS
from mlx_manager.backends.http.transport import MockResponse
from mlx_manager.errors import InvalidUpstreamReply, UpstreamError
from mlx_manager.protocols.table import OPENAI
from tests.backends.http.conftest import JSON, KEY, SSE, client_for, json_reply, sse

COMPLETION = {"id": "c1", "object": "chat.completion", "choices": [], "usage": None}
CHUNK = {"id": "c1", "object": "chat.completion.chunk", "choices": []}


async def _forward(response: MockResponse) -> object:
    client, transport = client_for(lambda _: response)
    try:
        return await forward(
            client,
            path="/v1/chat/completions",
            body=b'{"model": "m"}',
            headers={},
            timeouts=DEFAULT_TIMEOUTS,
            is_reply=OPENAI.is_reply,
        )
    finally:
        assert transport.responses[0].released


async def test_a_reply_is_relayed_as_it_came() -> None:
    body = b'{"id": "c1", "choices": [], "extra": {"kept": true}}'
    reply = await _forward(MockResponse(headers=JSON, chunks=[body[:9], body[9:]]))
    assert getattr(reply, "body", None) == body


@pytest.mark.parametrize(
    "body",
    [b'{"id": "c1", "choi', b"<html>502</html>", b'{"object": "list", "data": []}', b""],
)
async def test_a_200_that_is_no_reply_raises(body: bytes) -> None:
    with pytest.raises(InvalidUpstreamReply):
        await _forward(MockResponse(headers=JSON, chunks=[body]))


async def test_a_200_error_object_keeps_its_message_without_the_key() -> None:
    with pytest.raises(UpstreamError) as raised:
        await _forward(json_reply({"error": {"message": f"overloaded; key {KEY}"}}))
    assert "overloaded" in raised.value.message and KEY not in raised.value.message


async def _open(response: MockResponse) -> tuple[bytes, list[bytes], MockResponse]:
    client, transport = client_for(lambda _: response)
    relay = await open_stream(
        client,
        path="/v1/chat/completions",
        body=b"{}",
        headers={},
        timeouts=DEFAULT_TIMEOUTS,
        starts=OPENAI.starts_stream,
    )
    rest = [chunk async for chunk in relay.rest]
    return relay.first, rest, transport.responses[0]


async def test_a_stream_is_held_until_its_first_event_then_relayed() -> None:
    whole = sse(CHUNK, CHUNK).chunks[0]
    first, rest, upstream = await _open(sse(CHUNK, CHUNK, split=5))
    assert first + b"".join(rest) == whole
    assert first.endswith(b"\n\n")  # the first event whole: it decided
    assert upstream.released


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (json_reply(COMPLETION), "not a stream"),
        (MockResponse(headers=SSE, chunks=[]), "ended before its first event"),
        (MockResponse(headers=SSE, chunks=[b"data: [DONE]\n\n"]), "does not start"),
        (MockResponse(headers=SSE, chunks=[b"data: garbage\n\n"]), "does not start"),
    ],
)
async def test_a_stream_that_does_not_start_as_streams_do_raises(
    response: MockResponse, problem: str
) -> None:
    with pytest.raises(InvalidUpstreamReply) as raised:
        await _open(response)
    assert problem in raised.value.message
    assert response.released


async def test_an_error_event_relayed_mid_stream_loses_the_key() -> None:
    leak = b'event: error\ndata: {"error": {"message": "key ' + KEY.encode() + b'"}}\n\n'
    stream = sse(CHUNK)
    stream.chunks.append(leak)
    first, rest, _ = await _open(stream)
    relayed = first + b"".join(rest)
    assert b"event: error" in relayed and KEY.encode() not in relayed
