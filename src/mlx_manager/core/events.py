"""Stream events: what every backend produces, a union discriminated on ``type``.

Order: one ``MessageStart``; then deltas (text, thinking, tool calls; tool calls are identified by
``index`` so parallel calls can interleave); ``UsageUpdate`` any number of times (values are
totals so far, the last one wins); one ``MessageEnd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use", "content_filter"]


@dataclass(slots=True)
class Usage:
    # Every prompt token, cached ones included (OpenAI's prompt_tokens; Anthropic's input_tokens
    # plus its cache read and creation tokens).
    input_tokens: int = 0
    output_tokens: int = 0
    # Prompt tokens served from the provider's cache, and (Anthropic) written to it.
    cached_tokens: int = 0
    cache_creation_tokens: int = 0
    # Output tokens spent reasoning, where the provider says (OpenAI's reasoning_tokens).
    reasoning_tokens: int = 0


@dataclass(slots=True)
class MessageStart:
    id: str
    model: str
    type: Literal["message_start"] = "message_start"


@dataclass(slots=True)
class TextDelta:
    text: str
    type: Literal["text_delta"] = "text_delta"


@dataclass(slots=True)
class ThinkingDelta:
    """Reasoning text, or an opaque ``signature`` / ``redacted_data`` that closes a block."""

    text: str = ""
    signature: str | None = None
    redacted_data: str | None = None
    type: Literal["thinking_delta"] = "thinking_delta"


@dataclass(slots=True)
class ToolCallStart:
    index: int
    id: str
    name: str
    type: Literal["tool_call_start"] = "tool_call_start"


@dataclass(slots=True)
class ToolCallDelta:
    index: int
    arguments: str
    type: Literal["tool_call_delta"] = "tool_call_delta"


@dataclass(slots=True)
class UsageUpdate:
    usage: Usage
    type: Literal["usage"] = "usage"


@dataclass(slots=True)
class MessageEnd:
    stop_reason: StopReason
    stop_sequence: str | None = None
    type: Literal["message_end"] = "message_end"


StreamEvent = (
    MessageStart
    | TextDelta
    | ThinkingDelta
    | ToolCallStart
    | ToolCallDelta
    | UsageUpdate
    | MessageEnd
)
