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
from mlx_manager.errors import InvalidRequest, Untranslatable
from mlx_manager.protocols.openai.schemas import OpenAIResponseFormat

# The forced tool's name for ``json_object``, which names no schema.
JSON_OBJECT_TOOL = "json_object"
_ANY_OBJECT: dict[str, object] = {"type": "object"}


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
    kind = response_format.type
    if kind == "text":
        return None
    if kind not in ("json_schema", "json_object"):
        raise Untranslatable("response_format.type", f"'{kind}' is not supported")
    if has_tools:
        raise Untranslatable(
            "response_format", "structured output together with tools is not available here"
        )
    if kind == "json_object":
        return ToolSpec(JSON_OBJECT_TOOL, "Give the answer as a JSON object.", _ANY_OBJECT)
    spec = response_format.json_schema
    if spec is None or spec.schema_ is None:
        param = "response_format.json_schema" + ("" if spec is None else ".schema")
        raise InvalidRequest(f"'{param}' is required.", param=param)
    if spec.schema_.get("type") != "object":
        raise Untranslatable(
            "response_format.json_schema.schema",
            "only a schema whose root is an object can be served on this route",
        )
    description = spec.description or "Give the answer in this JSON schema."
    return ToolSpec(spec.name, description, spec.schema_)


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
