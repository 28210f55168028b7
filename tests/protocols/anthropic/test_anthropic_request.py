"""Anthropic request codec: golden decode/encode, round trips, refusals and malformed input."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from mlx_manager.core import (
    ChatRequest,
    ImagePart,
    Message,
    Reasoning,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
)
from mlx_manager.errors import InvalidRequest, Untranslatable
from mlx_manager.protocols.anthropic import decode_request, encode_request
from mlx_manager.protocols.anthropic.request import AnthropicChat
from mlx_manager.protocols.table import ANTHROPIC

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}}
EPHEMERAL = {"type": "ephemeral"}

WIRE = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 2048,
    "system": [
        {"type": "text", "text": "You are Claude Code."},
        {"type": "text", "text": "Project notes.", "cache_control": EPHEMERAL},
    ],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather?"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"},
                },
                {"type": "image", "source": {"type": "url", "url": "https://x.test/m.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Need tools.", "signature": "EqQBsig"},
                {"type": "redacted_thinking", "data": "EmwKAhgB"},
                {"type": "text", "text": "Checking."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_2",
                    "name": "get_weather",
                    "input": {"city": "Tokyo"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_2",
                    "content": [{"type": "text", "text": "failed"}],
                    "is_error": True,
                },
                {"type": "text", "text": "Summarise.", "cache_control": EPHEMERAL},
            ],
        },
    ],
    "tools": [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}],
    "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
    "temperature": 0,
    "top_p": 0.8,
    "top_k": 5,
    "stop_sequences": ["\n\nHuman:"],
    "metadata": {"user_id": "u-9"},
    "thinking": {"type": "enabled", "budget_tokens": 1500},
    "stream": True,
    "service_tier": "auto",
}

IR = ChatRequest(
    model="claude-sonnet-4-5",
    system=[TextPart("You are Claude Code."), TextPart("Project notes.", cache_control=EPHEMERAL)],
    messages=[
        Message(
            "user",
            [
                TextPart("Weather?"),
                ImagePart(media_type="image/jpeg", data="/9j/"),
                ImagePart(url="https://x.test/m.png"),
            ],
        ),
        Message(
            "assistant",
            [
                ThinkingPart("Need tools.", signature="EqQBsig"),
                ThinkingPart(redacted_data="EmwKAhgB"),
                TextPart("Checking."),
                ToolCallPart("toolu_1", "get_weather", '{"city":"Paris"}'),
                ToolCallPart("toolu_2", "get_weather", '{"city":"Tokyo"}'),
            ],
        ),
        Message(
            "user",
            [
                ToolResultPart("toolu_1", [TextPart("18C")]),
                ToolResultPart("toolu_2", [TextPart("failed")], is_error=True),
                TextPart("Summarise.", cache_control=EPHEMERAL),
            ],
        ),
    ],
    tools=[ToolSpec("get_weather", "Weather", SCHEMA)],
    tool_choice=ToolChoice("any", disable_parallel=True),
    max_tokens=2048,
    temperature=0,
    top_p=0.8,
    top_k=5,
    stop=["\n\nHuman:"],
    stream=True,
    reasoning=Reasoning(budget_tokens=1500),
    user="u-9",
)


def test_decode_golden() -> None:
    decoded = decode_request(copy.deepcopy(WIRE))
    assert isinstance(decoded, AnthropicChat) and decoded.dropped == ["service_tier"]
    values = {f.name: getattr(decoded, f.name) for f in dataclasses.fields(ChatRequest)}
    assert ChatRequest(**values) == IR


def test_encode_is_the_original_wire() -> None:
    expected = {k: v for k, v in WIRE.items() if k != "service_tier"}
    # A lone plain text tool result is sent as a string, the form callers usually write.
    expected["messages"][2]["content"][1]["content"] = "failed"  # type: ignore[index]
    assert encode_request(IR, model="claude-sonnet-4-5", default_max_tokens=1) == expected


def test_round_trip_wire_ir_wire_ir() -> None:
    assert decode_request(encode_request(IR, model=IR.model, default_max_tokens=1)) == IR


def test_string_forms() -> None:
    body = {
        "model": "m",
        "max_tokens": 5,
        "system": "sys",
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": {"type": "adaptive"},
    }
    request = decode_request(body)
    assert request.system == [TextPart("sys")]
    assert request.reasoning == Reasoning()
    encoded = encode_request(request, model="m", default_max_tokens=1)
    assert encoded == {**body, "thinking": {"type": "adaptive"}}
    assert decode_request({**body, "thinking": {"type": "disabled"}}).reasoning is None


def test_encode_defaults_and_drops() -> None:
    request = ChatRequest(
        model="m",
        messages=[
            Message("user", [TextPart("q")]),
            Message(
                "assistant",
                [ThinkingPart("unsigned"), TextPart(""), ToolCallPart("call_1", "f", "")],
            ),
            Message("user", [ToolResultPart("call_1", [TextPart("")])]),
            Message("user", [TextPart("more")]),
        ],
        reasoning=Reasoning(effort="high"),
        tool_choice=ToolChoice("tool", "f"),
    )
    body = encode_request(request, model="claude", default_max_tokens=8192)
    assert body["max_tokens"] == 8192
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 8191}
    assert body["tool_choice"] == {"type": "tool", "name": "f"}
    assert body["messages"] == [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "call_1", "name": "f", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1"},
                {"type": "text", "text": "more"},
            ],
        },
    ]


def test_effort_needs_room_for_thinking() -> None:
    request = ChatRequest(
        model="m", messages=[Message("user", [TextPart("q")])], reasoning=Reasoning(effort="low")
    )
    with pytest.raises(Untranslatable) as info:
        encode_request(request, model="m", default_max_tokens=1000)
    assert info.value.param == "reasoning_effort"


def test_encode_refuses_non_object_arguments() -> None:
    request = ChatRequest(
        model="m", messages=[Message("assistant", [ToolCallPart("c", "f", "[1]")])]
    )
    with pytest.raises(InvalidRequest) as info:
        encode_request(request, model="m", default_max_tokens=10)
    assert info.value.param == "messages[0].content[0].arguments"


def base(**extra: object) -> dict[str, object]:
    return {
        "model": "m",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (base(tools=[{"type": "web_search_20250305", "name": "web_search"}]), "tools[0].type"),
        (base(mcp_servers=[{"type": "url"}]), "mcp_servers"),
        (base(container="c"), "container"),
        (
            base(
                messages=[
                    {"role": "user", "content": [{"type": "document", "source": {"type": "text"}}]}
                ]
            ),
            "messages[0].content[0].type",
        ),
        (
            base(
                messages=[
                    {
                        "role": "user",
                        "content": [{"type": "image", "source": {"type": "file", "file_id": "f"}}],
                    }
                ]
            ),
            "messages[0].content[0].source.type",
        ),
    ],
)
def test_untranslatable(body: dict[str, object], param: str) -> None:
    with pytest.raises(Untranslatable) as info:
        decode_request(body)
    assert info.value.param == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m", "messages": [{"role": "user", "content": "hi"}]}, "max_tokens"),
        (base(model=None), "model"),
        (base(messages=[{"role": "tool", "content": "x"}]), "messages[0].role"),
        (
            base(messages=[{"role": "system", "content": [{"type": "image"}]}]),
            "messages[0].content[0]",
        ),
        (base(messages=[{"role": "user"}]), "messages[0].content"),
        (
            base(messages=[{"role": "user", "content": [{"type": "text"}]}]),
            "messages[0].content[0].text",
        ),
        (
            base(
                messages=[
                    {
                        "role": "user",
                        "content": [{"type": "tool_use", "id": "a", "name": "f", "input": {}}],
                    }
                ]
            ),
            "messages[0].content[0]",
        ),
        (
            base(messages=[{"role": "user", "content": [{"type": "tool_result"}]}]),
            "messages[0].content[0].tool_use_id",
        ),
        (
            base(
                messages=[
                    {"role": "user", "content": [{"type": "image", "source": {"type": "base64"}}]}
                ]
            ),
            "messages[0].content[0].source.media_type",
        ),
        (base(system=[{"type": "image"}]), "system[0]"),
        (base(tool_choice={"type": "tool"}), "tool_choice.name"),
        (base(tool_choice={"type": "sometimes"}), "tool_choice.type"),
        (base(thinking={"type": "enabled"}), "thinking.budget_tokens"),
        (base(tools=[{"name": "f"}]), "tools[0].input_schema"),
        (base(temperature="hot"), "temperature"),
        (base(stop_sequences="x"), "stop_sequences"),
    ],
)
def test_malformed_requests_name_the_field(body: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        decode_request(body)
    assert type(info.value) is InvalidRequest, info.value
    assert info.value.param == param, info.value.message


def test_tool_result_without_matching_id_passes_through() -> None:
    body = base(
        messages=[{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope"}]}]
    )
    assert decode_request(body).messages[0].content == [ToolResultPart("nope")]


def test_tool_input_beyond_64_bit_integers_is_invalid_request() -> None:
    block = {"type": "tool_use", "id": "a", "name": "f", "input": {"x": 2**70}}
    with pytest.raises(InvalidRequest) as info:
        decode_request(base(messages=[{"role": "assistant", "content": [block]}]))
    assert info.value.param == "messages[0].content[0].input"


def test_seed_is_refused_naming_it() -> None:
    request = ChatRequest(model="m", messages=[Message("user", [TextPart("q")])], seed=3)
    with pytest.raises(Untranslatable) as info:
        encode_request(request, model="claude", default_max_tokens=10)
    assert info.value.param == "seed"
    assert info.value.status == 400


def test_system_turns_stay_in_place_and_join_the_system_prompt_upstream() -> None:
    body = base(
        system="You are Claude Code.",
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"},
            {"role": "system", "content": [{"type": "text", "text": "Plan mode is on."}]},
            {"role": "user", "content": "go"},
        ],
    )
    request = decode_request(body)
    assert request.messages[2] == Message("system", [TextPart("Plan mode is on.")])
    assert request.system == [TextPart("You are Claude Code.")]
    encoded = encode_request(request, model="claude", default_max_tokens=10)
    assert encoded["system"] == [
        {"type": "text", "text": "You are Claude Code."},
        {"type": "text", "text": "Plan mode is on."},
    ]
    assert encoded["messages"] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "go"},
    ]


def test_fields_the_ir_cannot_carry_are_named_for_the_reply() -> None:
    body = base(context_management={"edits": []}, service_tier="auto", metadata={"user_id": "u"})
    request = decode_request(body)
    assert request.user == "u"
    assert ANTHROPIC.reply_headers is not None
    assert ANTHROPIC.reply_headers(request) == {
        "x-mlx-manager-dropped-fields": "context_management, service_tier"
    }
    assert ANTHROPIC.reply_headers(decode_request(base())) == {}
