"""Anthropic ``message`` replies <-> ``ChatResponse``, and the stop-reason and usage maps that
the stream codec shares.

Usage: Anthropic's ``input_tokens`` excludes tokens read from or written to the prompt cache,
while the IR's ``input_tokens`` counts every prompt token (OpenAI's meaning). Decoding adds
``cache_read_input_tokens`` and ``cache_creation_input_tokens``; encoding subtracts them.
"""

from __future__ import annotations

from mlx_manager.core import (
    ChatResponse,
    StopReason,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from mlx_manager.errors import (
    GatewayError,
    InvalidRequest,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from mlx_manager.protocols.anthropic.request import (
    decode_block,
    encode_block,
    encode_text,
    parse_arguments,
)
from mlx_manager.protocols.anthropic.schemas import AnthropicReply, AnthropicUsage
from mlx_manager.protocols.malformed import malformed
from mlx_manager.protocols.wire import reprefix_id

ANTHROPIC_STOP_REASONS: dict[StopReason, str] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "content_filter": "refusal",
}
STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "refusal": "content_filter",
    "model_context_window_exceeded": "max_tokens",
    # A paused server-tool turn; the IR has no server tools, so the turn simply ends.
    "pause_turn": "end_turn",
}
# Anthropic's error ``type`` values and the status each stands for.
ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def message_id(id_: str) -> str:
    return reprefix_id(id_, prefix="msg_", foreign="chatcmpl-")


def encode_usage(usage: Usage) -> dict[str, object]:
    uncached = usage.input_tokens - usage.cached_tokens - usage.cache_creation_tokens
    return {
        "input_tokens": max(uncached, 0),
        "output_tokens": usage.output_tokens,
        "cache_creation_input_tokens": usage.cache_creation_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
    }


def merge_usage(usage: Usage, wire: AnthropicUsage) -> Usage:
    """``usage`` updated with the fields ``wire`` carries (stream deltas carry only some)."""
    cached = _pick(wire.cache_read_input_tokens, usage.cached_tokens)
    created = _pick(wire.cache_creation_input_tokens, usage.cache_creation_tokens)
    uncached = usage.input_tokens - usage.cached_tokens - usage.cache_creation_tokens
    return Usage(
        input_tokens=_pick(wire.input_tokens, uncached) + cached + created,
        output_tokens=_pick(wire.output_tokens, usage.output_tokens),
        cached_tokens=cached,
        cache_creation_tokens=created,
    )


def _pick(value: int | None, default: int) -> int:
    return value if value is not None else default


def encode_response(response: ChatResponse) -> dict[str, object]:
    """The ``message`` body for a non-streaming Anthropic caller."""
    content: list[dict[str, object]] = []
    for j, part in enumerate(response.content):
        if isinstance(part, ToolCallPart):
            content.append(
                _encode_tool_use(
                    part, model=response.model, cut=response.stop_reason == "max_tokens"
                )
            )
        elif isinstance(part, TextPart):
            content.append(encode_text(part))
        elif (
            isinstance(part, ThinkingPart) and part.signature is None and part.redacted_data is None
        ):
            # Thinking from a model that is not Claude: shown, with no signature to verify.
            content.append({"type": "thinking", "thinking": part.text, "signature": ""})
        elif (block := encode_block(part, f"content[{j}]")) is not None:
            content.append(block)
    return {
        "id": message_id(response.id),
        "type": "message",
        "role": "assistant",
        "model": response.model,
        "content": content,
        "stop_reason": ANTHROPIC_STOP_REASONS[response.stop_reason],
        "stop_sequence": response.stop_sequence,
        "usage": encode_usage(response.usage),
    }


def _encode_tool_use(part: ToolCallPart, *, model: str, cut: bool) -> dict[str, object]:
    try:
        tool_input = parse_arguments(part.arguments, "arguments")
    except InvalidRequest as exc:
        if cut:
            # max_tokens ended the call half-written: the block is kept, empty, and the stop
            # reason tells the caller to retry with more room, as Anthropic's own API does.
            return {"type": "tool_use", "id": part.id, "name": part.name, "input": {}}
        # The model, not the caller, produced these arguments.
        raise UpstreamError(
            f"{model} produced tool-call arguments that are not a JSON object.", provider=model
        ) from exc
    return {"type": "tool_use", "id": part.id, "name": part.name, "input": tool_input}


def decode_response(body: object, *, provider: str) -> ChatResponse:
    """A provider's ``message`` as a ``ChatResponse``; malformed -> ``UpstreamError``."""
    if isinstance(body, dict) and body.get("type") == "error":
        raise decode_error(body.get("error"), provider=provider)
    try:
        wire = AnthropicReply.model_validate(body, strict=False)
        content = [decode_block(block, f"content[{j}]") for j, block in enumerate(wire.content)]
    except (ValueError, InvalidRequest) as exc:
        raise malformed(exc, provider=provider, what="reply") from exc
    return ChatResponse(
        id=wire.id,
        model=wire.model,
        content=content,
        stop_reason=STOP_REASONS.get(wire.stop_reason or "end_turn", "end_turn"),
        stop_sequence=wire.stop_sequence,
        usage=merge_usage(Usage(), wire.usage) if wire.usage is not None else Usage(),
    )


def decode_error(error: object, *, provider: str) -> GatewayError:
    """An upstream ``{"type": ..., "message": ...}`` error object as our error."""
    fields = error if isinstance(error, dict) else {}
    kind = str(fields.get("type") or "api_error")
    message = f"{provider}: {fields.get('message') or kind}"
    status = ERROR_STATUS.get(kind, 500)
    if status == 429:
        return UpstreamRateLimited(message, provider=provider, upstream_status=status)
    if status == 529:
        return UpstreamUnavailable(message, provider=provider, upstream_status=status)
    return UpstreamError(message, provider=provider, upstream_status=status)


def is_reply(document: object) -> bool:
    """Whether a relayed 200 body is a message, cheaply: the fast path never decodes."""
    return (
        isinstance(document, dict)
        and document.get("type") == "message"
        and isinstance(document.get("content"), list)
    )
