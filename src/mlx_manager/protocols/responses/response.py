"""``ChatResponse`` -> a Responses ``response`` object, and the output items, usage and
``response`` shell that the stream encoder shares.

Output: each thinking part is a ``reasoning`` item (its text as the summary, its opaque data
as ``encrypted_content``), each text part a ``message`` item with one ``output_text`` part,
each tool call a ``function_call`` item (a flattened namespaced tool named back as its
``namespace`` and ``name``), except a call of the tool standing for ``text.format``, whose
arguments are the text of a ``message`` item. A reply cut by the token cap or a content filter is
``incomplete``. Usage: the IR's ``input_tokens`` counts every prompt token, cached ones
included, which is what ``input_tokens`` means here.
"""

from __future__ import annotations

import time

from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    StopReason,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from mlx_manager.protocols.responses.request import REDACTED_PREFIX, ResponsesChat
from mlx_manager.protocols.wire import new_id

_INCOMPLETE: dict[StopReason, str] = {
    "max_tokens": "max_output_tokens",
    "content_filter": "content_filter",
}


def response_id(id_: str) -> str:
    """``resp_`` and an upstream id's body, so logs can be matched up; a new one if none."""
    if not id_:
        return new_id("resp_")
    for prefix in ("resp_", "chatcmpl-", "msg_"):
        if id_.startswith(prefix):
            return "resp_" + id_.removeprefix(prefix)
    return "resp_" + id_


def reply_id(request: ChatRequest, upstream_id: str) -> str:
    """The id a stored response was given, else one made from the upstream's."""
    if isinstance(request, ResponsesChat) and request.response_id is not None:
        return request.response_id
    return response_id(upstream_id)


def encode_usage(usage: Usage) -> dict[str, object]:
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_creation_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }


def status_of(stop_reason: StopReason) -> tuple[str, dict[str, object] | None]:
    """The response's ``status`` and ``incomplete_details``."""
    reason = _INCOMPLETE.get(stop_reason)
    return ("completed", None) if reason is None else ("incomplete", {"reason": reason})


def shell(
    request: ChatRequest,
    *,
    id_: str,
    model: str,
    created_at: int,
    status: str,
    output: list[dict[str, object]],
    usage: Usage | None,
) -> dict[str, object]:
    """A ``response`` object: what it is, what it holds, and the request's settings."""
    echo = request.echo if isinstance(request, ResponsesChat) else {}
    return {
        "id": id_,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": output,
        "usage": encode_usage(usage) if usage is not None else None,
        **echo,
    }


def message_item(id_: str, text: str | None, *, status: str) -> dict[str, object]:
    content = [] if text is None else [output_text(text)]
    return {"id": id_, "type": "message", "status": status, "role": "assistant", "content": content}


def output_text(text: str) -> dict[str, object]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def reasoning_item(
    id_: str, text: str | None, *, opaque: str | None, status: str
) -> dict[str, object]:
    item: dict[str, object] = {
        "id": id_,
        "type": "reasoning",
        "status": status,
        "summary": [] if not text else [{"type": "summary_text", "text": text}],
    }
    if opaque is not None:
        item["encrypted_content"] = opaque
    return item


def opaque_of(signature: str | None, redacted_data: str | None) -> str | None:
    return REDACTED_PREFIX + redacted_data if redacted_data is not None else signature


def function_call_item(
    request: ChatRequest, id_: str, *, call_id: str, name: str, arguments: str, status: str
) -> dict[str, object]:
    item: dict[str, object] = {
        "id": id_,
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }
    if isinstance(request, ResponsesChat) and name in request.namespaces:
        item["namespace"], item["name"] = request.namespaces[name]
    return item


def is_structured(request: ChatRequest, name: str) -> bool:
    """Whether a call of ``name`` is the forced tool standing for ``text.format``."""
    return isinstance(request, ResponsesChat) and request.structured == name


def encode_response(
    response: ChatResponse, request: ChatRequest, *, created_at: int | None = None
) -> dict[str, object]:
    """The ``response`` object for a caller that did not stream."""
    output: list[dict[str, object]] = []
    for part in response.content:
        if isinstance(part, TextPart):
            output.append(message_item(new_id("msg_"), part.text, status="completed"))
        elif isinstance(part, ThinkingPart):
            opaque = opaque_of(part.signature, part.redacted_data)
            output.append(
                reasoning_item(new_id("rs_"), part.text, opaque=opaque, status="completed")
            )
        elif isinstance(part, ToolCallPart) and is_structured(request, part.name):
            output.append(message_item(new_id("msg_"), part.arguments, status="completed"))
        elif isinstance(part, ToolCallPart):
            output.append(
                function_call_item(
                    request,
                    new_id("fc_"),
                    call_id=part.id,
                    name=part.name,
                    arguments=part.arguments,
                    status="completed",
                )
            )
    status, incomplete = status_of(response.stop_reason)
    body = shell(
        request,
        id_=reply_id(request, response.id),
        model=response.model,
        created_at=created_at if created_at is not None else int(time.time()),
        status=status,
        output=output,
        usage=response.usage,
    )
    body["incomplete_details"] = incomplete
    if isinstance(request, ResponsesChat) and request.keep is not None:
        request.keep(body)
    return body
