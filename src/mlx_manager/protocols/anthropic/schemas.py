"""Anthropic Messages API wire models: requests we receive, replies and stream events we read.

One block model covers every content block type (``type`` decides which fields are read), so a
validation error names the caller's field (``messages[1].content[0].source``) rather than a
union member. Request models are strict; what providers send is validated with ``strict=False``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlx_manager.protocols.wire import WireModel


class AnthropicSource(WireModel):
    type: str
    media_type: str | None = None
    data: str | None = None
    url: str | None = None


class AnthropicBlock(WireModel):
    type: str
    text: str | None = None
    cache_control: dict[str, object] | None = None
    source: AnthropicSource | None = None
    id: str | None = None
    name: str | None = None
    input: dict[str, object] | None = None
    tool_use_id: str | None = None
    content: str | list[AnthropicBlock] | None = None
    is_error: bool | None = None
    thinking: str | None = None
    signature: str | None = None
    data: str | None = None


class AnthropicMessage(WireModel):
    # ``system``: a turn of the ``mid-conversation-system`` beta, which Claude Code sends.
    role: Literal["user", "assistant", "system"]
    content: str | list[AnthropicBlock]


class AnthropicTool(WireModel):
    name: str
    type: str | None = None
    description: str | None = None
    input_schema: dict[str, object] | None = None


class AnthropicToolChoice(WireModel):
    type: Literal["auto", "any", "tool", "none"]
    name: str | None = None
    disable_parallel_tool_use: bool | None = None


class AnthropicThinking(WireModel):
    type: Literal["enabled", "disabled", "adaptive"]
    budget_tokens: int | None = Field(default=None, ge=1)


class AnthropicMetadata(WireModel):
    user_id: str | None = None


class AnthropicPrompt(WireModel):
    """What ``/v1/messages`` and ``/v1/messages/count_tokens`` share: all but the token cap."""

    model: str
    messages: list[AnthropicMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    system: str | list[AnthropicBlock] | None = None
    tools: list[AnthropicTool] | None = None
    tool_choice: AnthropicToolChoice | None = None
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: int | None = Field(default=None, ge=1)
    stop_sequences: list[str] | None = None
    stream: bool | None = None
    metadata: AnthropicMetadata | None = None
    thinking: AnthropicThinking | None = None
    # Declared only to be refused when set (see request.py).
    container: object | None = None
    mcp_servers: object | None = None
    output_format: object | None = None


class AnthropicMessagesRequest(AnthropicPrompt):
    max_tokens: int = Field(ge=1)


class AnthropicUsage(WireModel):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class AnthropicReply(WireModel):
    id: str = ""
    model: str = ""
    content: list[AnthropicBlock] = Field(default_factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: AnthropicUsage | None = None


class AnthropicDelta(WireModel):
    type: str | None = None
    text: str | None = None
    thinking: str | None = None
    signature: str | None = None
    partial_json: str | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None


class AnthropicStreamEvent(WireModel):
    """Any event of a Messages stream; ``type`` decides which fields are read."""

    type: str
    message: AnthropicReply | None = None
    index: int | None = None
    content_block: AnthropicBlock | None = None
    delta: AnthropicDelta | None = None
    usage: AnthropicUsage | None = None
    error: dict[str, object] | None = None
