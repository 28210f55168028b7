"""The provider side of the Responses API: IR requests as ``/v1/responses`` bodies, and a
provider's replies and event streams (golden ones, written to the API reference) as IR."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest

from mlx_manager.core import (
    ChatRequest,
    ImagePart,
    Message,
    MessageEnd,
    MessageStart,
    Reasoning,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
    Usage,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import (
    Untranslatable,
    UpstreamError,
    UpstreamRateLimited,
)
from mlx_manager.protocols.responses import provider
from mlx_manager.protocols.responses.request import decode_request
from mlx_manager.protocols.responses.stream import encode_stream
from mlx_manager.protocols.sse import SSEEvent
from tests.protocols.streams import stream_of

TOOL = ToolSpec("get_weather", "Weather by city", {"type": "object", "properties": {}})


def conversation() -> ChatRequest:
    return ChatRequest(
        model="ignored",
        system=[TextPart("be brief"), TextPart("be kind")],
        messages=[
            Message("user", [TextPart("weather?"), ImagePart(media_type="image/png", data="AAA")]),
            Message(
                "assistant",
                [
                    ThinkingPart(text="think", signature="opaque-1"),
                    ThinkingPart(text="no opaque data"),
                    TextPart("Let me check."),
                    ToolCallPart(id="call_1", name="get_weather", arguments='{"city":"Paris"}'),
                ],
            ),
            Message(
                "user",
                [
                    ToolResultPart("call_1", [TextPart("sunny")]),
                    ToolResultPart("call_2", [TextPart("see"), ImagePart(url="https://i/x.png")]),
                    TextPart("thanks"),
                ],
            ),
            Message("system", [TextPart("answer in French")]),
        ],
        tools=[TOOL],
        tool_choice=ToolChoice(mode="tool", name="get_weather", disable_parallel=True),
        max_tokens=300,
        temperature=0.5,
        top_p=0.9,
        stream=True,
        reasoning=Reasoning(budget_tokens=10000),
        user="u-1",
    )


def test_a_conversation_becomes_input_items() -> None:
    body = provider.encode_request(conversation(), model="gpt-5")
    assert body == {
        "model": "gpt-5",
        "store": False,
        "instructions": "be brief\n\nbe kind",
        "input": [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "weather?"},
                    {
                        "type": "input_image",
                        "image_url": "data:image/png;base64,AAA",
                        "detail": "auto",
                    },
                ],
            },
            {
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": "think"}],
                "encrypted_content": "opaque-1",
            },
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Let me check."}],
            },
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": '{"city":"Paris"}',
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
            {
                "type": "function_call_output",
                "call_id": "call_2",
                "output": [
                    {"type": "input_text", "text": "see"},
                    {"type": "input_image", "image_url": "https://i/x.png", "detail": "auto"},
                ],
            },
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "thanks"}],
            },
            {
                "type": "message",
                "role": "system",
                "content": [{"type": "input_text", "text": "answer in French"}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Weather by city",
                "parameters": {"type": "object", "properties": {}},
            }
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "parallel_tool_calls": False,
        "max_output_tokens": 300,
        "temperature": 0.5,
        "top_p": 0.9,
        "user": "u-1",
        "reasoning": {"summary": "auto", "effort": "medium"},
        "include": ["reasoning.encrypted_content"],
        "stream": True,
    }


@pytest.mark.parametrize(
    ("mode", "expected"), [("auto", "auto"), ("any", "required"), ("none", "none")]
)
def test_tool_choice_modes(mode: Any, expected: str) -> None:
    request = ChatRequest(model="m", messages=[], tools=[TOOL], tool_choice=ToolChoice(mode=mode))
    assert provider.encode_request(request, model="m")["tool_choice"] == expected


def test_an_effort_is_sent_as_it_is_and_adaptive_thinking_as_a_summary() -> None:
    request = ChatRequest(model="m", messages=[], reasoning=Reasoning(effort="high"))
    assert provider.encode_request(request, model="m")["reasoning"] == {
        "summary": "auto",
        "effort": "high",
    }
    request.reasoning = Reasoning()
    assert provider.encode_request(request, model="m")["reasoning"] == {"summary": "auto"}


@pytest.mark.parametrize(
    ("field", "value"), [("stop", ["END"]), ("seed", 7), ("top_k", 40)], ids=str
)
def test_fields_the_api_lacks_are_refused(field: str, value: object) -> None:
    request = ChatRequest(model="m", messages=[])
    setattr(request, field, value)
    with pytest.raises(Untranslatable) as refused:
        provider.encode_request(request, model="m")
    assert refused.value.param == field


def test_a_responses_request_survives_the_ir_to_a_responses_provider() -> None:
    """What a Responses caller sends, through the IR and back out, keeps its meaning."""
    body = {
        "model": "m",
        "instructions": "sys",
        "input": [
            {"role": "user", "content": "hi"},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "done"},
        ],
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": "required",
        "max_output_tokens": 50,
    }
    sent = provider.encode_request(decode_request(body), model="m")
    again = decode_request({**sent, "model": "m"})
    assert again.messages == decode_request(body).messages
    assert sent["tool_choice"] == "required" and sent["max_output_tokens"] == 50


REPLY: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "gpt-5",
    "error": None,
    "output": [
        {
            "id": "rs_1",
            "type": "reasoning",
            "summary": [
                {"type": "summary_text", "text": "a"},
                {"type": "summary_text", "text": "b"},
            ],
            "encrypted_content": "enc",
        },
        {"id": "ws_1", "type": "web_search_call", "status": "completed", "action": {}},
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [
                {"type": "output_text", "text": "Hello", "annotations": []},
                {"type": "refusal", "refusal": " no"},
            ],
        },
        {
            "id": "fc_1",
            "type": "function_call",
            "call_id": "call_1",
            "name": "lookup",
            "namespace": "crm",
            "arguments": '{"q":1}',
        },
    ],
    "usage": {
        "input_tokens": 30,
        "input_tokens_details": {"cached_tokens": 10},
        "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 2},
        "total_tokens": 35,
    },
}


def test_a_reply_becomes_a_chat_response() -> None:
    response = provider.decode_response(REPLY, provider="up")
    assert (response.id, response.model, response.stop_reason) == ("resp_1", "gpt-5", "tool_use")
    assert response.content == [
        ThinkingPart(text="a\n\nb", signature="enc"),
        TextPart("Hello"),
        TextPart(" no"),
        ToolCallPart(id="call_1", name="crm__lookup", arguments='{"q":1}'),
    ]
    assert response.usage == Usage(
        input_tokens=30, output_tokens=5, cached_tokens=10, reasoning_tokens=2
    )


@pytest.mark.parametrize(
    ("reason", "stop"),
    [("max_output_tokens", "max_tokens"), ("content_filter", "content_filter")],
)
def test_an_incomplete_reply_says_why(reason: str, stop: str) -> None:
    body = {**REPLY, "output": REPLY["output"][2:3], "status": "incomplete"}
    body["incomplete_details"] = {"reason": reason}
    assert provider.decode_response(body, provider="up").stop_reason == stop


def test_a_failed_reply_is_an_upstream_error_by_its_code() -> None:
    body = {
        **REPLY,
        "status": "failed",
        "error": {"code": "rate_limit_exceeded", "message": "slow"},
    }
    with pytest.raises(UpstreamRateLimited, match="up: slow"):
        provider.decode_response(body, provider="up")
    body["error"] = {"code": "server_error", "message": "boom"}
    with pytest.raises(UpstreamError) as failed:
        provider.decode_response(body, provider="up")
    assert failed.value.status == 500


def test_a_malformed_reply_names_the_field() -> None:
    with pytest.raises(UpstreamError, match="malformed reply: output"):
        provider.decode_response({**REPLY, "output": "nope"}, provider="up")
    bad_part = {"type": "message", "role": "assistant", "content": [{"type": "input_file"}]}
    with pytest.raises(UpstreamError, match="malformed reply"):
        provider.decode_response({**REPLY, "output": [bad_part]}, provider="up")


def test_is_reply_takes_responses_that_did_not_fail() -> None:
    assert provider.is_reply(REPLY)
    assert not provider.is_reply({**REPLY, "status": "failed"})
    assert not provider.is_reply({"error": {"message": "x"}})
    assert not provider.is_reply({"choices": []})


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
async def test_a_golden_stream_decodes(
    size: int,
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    raw = sse_bytes("responses_reasoning_tool_call.sse")
    events = [e async for e in provider.decode_stream(replay(raw, size), provider="up")]
    assert events == [
        MessageStart(id="resp_68a1", model="gpt-5-mini-2025-08-07"),
        ThinkingDelta(text="**Checking** the weather"),
        ThinkingDelta(text="\n\n"),
        ThinkingDelta(text="Call the tool."),
        ThinkingDelta(signature="gAAAAB-opaque"),
        TextDelta("Let me "),
        TextDelta("check."),
        ToolCallStart(index=2, id="call_abc", name="get_weather"),
        ToolCallDelta(index=2, arguments='{"city":'),
        ToolCallDelta(index=2, arguments='"Paris"}'),
        UsageUpdate(
            Usage(input_tokens=80, output_tokens=40, cached_tokens=64, reasoning_tokens=24)
        ),
        MessageEnd(stop_reason="tool_use"),
    ]


def _sse(*events: dict[str, Any]) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        for event in events:
            yield (
                b"event: "
                + str(event["type"]).encode()
                + b"\ndata: "
                + orjson.dumps(event)
                + b"\n\n"
            )

    return chunks()


CREATED = {"type": "response.created", "response": {"id": "r", "model": "m", "output": []}}


async def test_arguments_that_come_whole_are_one_delta() -> None:
    call = {"type": "function_call", "call_id": "c", "name": "f", "arguments": '{"a":1}'}
    done = {
        "type": "response.completed",
        "response": {"id": "r", "model": "m", "status": "completed"},
    }
    stream = _sse(
        CREATED,
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**call, "arguments": ""},
        },
        {"type": "response.output_item.done", "output_index": 0, "item": call},
        done,
    )
    reply = await accumulate(provider.decode_stream(stream, provider="up"))
    assert reply.content == [ToolCallPart(id="c", name="f", arguments='{"a":1}')]
    assert reply.stop_reason == "tool_use"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "error", "code": "rate_limit_exceeded", "message": "slow down"},
        {"type": "error", "error": {"code": "rate_limit_exceeded", "message": "slow down"}},
        {
            "type": "response.failed",
            "response": {"error": {"code": "rate_limit_exceeded", "message": "slow down"}},
        },
    ],
    ids=["error", "nested-error", "failed"],
)
async def test_an_error_mid_stream_raises(event: dict[str, Any]) -> None:
    stream = _sse(CREATED, event)
    with pytest.raises(UpstreamRateLimited, match="slow down"):
        [e async for e in provider.decode_stream(stream, provider="up")]


async def test_a_stream_that_stops_short_is_an_error() -> None:
    with pytest.raises(UpstreamError, match="before the response was complete"):
        [e async for e in provider.decode_stream(_sse(CREATED), provider="up")]


async def test_a_malformed_event_is_an_upstream_error() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"data: {not json\n\n"

    with pytest.raises(UpstreamError, match="malformed event"):
        [e async for e in provider.decode_stream(chunks(), provider="up")]


async def test_what_the_gateway_streams_a_responses_caller_decodes_back_to_the_same_reply() -> None:
    events = [
        MessageStart(id="resp_x", model="m"),
        ThinkingDelta(text="hmm"),
        ThinkingDelta(signature="sig"),
        TextDelta("Hi "),
        TextDelta("there"),
        ToolCallStart(index=0, id="call_1", name="f"),
        ToolCallDelta(index=0, arguments='{"a":'),
        ToolCallDelta(index=0, arguments="1}"),
        UsageUpdate(Usage(input_tokens=9, output_tokens=4, cached_tokens=3)),
        MessageEnd(stop_reason="tool_use"),
    ]
    request = decode_request({"model": "m", "input": "hi"})
    wire = encode_stream(stream_of(events), request)
    decoded = await accumulate(provider.decode_stream(wire, provider="up"))
    expected = await accumulate(stream_of(events))
    assert decoded.content == expected.content
    assert (decoded.stop_reason, decoded.usage) == (expected.stop_reason, expected.usage)


@pytest.mark.parametrize(
    ("data", "verdict"),
    [
        ('{"type":"response.created","response":{}}', True),
        ('{"type":"error","message":"x"}', False),
        ('{"type":"response.failed","response":{}}', False),
        ("[DONE]", False),
        ('{"choices":[]}', False),
    ],
)
def test_starts_stream(data: str, verdict: bool) -> None:
    assert provider.starts_stream(SSEEvent("x", data)) is verdict


async def test_a_stream_without_response_created_still_starts_a_reply() -> None:
    delta = {"type": "response.output_text.delta", "output_index": 0, "delta": "hi"}
    done = {"type": "response.completed", "response": {"id": "r9", "model": "m"}}
    events = [e async for e in provider.decode_stream(_sse(delta, done), provider="up")]
    assert events[:2] == [MessageStart(id="", model=""), TextDelta("hi")]
    assert events[-1] == MessageEnd(stop_reason="end_turn")
