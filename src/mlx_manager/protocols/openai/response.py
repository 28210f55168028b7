"""OpenAI ``chat.completion`` replies <-> ``ChatResponse``, and the finish-reason and usage maps
that the stream codec shares.

Usage: the IR's ``input_tokens`` counts every prompt token, cached ones included, which is what
OpenAI's ``prompt_tokens`` means, so the two map one to one. Thinking is sent as
``reasoning_content`` (the de-facto field of DeepSeek, vLLM and others); when it carries
Anthropic signatures or redacted data it is also sent as ``thinking_blocks`` so the caller can
send it back unchanged.
"""

from __future__ import annotations

import time

from mlx_manager.core import (
    ChatResponse,
    ContentPart,
    StopReason,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from mlx_manager.errors import UpstreamError
from mlx_manager.protocols.malformed import malformed
from mlx_manager.protocols.openai.schemas import (
    OpenAIChatResponse,
    OpenAIReplyMessage,
    OpenAIThinkingBlock,
    OpenAIUsage,
)
from mlx_manager.protocols.wire import reprefix_id

FINISH_REASONS: dict[StopReason, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
}
STOP_REASONS: dict[str, StopReason] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}


def response_id(id_: str) -> str:
    return reprefix_id(id_, prefix="chatcmpl-", foreign="msg_")


def encode_usage(usage: Usage) -> dict[str, object]:
    out: dict[str, object] = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cached_tokens:
        out["prompt_tokens_details"] = {"cached_tokens": usage.cached_tokens}
    return out


def decode_usage(usage: OpenAIUsage) -> Usage:
    details = usage.prompt_tokens_details
    cached = details.cached_tokens if details is not None else None
    output_details = usage.completion_tokens_details
    reasoning = output_details.reasoning_tokens if output_details is not None else None
    return Usage(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        cached_tokens=cached or 0,
        reasoning_tokens=reasoning or 0,
    )


def thinking_blocks(parts: list[ThinkingPart]) -> list[dict[str, object]] | None:
    """The LiteLLM-style ``thinking_blocks``, only when there is opaque data to carry."""
    if not any(p.signature is not None or p.redacted_data is not None for p in parts):
        return None
    return [
        {"type": "redacted_thinking", "data": p.redacted_data}
        if p.redacted_data is not None
        else {"type": "thinking", "thinking": p.text, "signature": p.signature or ""}
        for p in parts
    ]


def encode_response(response: ChatResponse, *, created: int | None = None) -> dict[str, object]:
    """The ``chat.completion`` body for a non-streaming OpenAI caller."""
    texts: list[str] = []
    thinking: list[ThinkingPart] = []
    calls: list[dict[str, object]] = []
    for part in response.content:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ThinkingPart):
            thinking.append(part)
        elif isinstance(part, ToolCallPart):
            function = {"name": part.name, "arguments": part.arguments}
            calls.append({"id": part.id, "type": "function", "function": function})
    message: dict[str, object] = {
        "role": "assistant",
        "content": "".join(texts) if texts or not calls else None,
        "refusal": None,
    }
    if calls:
        message["tool_calls"] = calls
    if thinking:
        message["reasoning_content"] = "".join(p.text for p in thinking)
        blocks = thinking_blocks(thinking)
        if blocks is not None:
            message["thinking_blocks"] = blocks
    return {
        "id": response_id(response.id),
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": response.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": FINISH_REASONS[response.stop_reason],
                "logprobs": None,
            }
        ],
        "usage": encode_usage(response.usage),
    }


def decode_response(body: object, *, provider: str) -> ChatResponse:
    """A provider's ``chat.completion`` as a ``ChatResponse``; malformed -> ``UpstreamError``."""
    wire = parse_reply(body, provider=provider)
    choice = wire.choices[0] if wire.choices else None
    if choice is None or choice.message is None:
        raise UpstreamError(f"{provider} replied without a message.", provider=provider)
    return ChatResponse(
        id=wire.id,
        model=wire.model,
        content=decode_message(choice.message),
        stop_reason=STOP_REASONS.get(choice.finish_reason or "stop", "end_turn"),
        usage=decode_usage(wire.usage) if wire.usage is not None else Usage(),
    )


def parse_reply(body: object, *, provider: str) -> OpenAIChatResponse:
    """Validate a reply or chunk; an embedded ``error`` object becomes an ``UpstreamError``."""
    try:
        wire = OpenAIChatResponse.model_validate(body)
    except ValueError as exc:
        raise malformed(exc, provider=provider, what="reply") from exc
    return check_error(wire, provider=provider)


def check_error(wire: OpenAIChatResponse, *, provider: str) -> OpenAIChatResponse:
    if wire.error is not None:
        message = wire.error.get("message") or "unknown error"
        code = wire.error.get("code")
        status = code if isinstance(code, int) else None
        raise UpstreamError(f"{provider}: {message}", provider=provider, upstream_status=status)
    return wire


def decode_message(message: OpenAIReplyMessage) -> list[ContentPart]:
    parts: list[ContentPart] = []
    if message.thinking_blocks:
        parts.extend(decode_thinking_block(block) for block in message.thinking_blocks)
    else:
        reasoning = message.reasoning_content or message.reasoning
        if reasoning:
            parts.append(ThinkingPart(text=reasoning))
    text = message.content or message.refusal
    if text:
        parts.append(TextPart(text=text))
    for call in message.tool_calls or ():
        function = call.function
        parts.append(
            ToolCallPart(
                id=call.id or "",
                name=(function.name if function else None) or "",
                arguments=(function.arguments if function else None) or "",
            )
        )
    return parts


def decode_thinking_block(block: OpenAIThinkingBlock) -> ThinkingPart:
    if block.type == "redacted_thinking":
        return ThinkingPart(redacted_data=block.data or "")
    return ThinkingPart(text=block.thinking or "", signature=block.signature)


def is_reply(document: object) -> bool:
    """Whether a relayed 200 body is a chat completion, cheaply: the fast path never decodes."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("choices"), list)
        and document.get("error") is None
    )


def is_embeddings_reply(document: object) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("data"), list)
        and document.get("error") is None
    )
