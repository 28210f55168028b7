"""Messages and their content parts.

Tool results travel as parts of a ``user`` message (as Anthropic models them); the OpenAI codec
maps them to and from ``tool`` role messages. A ``system`` message is an instruction given in the
middle of the conversation (Anthropic's mid-conversation system turns), kept where it stands;
the system prompt itself is ``ChatRequest.system``. Opaque provider data (thinking signatures,
redacted thinking, tool call ids) is kept verbatim so a round trip through the IR loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(slots=True)
class TextPart:
    text: str
    type: Literal["text"] = "text"
    # Anthropic prompt-caching marker, kept opaque so it survives Anthropic -> IR -> Anthropic.
    cache_control: dict[str, object] | None = None


@dataclass(slots=True)
class ImagePart:
    """An image given inline (``data`` base64 with ``media_type``) or by ``url``.

    URLs are handed to the provider as they are; the gateway never fetches them itself.
    """

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    detail: str | None = None
    type: Literal["image"] = "image"


@dataclass(slots=True)
class ToolCallPart:
    """A call the assistant made; ``arguments`` is the JSON text exactly as produced."""

    id: str
    name: str
    arguments: str
    type: Literal["tool_call"] = "tool_call"


@dataclass(slots=True)
class ToolResultPart:
    tool_call_id: str
    content: list[TextPart | ImagePart] = field(default_factory=list)
    is_error: bool = False
    type: Literal["tool_result"] = "tool_result"


@dataclass(slots=True)
class ThinkingPart:
    """Reasoning text. ``signature`` and ``redacted_data`` are opaque Anthropic fields."""

    text: str = ""
    signature: str | None = None
    redacted_data: str | None = None
    type: Literal["thinking"] = "thinking"


ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ThinkingPart


@dataclass(slots=True)
class Message:
    role: Literal["user", "assistant", "system"]
    content: list[ContentPart]

    def text(self) -> str:
        """The concatenated text parts, for backends that only take plain text."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))
