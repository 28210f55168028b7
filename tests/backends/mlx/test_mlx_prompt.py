"""Prompts rendered with the tiny model's real tokenizer and chat template."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from mlx_manager.backends.mlx import LoadedModel, MLXBackend
from mlx_manager.backends.mlx.backend import _parser
from mlx_manager.backends.mlx.prompt import render_prompt
from mlx_manager.core import (
    ChatRequest,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
)

WEATHER = ToolSpec(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


@pytest.fixture
async def loaded(backend: MLXBackend) -> AsyncIterator[LoadedModel]:
    async with backend.pool.lease("tiny-llama") as model:
        yield model


def conversation(*, tool_choice: ToolChoice | None = None) -> ChatRequest:
    return ChatRequest(
        model="tiny-llama",
        system=[TextPart(text="Be brief.")],
        messages=[
            Message(role="user", content=[TextPart(text="Weather in Paris?")]),
            Message(
                role="assistant",
                content=[
                    ThinkingPart(text="hidden"),
                    ToolCallPart(id="call_1", name="get_weather", arguments='{"city": "Paris"}'),
                ],
            ),
            Message(
                role="user",
                content=[ToolResultPart(tool_call_id="call_1", content=[TextPart(text="21C")])],
            ),
        ],
        tools=[WEATHER],
        tool_choice=tool_choice,
    )


def test_tiny_model_loads_through_mlx_lm(loaded: LoadedModel) -> None:
    tokenizer = loaded.tokenizer
    assert tokenizer.has_tool_calling
    assert tokenizer.tool_call_start == "<tool_call>"
    assert tokenizer.has_thinking
    assert tokenizer.eos_token_ids == {0}


def test_template_renders_system_tools_and_history(loaded: LoadedModel) -> None:
    prompt = render_prompt(loaded.tokenizer, conversation())

    assert prompt.text.startswith("<|im_start|>system\nBe brief.")
    assert '"name": "get_weather"' in prompt.text
    assert '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>' in (
        prompt.text
    )
    assert "<tool_response>21C</tool_response>" in prompt.text
    assert "hidden" not in prompt.text
    assert prompt.text.endswith("<|im_start|>assistant\n")
    assert loaded.tokenizer.decode(prompt.tokens) == prompt.text
    assert not prompt.starts_in_thinking
    assert prompt.tools[0]["function"] == {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": WEATHER.parameters,
    }


def test_a_system_turn_is_rendered_where_it_stands(loaded: LoadedModel) -> None:
    request = ChatRequest(
        model="tiny-llama",
        messages=[
            Message("user", [TextPart("hi")]),
            Message("assistant", [TextPart("hello")]),
            Message("system", [TextPart("Plan mode is on.")]),
            Message("user", [TextPart("go")]),
        ],
    )
    text = render_prompt(loaded.tokenizer, request).text
    turns = [turn.split("\n", 1)[0] for turn in text.split("<|im_start|>")[1:]]
    assert turns[-4:] == ["assistant", "system", "user", "assistant"]
    assert "<|im_start|>system\nPlan mode is on.<|im_end|>" in text


def test_tool_choice_none_leaves_tools_out(loaded: LoadedModel) -> None:
    prompt = render_prompt(loaded.tokenizer, conversation(tool_choice=ToolChoice(mode="none")))
    assert "# Tools" not in prompt.text
    assert prompt.tools == []


def test_model_tool_call_output_is_parsed_with_the_tokenizers_parser(
    loaded: LoadedModel,
) -> None:
    prompt = render_prompt(loaded.tokenizer, conversation())
    parser = _parser(loaded, prompt)
    call = json.dumps({"name": "get_weather", "arguments": {"city": "Lyon"}})

    events = parser.feed(f"<tool_call>{call}</tool_call>") + parser.finish()

    assert [type(e) for e in events] == [ToolCallStart, ToolCallDelta]
    assert events[1] == ToolCallDelta(index=0, arguments='{"city": "Lyon"}')
    assert parser.tool_calls == 1
