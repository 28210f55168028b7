"""A chat request, independent of the protocol it arrived in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlx_manager.core.content import Message, TextPart


@dataclass(slots=True)
class ToolSpec:
    name: str
    description: str | None
    # JSON Schema of the arguments, kept as given.
    parameters: dict[str, object]


@dataclass(slots=True)
class ToolChoice:
    """``auto``: model decides; ``any``: must call some tool; ``tool``: must call ``name``."""

    mode: Literal["auto", "any", "none", "tool"]
    name: str | None = None
    disable_parallel: bool = False


@dataclass(slots=True)
class Reasoning:
    """Extended thinking: a token budget (Anthropic) or an effort level (OpenAI-style).

    Neither set: thinking is on and the model decides how much (Anthropic ``adaptive``).
    """

    budget_tokens: int | None = None
    effort: Literal["minimal", "low", "medium", "high"] | None = None


@dataclass(slots=True)
class ChatRequest:
    model: str
    messages: list[Message]
    system: list[TextPart] = field(default_factory=list)
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    stream: bool = False
    # OpenAI ``stream_options.include_usage``: a final usage chunk is wanted.
    include_usage: bool = False
    reasoning: Reasoning | None = None
    user: str | None = None
