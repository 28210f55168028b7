"""Rendering a ``ChatRequest`` into prompt tokens with the model's own chat template.

IR messages become the OpenAI-shaped dicts Hugging Face templates expect (tool calls with
``function`` objects, tool results as ``tool`` messages); tools are passed with ``tools=``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlx_manager.backends.mlx.tools import template_tools
from mlx_manager.core import (
    ChatRequest,
    ImagePart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from mlx_manager.errors import InvalidRequest

TemplateMessage = dict[str, object]


@dataclass(frozen=True, slots=True)
class RenderedPrompt:
    tokens: list[int]
    text: str
    # The template opened a reasoning block the model is expected to continue.
    starts_in_thinking: bool
    tools: list[dict[str, object]]


def _no_images() -> InvalidRequest:
    return InvalidRequest(
        "Local MLX models here take text only; remove the images or route this request to a "
        "vision-capable provider.",
        param="messages",
    )


def _arguments(text: str) -> object:
    # Templates render arguments with ``tojson``; hand them an object when the text is JSON.
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return text


def _result_text(part: ToolResultPart) -> str:
    if any(isinstance(c, ImagePart) for c in part.content):
        raise _no_images()
    return "".join(c.text for c in part.content if isinstance(c, TextPart))


def template_messages(request: ChatRequest) -> list[TemplateMessage]:
    messages: list[TemplateMessage] = []
    if request.system:
        messages.append({"role": "system", "content": "".join(p.text for p in request.system)})
    for message in request.messages:
        text: list[str] = []
        calls: list[dict[str, object]] = []
        for part in message.content:
            if isinstance(part, ImagePart):
                raise _no_images()
            if isinstance(part, TextPart):
                text.append(part.text)
            elif isinstance(part, ToolCallPart):
                function = {"name": part.name, "arguments": _arguments(part.arguments)}
                calls.append({"id": part.id, "type": "function", "function": function})
            elif isinstance(part, ToolResultPart):
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": part.tool_call_id,
                        "content": _result_text(part),
                    }
                )
            # Earlier reasoning is not replayed: chat templates drop it from history anyway.
        if text or calls or not message.content:
            entry: TemplateMessage = {"role": message.role, "content": "".join(text)}
            if calls:
                entry["tool_calls"] = calls
            messages.append(entry)
    return messages


def _plain_chat(messages: list[TemplateMessage]) -> str:
    """For checkpoints without a chat template."""
    lines = [f"{m['role']}: {m['content']}" for m in messages]
    return "\n".join([*lines, "assistant:"])


def render_prompt(tokenizer: Any, request: ChatRequest) -> RenderedPrompt:
    """Tokens for ``request``; ``tokenizer`` is mlx-lm's ``TokenizerWrapper``."""
    messages = template_messages(request)
    use_tools = bool(request.tools) and not (
        request.tool_choice is not None and request.tool_choice.mode == "none"
    )
    tools = template_tools(request.tools) if use_tools else []
    if getattr(tokenizer, "chat_template", None) or getattr(tokenizer, "has_chat_template", False):
        from jinja2 import TemplateError

        try:
            text = tokenizer.apply_chat_template(
                messages, tools=tools or None, add_generation_prompt=True, tokenize=False
            )
        except (TemplateError, ValueError, TypeError, KeyError) as exc:
            raise InvalidRequest(
                f"The model's chat template rejected these messages: {exc}", param="messages"
            ) from exc
    else:
        text = _plain_chat(messages)
    tokens = list(tokenizer.encode(text, add_special_tokens=False))
    if not tokens:
        raise InvalidRequest("The prompt is empty.", param="messages")
    starts_in_thinking = False
    if getattr(tokenizer, "has_thinking", False):
        starts_in_thinking = text.rfind(tokenizer.think_start) > text.rfind(tokenizer.think_end)
    return RenderedPrompt(
        tokens=tokens, text=text, starts_in_thinking=starts_in_thinking, tools=tools
    )
