"""``HttpBackend`` over an in-memory transport: the IR encoded in the provider's protocol, its
reply and stream decoded, for both protocols."""

from __future__ import annotations

import orjson
import pytest

from mlx_manager.backends.http.backend import HttpBackend
from mlx_manager.backends.http.transport import MockRequest, MockResponse
from mlx_manager.core import (
    ChatRequest,
    Message,
    MessageEnd,
    TextDelta,
    TextPart,
)
from mlx_manager.errors import UpstreamError
from mlx_manager.protocols.table import ApiType, EncodeOptions
from tests.backends.http.conftest import Handler, client_for, json_reply, sse

REQUEST = ChatRequest(
    model="alias", messages=(Message(role="user", content=(TextPart(text="hi"),)),)
)
OPTIONS = EncodeOptions(max_tokens_field="max_tokens", default_max_tokens=99)

OPENAI_REPLY = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}
ANTHROPIC_REPLY = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "m",
    "content": [{"type": "text", "text": "hello"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 3, "output_tokens": 1},
}


def backend(handler: Handler, api_type: ApiType) -> tuple[HttpBackend, list[MockRequest]]:
    client, transport = client_for(handler, api_type=api_type)
    return HttpBackend(client=client, options=OPTIONS), transport.requests


@pytest.mark.parametrize(
    ("api_type", "reply", "path"),
    [
        (ApiType.OPENAI, OPENAI_REPLY, "/v1/chat/completions"),
        (ApiType.ANTHROPIC, ANTHROPIC_REPLY, "/v1/messages"),
    ],
)
async def test_complete_speaks_the_providers_protocol(
    api_type: ApiType, reply: dict[str, object], path: str
) -> None:
    served, sent = backend(lambda _: json_reply(reply), api_type)
    response = await served.complete(REQUEST, model="real-model")
    assert [p.text for p in response.content if isinstance(p, TextPart)] == ["hello"]
    assert (response.usage.input_tokens, response.usage.output_tokens) == (3, 1)
    assert sent[0].url.path == path
    body = orjson.loads(sent[0].body or b"")
    assert body["model"] == "real-model"
    # The encode options reach the body: OpenAI's field for the cap, Anthropic's required cap.
    if api_type is ApiType.ANTHROPIC:
        assert body["max_tokens"] == 99
    else:
        assert "max_completion_tokens" not in body


async def test_a_reply_that_is_not_json_is_a_502() -> None:
    served, _ = backend(lambda _: MockResponse(chunks=[b"<html>oops</html>"]), ApiType.OPENAI)
    with pytest.raises(UpstreamError) as raised:
        await served.complete(REQUEST, model="m")
    assert raised.value.status == 502


async def test_stream_decodes_events() -> None:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hel"}, "finish_reason": None}],
    }
    end = {**chunk, "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]}
    served, sent = backend(lambda _: sse(chunk, end, split=20), ApiType.OPENAI)
    events = [e async for e in served.stream(REQUEST, model="m")]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "hello"
    assert isinstance(events[-1], MessageEnd)
    assert orjson.loads(sent[0].body or b"")["stream"] is True


async def test_a_stream_answered_with_json_is_a_502() -> None:
    served, _ = backend(lambda _: json_reply(OPENAI_REPLY), ApiType.OPENAI)
    with pytest.raises(UpstreamError) as raised:
        [e async for e in served.stream(REQUEST, model="m")]
    assert raised.value.status == 502
