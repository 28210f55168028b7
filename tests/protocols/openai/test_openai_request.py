"""OpenAI request codec: golden decode/encode, round trips, refusals and malformed input."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterator

import pytest

from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    MessageEnd,
    MessageStart,
    Reasoning,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
)
from mlx_manager.errors import InvalidRequest, Untranslatable
from mlx_manager.protocols.openai import decode_request, encode_request
from mlx_manager.protocols.openai.structured import unwrap_response, unwrap_stream
from mlx_manager.protocols.table import OPENAI

WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}

WIRE = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather in Paris and Tokyo? See"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://x.test/a.jpg", "detail": "low"},
                },
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Tokyo"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "22C"}]},
        {"role": "user", "content": "Thanks"},
    ],
    "tools": [
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather", "parameters": WEATHER},
        }
    ],
    "tool_choice": "required",
    "parallel_tool_calls": False,
    "temperature": 0,
    "top_p": 0.9,
    "seed": 7,
    "stop": "END",
    "max_completion_tokens": 512,
    "user": "u-1",
    "reasoning_effort": "low",
    "stream": True,
    "stream_options": {"include_usage": True},
    "unknown_field": {"ignored": True},
}

IR = ChatRequest(
    model="gpt-4o",
    system=[TextPart("You are terse."), TextPart("Use metric units.")],
    messages=[
        Message(
            "user",
            [
                TextPart("Weather in Paris and Tokyo? See"),
                ImagePart(media_type="image/png", data="iVBORw0KGgo="),
                ImagePart(url="https://x.test/a.jpg", detail="low"),
            ],
        ),
        Message(
            "assistant",
            [
                ToolCallPart("call_1", "get_weather", '{"city": "Paris"}'),
                ToolCallPart("call_2", "get_weather", '{"city": "Tokyo"}'),
            ],
        ),
        Message(
            "user",
            [
                ToolResultPart("call_1", [TextPart("18C")]),
                ToolResultPart("call_2", [TextPart("22C")]),
            ],
        ),
        Message("user", [TextPart("Thanks")]),
    ],
    tools=[ToolSpec("get_weather", "Weather", WEATHER)],
    tool_choice=ToolChoice(mode="any", disable_parallel=True),
    max_tokens=512,
    temperature=0,
    top_p=0.9,
    stop=["END"],
    seed=7,
    stream=True,
    include_usage=True,
    reasoning=Reasoning(effort="low"),
    user="u-1",
)


def test_decode_golden() -> None:
    decoded = decode_request(copy.deepcopy(WIRE))
    assert decoded == IR
    assert decoded.temperature is not None
    assert decoded.temperature == 0


def test_encode_golden() -> None:
    assert encode_request(IR, model="gpt-4o-mini") == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are terse.\n\nUse metric units."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather in Paris and Tokyo? See"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
                    },
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://x.test/a.jpg", "detail": "low"},
                    },
                ],
            },
            WIRE["messages"][3],  # type: ignore[index]
            {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "call_2", "content": "22C"},
            {"role": "user", "content": "Thanks"},
        ],
        "tools": WIRE["tools"],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "max_completion_tokens": 512,
        "temperature": 0,
        "top_p": 0.9,
        "seed": 7,
        "user": "u-1",
        "stop": ["END"],
        "reasoning_effort": "low",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_round_trip_wire_ir_wire_ir() -> None:
    # System parts are joined into one message, for servers that take only string content.
    joined = dataclasses.replace(IR, system=[TextPart("You are terse.\n\nUse metric units.")])
    assert decode_request(encode_request(IR, model="gpt-4o")) == joined


def test_max_tokens_field_and_fallback() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 9}
    request = decode_request(body)
    assert request.max_tokens == 9
    assert encode_request(request, model="m", max_tokens_field="max_tokens")["max_tokens"] == 9
    both = {**body, "max_completion_tokens": 5}
    assert decode_request(both).max_tokens == 5


def test_reasoning_content_and_thinking_blocks_on_assistant_messages() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a", "reasoning_content": "thought"},
            {"role": "user", "content": "q2"},
            {
                "role": "assistant",
                "content": "b",
                "reasoning_content": "ignored when blocks are given",
                "thinking_blocks": [
                    {"type": "thinking", "thinking": "t", "signature": "sig"},
                    {"type": "redacted_thinking", "data": "opaque"},
                ],
            },
        ],
    }
    request = decode_request(body)
    assert request.messages[1].content == [ThinkingPart("thought"), TextPart("a")]
    assert request.messages[3].content == [
        ThinkingPart("t", signature="sig"),
        ThinkingPart(redacted_data="opaque"),
        TextPart("b"),
    ]
    # Prior reasoning is not sent to OpenAI-protocol providers.
    assert encode_request(request, model="m")["messages"][1] == {
        "role": "assistant",
        "content": "a",
    }


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        ("auto", None, ToolChoice("auto")),
        ("none", None, ToolChoice("none")),
        ("required", True, ToolChoice("any")),
        ({"type": "function", "function": {"name": "f"}}, None, ToolChoice("tool", "f")),
        (None, False, ToolChoice("auto", disable_parallel=True)),
        (None, None, None),
    ],
)
def test_tool_choice(choice: object, parallel: bool | None, expected: ToolChoice | None) -> None:
    body: dict[str, object] = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    if choice is not None:
        body["tool_choice"] = choice
    if parallel is not None:
        body["parallel_tool_calls"] = parallel
    request = decode_request(body)
    assert request.tool_choice == expected
    assert request.tools[0].parameters == {"type": "object", "properties": {}}
    assert decode_request(encode_request(request, model="m")).tool_choice == expected


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"n": 2}, "n"),
        ({"logprobs": True}, "logprobs"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"logit_bias": {"1": 5}}, "logit_bias"),
        ({"frequency_penalty": 0.5}, "frequency_penalty"),
        ({"presence_penalty": -1.0}, "presence_penalty"),
        ({"audio": {"voice": "alloy", "format": "wav"}}, "audio"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"prediction": {"type": "content", "content": "x"}}, "prediction"),
        ({"response_format": {"type": "grammar"}}, "response_format.type"),
        (
            {
                "response_format": {"type": "json_object"},
                "tools": [{"type": "function", "function": {"name": "f"}}],
            },
            "response_format",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "list", "schema": {"type": "array"}},
                }
            },
            "response_format.json_schema.schema",
        ),
        ({"functions": [{"name": "f"}]}, "functions"),
        ({"tools": [{"type": "custom", "custom": {"name": "c"}}]}, "tools[0].type"),
        ({"tool_choice": {"type": "allowed_tools", "allowed_tools": {}}}, "tool_choice.type"),
    ],
)
def test_untranslatable_fields_are_refused(extra: dict[str, object], param: str) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **extra}
    with pytest.raises(Untranslatable) as info:
        decode_request(body)
    assert info.value.param == param


def test_harmless_defaults_are_accepted() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "n": 1,
        "logprobs": False,
        "frequency_penalty": 0,
        "presence_penalty": 0.0,
        "response_format": {"type": "text"},
        "modalities": ["text"],
        "reasoning_effort": "none",
        "store": False,
        "metadata": {"k": "v"},
    }
    assert decode_request(body).reasoning is None


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        (
            [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}],
            "messages[0].content[0].type",
        ),
        (
            [{"role": "user", "content": [{"type": "file", "file": {}}]}],
            "messages[0].content[0].type",
        ),
        ([{"role": "function", "name": "f", "content": "x"}], "messages[0].role"),
        ([{"role": "assistant", "audio": {"id": "a"}}], "messages[0].audio"),
        (
            [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            "messages[0].content[0].type",
        ),
    ],
)
def test_untranslatable_content_is_refused(messages: list[object], param: str) -> None:
    with pytest.raises(Untranslatable) as info:
        decode_request({"model": "m", "messages": messages})
    assert info.value.param == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": 3, "messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m", "messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"role": "user"}]}, "messages[0].content"),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        (
            {"model": "m", "messages": [{"role": "tool", "content": "x"}]},
            "messages[0].tool_call_id",
        ),
        ({"model": "m", "messages": "hi"}, "messages"),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "text"}]}]},
            "messages[0].content[0].text",
        ),
        (
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": 1}}]}
                ],
            },
            "messages[0].content[0].image_url.url",
        ),
        (
            {
                "model": "m",
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "data:xx"}}],
                    }
                ],
            },
            "messages[0].content[0].image_url.url",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "0.5"},
            "temperature",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0},
            "max_tokens",
        ),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": [1]}, "stop[0]"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}, "stream"),
        (
            {
                "model": "m",
                "messages": [{"role": "user", "content": "x"}],
                "reasoning_effort": "max",
            },
            "reasoning_effort",
        ),
    ],
)
def test_malformed_requests_name_the_field(body: object, param: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        decode_request(body)
    assert type(info.value) is InvalidRequest
    assert info.value.param == param, info.value.message


@pytest.mark.parametrize("body", [None, [], "x", 3])
def test_non_object_body(body: object) -> None:
    with pytest.raises(InvalidRequest):
        decode_request(body)


def test_encode_refuses_images_in_tool_results() -> None:
    request = ChatRequest(
        model="m",
        messages=[Message("user", [ToolResultPart("t1", [ImagePart(url="https://x.test/i.png")])])],
    )
    with pytest.raises(Untranslatable) as info:
        encode_request(request, model="m")
    assert info.value.param == "messages[0].content[0].content"


def test_encode_budget_becomes_effort_and_user_text_around_tool_results() -> None:
    request = ChatRequest(
        model="m",
        messages=[
            Message("user", [ToolResultPart("t1", [TextPart("r")], is_error=True), TextPart("go")])
        ],
        reasoning=Reasoning(budget_tokens=20000),
        top_k=40,
    )
    body = encode_request(request, model="m")
    assert body["messages"] == [
        {"role": "tool", "tool_call_id": "t1", "content": "r"},
        {"role": "user", "content": "go"},
    ]
    assert body["reasoning_effort"] == "medium"
    assert body["top_k"] == 40


def test_encode_system_turn_in_place() -> None:
    request = ChatRequest(
        model="m",
        system=[TextPart("You are Claude Code.")],
        messages=[
            Message("user", [TextPart("hi")]),
            Message("system", [TextPart("Plan mode "), TextPart("is on.")]),
            Message("user", [TextPart("go")]),
        ],
    )
    assert encode_request(request, model="gpt")["messages"] == [
        {"role": "system", "content": "You are Claude Code."},
        {"role": "user", "content": "hi"},
        {"role": "system", "content": "Plan mode is on."},
        {"role": "user", "content": "go"},
    ]


WEATHER_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "celsius": {"type": "number"}},
    "required": ["city", "celsius"],
}


def test_json_schema_becomes_a_forced_tool_whose_call_is_the_reply_text() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "weather", "schema": WEATHER_SCHEMA, "strict": True},
        },
    }
    request = decode_request(body)
    assert request.tools == [
        ToolSpec("weather", "Give the answer in this JSON schema.", WEATHER_SCHEMA)
    ]
    assert request.tool_choice == ToolChoice("tool", "weather")
    reply = ChatResponse(
        id="r",
        model="m",
        content=[ToolCallPart("toolu_1", "weather", '{"city":"Paris","celsius":21}')],
        stop_reason="tool_use",
    )
    encoded = OPENAI.encode_response(reply, request)
    choice = encoded["choices"][0]  # type: ignore[index]
    assert choice["message"]["content"] == '{"city":"Paris","celsius":21}'
    assert "tool_calls" not in choice["message"]
    assert choice["finish_reason"] == "stop"


def test_json_object_is_a_forced_tool_taking_any_object() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_object"},
    }
    request = decode_request(body)
    assert [t.name for t in request.tools] == ["json_object"]
    assert request.tools[0].parameters == {"type": "object"}


def test_without_response_format_a_reply_is_left_alone() -> None:
    request = decode_request({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    reply = ChatResponse(id="r", model="m", content=[ToolCallPart("c", "weather", "{}")])
    assert unwrap_response(reply, request) is reply


async def test_a_structured_stream_is_text_deltas() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_object"},
    }
    request = decode_request(body)

    async def events() -> AsyncIterator[StreamEvent]:
        for event in (
            MessageStart("r", "m"),
            ToolCallStart(0, "toolu_1", "json_object"),
            ToolCallDelta(0, '{"a":'),
            ToolCallDelta(0, "1}"),
            MessageEnd("tool_use"),
        ):
            yield event

    assert [e async for e in unwrap_stream(events(), request)] == [
        MessageStart("r", "m"),
        TextDelta('{"a":'),
        TextDelta("1}"),
        MessageEnd("end_turn"),
    ]
