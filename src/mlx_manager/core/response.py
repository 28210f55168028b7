"""A complete reply, and the fold that builds one from a stream."""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from mlx_manager.core.content import ContentPart, TextPart, ThinkingPart, ToolCallPart
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


@dataclass(slots=True)
class ChatResponse:
    id: str
    model: str
    content: list[ContentPart] = field(default_factory=list)
    stop_reason: StopReason = "end_turn"
    stop_sequence: str | None = None
    usage: Usage = field(default_factory=Usage)


class _Fold:
    """Appends events to a response, merging consecutive deltas of one kind into one part."""

    def __init__(self) -> None:
        self.response = ChatResponse(id="", model="")
        self._tools: dict[int, ToolCallPart] = {}

    def add(self, event: StreamEvent) -> None:
        content = self.response.content
        last = content[-1] if content else None
        match event:
            case MessageStart(id=id_, model=model):
                self.response.id, self.response.model = id_, model
            case TextDelta(text=text):
                if isinstance(last, TextPart):
                    last.text += text
                else:
                    content.append(TextPart(text=text))
            case ThinkingDelta(text=text, signature=sig, redacted_data=redacted):
                if redacted is not None:
                    content.append(ThinkingPart(redacted_data=redacted))
                    return
                if not isinstance(last, ThinkingPart) or last.redacted_data is not None:
                    last = ThinkingPart()
                    content.append(last)
                last.text += text
                if sig is not None:
                    last.signature = sig
            case ToolCallStart(index=index, id=id_, name=name):
                part = ToolCallPart(id=id_, name=name, arguments="")
                self._tools[index] = part
                content.append(part)
            case ToolCallDelta(index=index, arguments=args):
                self._tools[index].arguments += args
            case UsageUpdate(usage=usage):
                self.response.usage = usage
            case MessageEnd(stop_reason=reason, stop_sequence=seq):
                self.response.stop_reason, self.response.stop_sequence = reason, seq


async def accumulate(events: AsyncIterable[StreamEvent]) -> ChatResponse:
    """Fold a stream into the reply a non-streaming caller receives."""
    fold = _Fold()
    async for event in events:
        fold.add(event)
    return fold.response
