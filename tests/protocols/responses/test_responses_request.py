"""Responses API requests decoded into the IR: items, tools, settings and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from mlx_manager.core import (
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
from mlx_manager.protocols.responses import ResponsesChat, decode_request, reply_headers

SCHEMA: dict[str, object] = {"type": "object", "properties": {"q": {"type": "string"}}}


def decoded(**body: Any) -> ResponsesChat:
    request = decode_request({"model": "m", **body})
    assert isinstance(request, ResponsesChat)
    return request


def test_a_string_input_is_one_user_message_and_instructions_the_system_prompt() -> None:
    request = decoded(input="hello", instructions="be brief", stream=True)
    assert request.messages == [Message(role="user", content=[TextPart(text="hello")])]
    assert request.system == [TextPart(text="be brief")]
    assert request.stream and request.include_usage


def test_items_make_a_conversation_in_the_ir() -> None:
    request = decoded(
        input=[
            {"role": "developer", "content": "rules"},
            {"type": "message", "role": "user", "content": [
                {"type": "input_text", "text": "look"},
                {"type": "input_image", "image_url": "data:image/png;base64,AAAA",
                 "detail": "high"},
                {"type": "input_image", "image_url": "https://img.test/a.jpg", "detail": "auto"},
            ]},
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "hm"}],
             "encrypted_content": "sig"},
            {"role": "assistant", "content": [{"type": "output_text", "text": "calling"}]},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call", "call_id": "c2", "name": "g", "arguments": "{}",
             "namespace": "crm"},
            {"type": "function_call_output", "call_id": "c1", "output": "one"},
            {"type": "function_call_output", "call_id": "c2",
             "output": [{"type": "input_text", "text": "two"}]},
            {"role": "system", "content": [{"type": "input_text", "text": "more rules"}]},
            {"role": "user", "content": "thanks"},
        ]
    )  # fmt: skip
    assert request.system == [TextPart(text="rules"), TextPart(text="more rules")]
    assert request.messages == [
        Message(
            role="user",
            content=[
                TextPart(text="look"),
                ImagePart(media_type="image/png", data="AAAA", detail="high"),
                ImagePart(url="https://img.test/a.jpg"),
            ],
        ),
        Message(
            role="assistant",
            content=[
                ThinkingPart(text="hm", signature="sig"),
                TextPart(text="calling"),
                ToolCallPart(id="c1", name="f", arguments="{}"),
                ToolCallPart(id="c2", name="crm__g", arguments="{}"),
            ],
        ),
        Message(
            role="user",
            content=[
                ToolResultPart(tool_call_id="c1", content=[TextPart(text="one")]),
                ToolResultPart(tool_call_id="c2", content=[TextPart(text="two")]),
            ],
        ),
        Message(role="user", content=[TextPart(text="thanks")]),
    ]


def test_redacted_reasoning_goes_back_as_redacted_data() -> None:
    request = decoded(
        input=[{"type": "reasoning", "summary": [], "encrypted_content": "redacted:xyz"}]
    )
    assert request.messages[0].content == [ThinkingPart(redacted_data="xyz")]


def test_tools_are_flattened_and_hosted_ones_left_out_and_named() -> None:
    request = decoded(
        input="hi",
        tools=[
            {"type": "function", "name": "f", "description": "F", "parameters": SCHEMA,
             "strict": True},
            {"type": "web_search"},
            {"type": "namespace", "name": "crm", "description": "CRM", "tools": [
                {"type": "function", "name": "lookup"},
                {"type": "custom", "name": "free"},
            ]},
            {"type": "web_search"},
        ],
        tool_choice="required",
        parallel_tool_calls=False,
    )  # fmt: skip
    assert request.tools == [
        ToolSpec("f", "F", SCHEMA),
        ToolSpec("crm__lookup", None, {"type": "object", "properties": {}}),
    ]
    assert request.namespaces == {"crm__lookup": ("crm", "lookup")}
    assert request.dropped_tools == ["web_search", "custom"]
    assert reply_headers(request) == {"x-mlx-manager-dropped-tools": "web_search, custom"}
    assert request.tool_choice == ToolChoice(mode="any", disable_parallel=True)
    assert reply_headers(decoded(input="hi")) == {}


def test_settings_map_to_the_ir_and_codex_fields_are_accepted() -> None:
    request = decoded(
        input="hi",
        max_output_tokens=50,
        temperature=0.5,
        top_p=0.9,
        reasoning={"effort": "xhigh", "summary": "auto"},
        tool_choice={"type": "function", "name": "f"},
        store=False,
        include=["reasoning.encrypted_content"],
        prompt_cache_key="k",
        client_metadata={"x": 1},
        text={"format": {"type": "text"}, "verbosity": "low"},
        user="u",
    )
    assert (request.max_tokens, request.temperature, request.top_p) == (50, 0.5, 0.9)
    assert request.reasoning == Reasoning(effort="high")
    assert request.tool_choice == ToolChoice(mode="tool", name="f")
    assert request.user == "u"
    assert request.echo["store"] is False
    assert request.echo["tool_choice"] == {"type": "function", "name": "f"}
    assert decoded(input="hi", reasoning={"effort": "none"}).reasoning is None


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"conversation": "conv_1"}, "conversation"),
        ({"background": True}, "background"),
        ({"text": {"format": {"type": "json_schema", "name": "a"}}}, "text.format.schema"),
        ({"text": {"format": {"type": "json_schema", "name": "a", "schema": {"type": "array"}}}},
         "text.format.schema"),
        ({"text": {"format": {"type": "json_object"}},
          "tools": [{"type": "function", "name": "f"}]}, "text.format"),
        ({"text": {"format": {"type": "grammar"}}}, "text.format.type"),
        ({"input": [{"type": "item_reference", "id": "x"}]}, "input[0].type"),
        ({"input": [{"role": "user", "content": [{"type": "input_file"}]}]},
         "input[0].content[0].type"),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
         "input[0].content[0].file_id"),
        ({"tool_choice": {"type": "web_search"}}, "tool_choice.type"),
        ({"input": [{"role": "tool", "content": "x"}]}, "input[0].role"),
        ({"input": [{"type": "function_call", "name": "f", "arguments": "{}"}]},
         "input[0].call_id"),
        ({"input": [{"type": "function_call_output", "call_id": "c"}]}, "input[0].output"),
        ({"temperature": "0.5"}, "temperature"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
        ({"input": [{"type": "message", "content": "x"}]}, "input[0].role"),
    ],
)  # fmt: skip
def test_what_cannot_be_served_is_refused_naming_the_field(
    body: dict[str, Any], param: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode_request({"model": "m", "input": "hi", **body})
    assert caught.value.param == param
    assert caught.value.status == 400
    if "conversation" in body:
        assert not isinstance(caught.value, Untranslatable)
        assert "previous_response_id" in caught.value.message


def test_conversation_state_is_echoed_for_the_http_edge_to_serve() -> None:
    # The edge has put the stored conversation in ``input``; the codec only repeats the fields.
    request = decoded(input="hi", previous_response_id="resp_1")
    assert request.echo["previous_response_id"] == "resp_1"
    assert request.echo["store"] is True
    assert request.response_id is None and request.keep is None


def test_structured_output_is_a_forced_tool() -> None:
    fmt = {"type": "json_schema", "name": "answer", "schema": SCHEMA, "strict": True}
    request = decoded(input="hi", text={"format": fmt}, tools=[{"type": "web_search"}])
    assert request.tools == [ToolSpec("answer", "Give the answer in this JSON schema.", SCHEMA)]
    assert request.tool_choice == ToolChoice(mode="tool", name="answer")
    assert request.structured == "answer"
    assert request.echo["text"] == {"format": fmt}
    plain = decoded(input="hi", text={"format": {"type": "json_object"}})
    assert plain.structured == "json_object"
    assert plain.tools[0].parameters == {"type": "object"}  # any object, as for OpenAI chat
