"""The provider side of the Responses API: a ``ChatRequest`` as a ``POST /v1/responses`` body,
and a provider's ``response`` object or event stream as IR.

Decisions (each refusal is an ``Untranslatable`` naming the field):

- The system prompt is ``instructions``; a mid-conversation system turn is a ``system``
  message where it stands. Tool results are ``function_call_output`` items (the API has no
  error flag for them), tool calls ``function_call`` items, thinking ``reasoning`` items, but
  only those with opaque data (``encrypted_content``) to give back: reasoning text alone is
  nothing the API takes as input.
- ``store`` is false: the conversation is the gateway's to keep (the IR request holds all of
  it). With reasoning asked for, ``include`` asks for the encrypted reasoning, so that it can
  be sent back on the next turn, and ``summary: auto`` for its text.
- A thinking budget is sent as the nearest effort (``protocols/reasoning``).
- Refused: ``stop``, ``seed`` and ``top_k``, which the API does not have.
- Replies: ``incomplete`` maps to ``max_tokens`` or ``content_filter`` by its reason, a
  completed reply with a function call to ``tool_use``; ``failed`` and ``error`` events are
  ``UpstreamError``. Output items of hosted tools (``web_search_call`` …) are not IR and are
  left out. Usage: ``input_tokens`` counts cached tokens too, as the IR's does.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

import orjson

from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    ContentPart,
    ImagePart,
    Message,
    MessageEnd,
    MessageStart,
    StopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    ToolChoice,
    ToolResultPart,
    Usage,
    UsageUpdate,
)
from mlx_manager.errors import (
    GatewayError,
    Untranslatable,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from mlx_manager.protocols.malformed import malformed
from mlx_manager.protocols.reasoning import effort_for
from mlx_manager.protocols.responses.request import (
    decode_content,
    decode_reasoning,
    flat_name,
)
from mlx_manager.protocols.responses.response import opaque_of
from mlx_manager.protocols.responses.schemas import (
    ResponsesError,
    ResponsesInputItem,
    ResponsesReply,
    ResponsesStreamEvent,
    ResponsesUsage,
)
from mlx_manager.protocols.sse import SSEEvent, SSEParser

_INCOMPLETE: dict[str, StopReason] = {
    "max_output_tokens": "max_tokens",
    "content_filter": "content_filter",
}
_ERROR_STATUS = {"rate_limit_exceeded": 429, "server_error": 500, "server_is_overloaded": 503}
# The events after which a reply is whole.
_FINAL = frozenset({"response.completed", "response.incomplete"})


def encode_request(request: ChatRequest, *, model: str) -> dict[str, object]:
    """The body for a Responses provider's ``/v1/responses``."""
    for name in ("seed", "top_k"):
        if getattr(request, name) is not None:
            raise Untranslatable(name, "the Responses API has none")
    if request.stop:
        raise Untranslatable("stop", "the Responses API has no stop sequences")
    items: list[dict[str, object]] = []
    for i, message in enumerate(request.messages):
        items.extend(_encode_message(message, f"messages[{i}]"))
    body: dict[str, object] = {"model": model, "input": items, "store": False}
    if request.system:
        body["instructions"] = "\n\n".join(p.text for p in request.system)
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "name": tool.name,
                **({"description": tool.description} if tool.description is not None else {}),
                "parameters": tool.parameters,
            }
            for tool in request.tools
        ]
    if request.tool_choice is not None:
        _encode_tool_choice(request.tool_choice, body, has_tools=bool(request.tools))
    if request.max_tokens is not None:
        body["max_output_tokens"] = request.max_tokens
    for name in ("temperature", "top_p", "user"):
        value = getattr(request, name)
        if value is not None:
            body[name] = value
    reasoning = request.reasoning
    if reasoning is not None:
        effort = reasoning.effort
        if effort is None and reasoning.budget_tokens is not None:
            effort = effort_for(reasoning.budget_tokens)
        body["reasoning"] = {"summary": "auto", **({"effort": effort} if effort else {})}
        body["include"] = ["reasoning.encrypted_content"]
    if request.stream:
        body["stream"] = True
    return body


def _encode_tool_choice(choice: ToolChoice, body: dict[str, object], *, has_tools: bool) -> None:
    if choice.mode == "tool":
        body["tool_choice"] = {"type": "function", "name": choice.name}
    else:
        body["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[choice.mode]
    if choice.disable_parallel and has_tools:
        body["parallel_tool_calls"] = False


def _encode_message(message: Message, param: str) -> list[dict[str, object]]:
    """One IR message as input items: its text and images one message item (per run between
    tool results), its calls, results and reasoning items of their own, in order."""
    out: list[dict[str, object]] = []
    pending: list[dict[str, object]] = []
    assistant = message.role == "assistant"

    def flush() -> None:
        if pending:
            out.append({"type": "message", "role": message.role, "content": list(pending)})
            pending.clear()

    for j, part in enumerate(message.content):
        if isinstance(part, TextPart):
            kind = "output_text" if assistant else "input_text"
            pending.append({"type": kind, "text": part.text})
        elif isinstance(part, ImagePart):
            pending.append(_encode_image(part))
        else:
            flush()
            item = _encode_item(part, f"{param}.content[{j}]")
            if item is not None:
                out.append(item)
    flush()
    return out


def _encode_item(part: ContentPart, param: str) -> dict[str, object] | None:
    if isinstance(part, ToolCallPart):
        return {
            "type": "function_call",
            "call_id": part.id,
            "name": part.name,
            "arguments": part.arguments,
        }
    if isinstance(part, ToolResultPart):
        output: list[dict[str, object]] = [
            _encode_image(p) if isinstance(p, ImagePart) else {"type": "input_text", "text": p.text}
            for p in part.content
        ]
        texts = [p.text for p in part.content if isinstance(p, TextPart)]
        # Text only: the plain string every Responses server takes.
        value: object = "".join(texts) if len(texts) == len(output) else output
        return {"type": "function_call_output", "call_id": part.tool_call_id, "output": value}
    if isinstance(part, ThinkingPart):
        opaque = opaque_of(part.signature, part.redacted_data)
        if opaque is None:
            return None
        summary = [{"type": "summary_text", "text": part.text}] if part.text else []
        return {"type": "reasoning", "summary": summary, "encrypted_content": opaque}
    raise Untranslatable(f"{param}.type", f"'{part.type}' parts are not supported here")


def _encode_image(part: ImagePart) -> dict[str, object]:
    url = part.url if part.url is not None else f"data:{part.media_type};base64,{part.data}"
    return {"type": "input_image", "image_url": url, "detail": part.detail or "auto"}


def decode_response(body: object, *, provider: str) -> ChatResponse:
    """A provider's ``response`` object as a ``ChatResponse``; malformed or failed ->
    ``UpstreamError``."""
    try:
        wire = ResponsesReply.model_validate(body)
    except ValueError as exc:
        raise malformed(exc, provider=provider, what="reply") from exc
    content = [part for item in wire.output for part in _decode_output(item, provider)]
    return ChatResponse(
        id=wire.id,
        model=wire.model,
        content=content,
        stop_reason=_stop_reason(wire, provider, calls=_has_calls(content)),
        usage=decode_usage(wire.usage),
    )


def _has_calls(content: list[ContentPart]) -> bool:
    return any(isinstance(part, ToolCallPart) for part in content)


def _decode_output(item: ResponsesInputItem, provider: str) -> list[ContentPart]:
    if item.type == "message":
        try:
            return decode_content(item.content, "output.content", images=False)
        except GatewayError as exc:
            raise malformed(exc, provider=provider, what="reply") from exc
    if item.type == "function_call":
        return [
            ToolCallPart(
                id=item.call_id or "",
                name=_call_name(item),
                arguments=item.arguments or "",
            )
        ]
    if item.type == "reasoning":
        return [_reasoning(item)]
    return []


def _reasoning(item: ResponsesInputItem) -> ThinkingPart:
    """A reasoning item: its summary, or (open models' servers) its reasoning text."""
    part = decode_reasoning(item)
    if not part.text and isinstance(item.content, list):
        part.text = "".join(p.text or "" for p in item.content)
    return part


def _call_name(item: ResponsesInputItem) -> str:
    name = item.name or ""
    return flat_name(item.namespace, name) if item.namespace else name


def _stop_reason(wire: ResponsesReply, provider: str, *, calls: bool) -> StopReason:
    if wire.status == "failed" or wire.error is not None:
        raise decode_error(wire.error, provider=provider)
    if wire.status == "incomplete":
        reason = wire.incomplete_details.reason if wire.incomplete_details else None
        return _INCOMPLETE.get(reason or "", "max_tokens")
    return "tool_use" if calls else "end_turn"


def decode_usage(usage: ResponsesUsage | None) -> Usage:
    if usage is None:
        return Usage()
    details = usage.input_tokens_details
    cached = details.cached_tokens if details is not None else None
    output = usage.output_tokens_details
    reasoning = output.reasoning_tokens if output is not None else None
    return Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_tokens=cached or 0,
        reasoning_tokens=reasoning or 0,
    )


def decode_error(error: ResponsesError | None, *, provider: str) -> UpstreamError:
    """A failed response's or an ``error`` event's error as ours, by its code."""
    code = (error.code if error is not None else None) or "server_error"
    message = f"{provider}: {(error.message if error is not None else None) or code}"
    status = _ERROR_STATUS.get(code)
    if status == 429:
        return UpstreamRateLimited(message, provider=provider, upstream_status=status)
    if status == 503:
        return UpstreamUnavailable(message, provider=provider, upstream_status=status)
    return UpstreamError(message, provider=provider, upstream_status=status)


class ResponsesStreamDecoder:
    """Responses events -> IR events. Function calls are numbered by their ``output_index``;
    a call whose arguments came whole (in its item, no deltas) gets them as one delta."""

    def __init__(self, *, provider: str) -> None:
        self._provider = provider
        self._started = False
        # output_index -> whether arguments have been sent for the call there.
        self._calls: dict[int, bool] = {}
        self._ended = False

    def feed(self, wire: ResponsesStreamEvent) -> list[StreamEvent]:
        kind = wire.type
        events: list[StreamEvent] = []
        if not self._started and kind != "error":
            # ``response.created`` names the reply; a server that leaves it out still starts one.
            self._started = True
            start = wire.response
            events.append(
                MessageStart(id=start.id if start else "", model=start.model if start else "")
            )
        index = wire.output_index if wire.output_index is not None else 0
        item = wire.item
        if kind in ("response.output_text.delta", "response.refusal.delta") and wire.delta:
            events.append(TextDelta(text=wire.delta))
        elif kind in _THINKING and wire.delta:
            events.append(ThinkingDelta(text=wire.delta))
        elif kind == "response.reasoning_summary_part.added" and wire.summary_index:
            # Summary parts are paragraphs, as a whole reply's are joined.
            events.append(ThinkingDelta(text="\n\n"))
        elif kind == "response.function_call_arguments.delta" and wire.delta:
            self._calls[index] = True
            events.append(ToolCallDelta(index=index, arguments=wire.delta))
        elif kind == "response.output_item.added" and item is not None:
            if item.type == "function_call":
                self._calls[index] = False
                events.append(
                    ToolCallStart(index=index, id=item.call_id or "", name=_call_name(item))
                )
                events.extend(self._arguments(index, item.arguments))
        elif kind == "response.output_item.done" and item is not None:
            if item.type == "function_call":
                events.extend(self._arguments(index, item.arguments))
            elif item.type == "reasoning":
                opaque = item.encrypted_content
                if opaque is not None:
                    part = decode_reasoning(item)
                    events.append(
                        ThinkingDelta(signature=part.signature, redacted_data=part.redacted_data)
                    )
        elif kind in _FINAL and wire.response is not None:
            self._ended = True
            reply = wire.response
            events.append(UsageUpdate(decode_usage(reply.usage)))
            stop = _stop_reason(reply, self._provider, calls=bool(self._calls))
            events.append(MessageEnd(stop_reason=stop))
        elif kind == "response.failed":
            raise decode_error(
                wire.response.error if wire.response else None, provider=self._provider
            )
        elif kind == "error":
            error = wire.error or ResponsesError(code=wire.code, message=wire.message)
            raise decode_error(error, provider=self._provider)
        return events

    def _arguments(self, index: int, arguments: str | None) -> list[StreamEvent]:
        if self._calls.get(index) or not arguments:
            return []
        self._calls[index] = True
        return [ToolCallDelta(index=index, arguments=arguments)]

    def finish(self) -> None:
        if not self._ended:
            raise UpstreamError(
                f"{self._provider} ended the stream before the response was complete.",
                provider=self._provider,
            )


_THINKING = frozenset({"response.reasoning_summary_text.delta", "response.reasoning_text.delta"})


async def decode_stream(
    chunks: AsyncIterable[bytes], *, provider: str
) -> AsyncIterator[StreamEvent]:
    """A provider's raw SSE bytes, chunked as they came, as IR events."""
    decoder = ResponsesStreamDecoder(provider=provider)
    parser = SSEParser()
    async for raw in chunks:
        for sse in parser.feed(raw):
            if sse.data == "[DONE]":
                continue
            try:
                wire = ResponsesStreamEvent.model_validate_json(sse.data)
            except ValueError as exc:
                raise malformed(exc, provider=provider, what="event") from exc
            for event in decoder.feed(wire):
                yield event
    decoder.finish()


def is_reply(document: object) -> bool:
    """Whether a relayed 200 body is a response that did not fail, cheaply: the fast path
    never decodes."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("output"), list)
        and document.get("error") is None
        and document.get("status") != "failed"
    )


def starts_stream(event: SSEEvent) -> bool | None:
    """Whether a relayed stream's first event is a ``response.*`` event (an ``error`` event or
    anything that is not JSON is not)."""
    try:
        document = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(document, dict):
        return False
    kind = document.get("type")
    return isinstance(kind, str) and kind.startswith("response.") and kind != "response.failed"
