"""``response_format`` (``json_schema``, ``json_object``) served through the IR, so by targets
that have no such field, Anthropic providers among them: a forced tool whose parameters are the
schema, and whose call comes back to the caller as the message's text, with ``finish_reason``
``stop``. The same-protocol fast path relays ``response_format`` itself and never comes here.
A provider whose catalogue row takes Anthropic's structured outputs gets a ``json_schema``'s
schema itself instead (``json_schema_of``), and answers it as text.

Offered together with tools it is refused (forcing one tool would keep the model from the
others), as is a schema whose root is not an object (a tool's input is one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, fields, replace

from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    ContentPart,
    MessageEnd,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    ToolSpec,
)
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.openai.schemas import OpenAIResponseFormat
from mlx_manager.protocols.structured import JSON_OBJECT_TOOL, forced_tool


@dataclass(slots=True)
class OpenAIChat(ChatRequest):
    """A chat request that came in as an OpenAI chat request, with what its reply needs."""

    # The forced tool that stands for ``response_format``: its call is the reply's text.
    structured: str | None = None


def with_structured(request: ChatRequest, name: str) -> OpenAIChat:
    """``request`` whose reply turns calls of the tool ``name`` into text."""
    values = {f.name: getattr(request, f.name) for f in fields(request)}
    return OpenAIChat(**values, structured=name)


def structured_tool(response_format: OpenAIResponseFormat, *, has_tools: bool) -> ToolSpec | None:
    """The forced tool standing for ``response_format``; None for plain text."""
    spec = response_format.json_schema
    if response_format.type == "json_schema" and spec is None:
        raise InvalidRequest(
            "'response_format.json_schema' is required.", param="response_format.json_schema"
        )
    return forced_tool(
        response_format.type,
        param="response_format",
        schema=spec.schema_ if spec is not None else None,
        schema_param="response_format.json_schema.schema",
        name=spec.name if spec is not None else None,
        name_param="response_format.json_schema.name",
        description=spec.description if spec is not None else None,
        has_tools=has_tools,
    )


def json_schema_of(request: ChatRequest) -> dict[str, object] | None:
    """The schema a ``json_schema`` ``response_format`` asked for, for a provider that takes it
    natively; None for ``json_object`` (no schema) and for a request that asked for neither."""
    name = _structured(request)
    if name is None or name == JSON_OBJECT_TOOL:
        return None
    return next((tool.parameters for tool in request.tools if tool.name == name), None)


def _structured(request: ChatRequest) -> str | None:
    return request.structured if isinstance(request, OpenAIChat) else None


def unwrap_response(response: ChatResponse, request: ChatRequest) -> ChatResponse:
    """The reply with the forced tool's call as its text, when the request had one."""
    name = _structured(request)
    if name is None:
        return response
    content: list[ContentPart] = [
        TextPart(part.arguments) if isinstance(part, ToolCallPart) and part.name == name else part
        for part in response.content
    ]
    if content == response.content:
        return response
    stop = "end_turn" if response.stop_reason == "tool_use" else response.stop_reason
    return replace(response, content=content, stop_reason=stop)


def unwrap_stream(
    events: AsyncIterator[StreamEvent], request: ChatRequest
) -> AsyncIterator[StreamEvent]:
    """The stream with the forced tool's call as text deltas, when the request had one."""
    name = _structured(request)
    return events if name is None else _unwrapped(events, name)


async def _unwrapped(events: AsyncIterator[StreamEvent], name: str) -> AsyncIterator[StreamEvent]:
    index: int | None = None
    async for event in events:
        if isinstance(event, ToolCallStart) and event.name == name:
            index = event.index
        elif isinstance(event, ToolCallDelta) and event.index == index:
            yield TextDelta(event.arguments)
        elif (
            isinstance(event, MessageEnd) and index is not None and event.stop_reason == "tool_use"
        ):
            yield replace(event, stop_reason="end_turn")
        else:
            yield event
