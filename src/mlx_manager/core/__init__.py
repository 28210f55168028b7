"""The internal representation (IR) of a chat exchange: pure values, no I/O.

Data flow: a wire request (OpenAI or Anthropic JSON) is decoded by ``protocols`` into a
``ChatRequest``; ``routing`` picks targets; a backend turns it into an async stream of
``StreamEvent`` values; ``protocols`` encodes those events back into the caller's wire format.
A non-streaming reply is ``accumulate(events)``.

This package imports nothing else from ``mlx_manager``; wire shapes, HTTP and storage live
elsewhere.
"""

from mlx_manager.core.content import (
    ContentPart,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from mlx_manager.core.events import (
    MessageEnd,
    MessageStart,
    StopReason,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageUpdate,
)
from mlx_manager.core.request import ChatRequest, Reasoning, ToolChoice, ToolSpec
from mlx_manager.core.response import ChatResponse, accumulate

__all__ = [
    "ChatRequest",
    "ChatResponse",
    "ContentPart",
    "ImagePart",
    "Message",
    "MessageEnd",
    "MessageStart",
    "Reasoning",
    "StopReason",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingDelta",
    "ThinkingPart",
    "ToolCallDelta",
    "ToolCallPart",
    "ToolCallStart",
    "ToolChoice",
    "ToolResultPart",
    "ToolSpec",
    "Usage",
    "UsageUpdate",
    "accumulate",
]
