"""Which requests get a grammar: only those that force one tool."""

from __future__ import annotations

from mlx_manager.backends.mlx.constrain import forced_tool
from mlx_manager.core import ChatRequest, Message, TextPart, ToolChoice, ToolSpec

A = ToolSpec("a", "", {"type": "object"})
B = ToolSpec("b", "", {"type": "object"})


def _request(tools: list[ToolSpec], choice: ToolChoice | None) -> ChatRequest:
    messages = [Message(role="user", content=[TextPart("hi")])]
    return ChatRequest(model="m", messages=messages, tools=tools, tool_choice=choice)


def test_only_a_forced_single_tool_is_constrained() -> None:
    assert forced_tool(_request([A, B], ToolChoice("tool", "b"))) is B
    assert forced_tool(_request([A], ToolChoice("any"))) is A
    # The model may pick among several, or answer in text: no grammar, no cost.
    assert forced_tool(_request([A, B], ToolChoice("any"))) is None
    assert forced_tool(_request([A, B], ToolChoice("auto"))) is None
    assert forced_tool(_request([A], None)) is None
    assert forced_tool(_request([], ToolChoice("tool", "a"))) is None
