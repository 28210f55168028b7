"""Anthropic Messages requests <-> ``ChatRequest``: ``decode_request`` for callers,
``encode_request`` for Anthropic-protocol providers.

Decisions (each refusal is an ``Untranslatable`` naming the field):

- Refused because the IR cannot carry them: server tools (``web_search_…``, ``bash_…`` and any
  tool with a ``type`` other than ``custom``), content blocks other than text, image,
  tool_use, tool_result, thinking and redacted_thinking (``document``, ``search_result`` …),
  image ``file`` sources, ``container``, ``mcp_servers``, ``output_format``.
- ``cache_control`` is kept on text blocks (system and messages); on other blocks and on tools it
  is a caching hint with no IR field and is ignored.
- ``system`` turns inside ``messages`` (the ``mid-conversation-system`` beta) hold text blocks
  only and stay where they stand in the IR. Encoded for an Anthropic provider through the IR,
  they join the system prompt, in order: the beta is not one every provider takes.
- Fields the Messages API has and the IR does not (Claude Code's ``context_management``,
  ``service_tier`` …) reach Anthropic providers on the same-protocol fast path, which relays the
  body. Through the IR they are left out, and the reply names them in
  ``x-mlx-manager-dropped-fields``. ``metadata.user_id`` is the IR's ``user``.
- ``thinking: {type: adaptive}`` becomes a ``Reasoning`` with neither budget nor effort (the model
  decides), and is encoded back as adaptive.
- Encoding: ``max_tokens`` is required by Anthropic, so ``default_max_tokens`` fills it in; an
  effort-derived thinking budget is clamped below ``max_tokens``; thinking without a signature
  (from a model that is not Claude) cannot be verified by Anthropic and is not sent; empty text
  blocks (Anthropic rejects them) are not sent; consecutive messages of one role are merged, as
  Anthropic would merge them; an image's ``detail`` has no Anthropic field and is not sent.
  ``seed`` has none either, and is refused rather than dropped: a caller who sets it expects
  repeatable output, which this route cannot give.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

import orjson

from mlx_manager.core import (
    ChatRequest,
    ContentPart,
    ImagePart,
    Message,
    Reasoning,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
)
from mlx_manager.errors import InvalidRequest, Untranslatable
from mlx_manager.protocols.anthropic.schemas import (
    AnthropicBlock,
    AnthropicMessagesRequest,
    AnthropicPrompt,
)
from mlx_manager.protocols.reasoning import MIN_BUDGET, budget_for
from mlx_manager.protocols.wire import validate

DROPPED_FIELDS_HEADER = "x-mlx-manager-dropped-fields"
_FIELDS = frozenset(AnthropicMessagesRequest.model_fields)
Role = Literal["user", "assistant", "system"]
_ALLOWED: dict[Role, frozenset[str]] = {
    "user": frozenset({"text", "image", "tool_result"}),
    "assistant": frozenset({"text", "thinking", "redacted_thinking", "tool_use"}),
    "system": frozenset({"text"}),
}
_KNOWN = frozenset().union(*_ALLOWED.values())


@dataclass(slots=True)
class AnthropicChat(ChatRequest):
    """A chat request that came in as an Anthropic request and left fields out."""

    # The body's top-level fields that no translated route carries, sorted.
    dropped: list[str] = field(default_factory=list)


def decode_request(body: object) -> ChatRequest:
    """Decode a caller's ``/v1/messages`` body; raises ``InvalidRequest`` only."""
    request = _decode(validate(AnthropicMessagesRequest, body))
    names = body if isinstance(body, dict) else {}  # validate refused anything else
    dropped = sorted(name for name in names if name not in _FIELDS)
    if not dropped:
        return request
    values = {f.name: getattr(request, f.name) for f in fields(request)}
    return AnthropicChat(**values, dropped=dropped)


def reply_headers(request: ChatRequest) -> dict[str, str]:
    """The header naming the fields a translated reply's request left out, when there were any."""
    if isinstance(request, AnthropicChat):
        return {DROPPED_FIELDS_HEADER: ", ".join(request.dropped)}
    return {}


def decode_count_request(body: object) -> ChatRequest:
    """Decode a ``/v1/messages/count_tokens`` body: a messages request without ``max_tokens``."""
    return _decode(validate(AnthropicPrompt, body))


def _decode(wire: AnthropicPrompt) -> ChatRequest:
    for name in ("container", "mcp_servers", "output_format"):
        if getattr(wire, name) is not None:
            raise Untranslatable(name, "not supported when translating between protocols")
    messages = [
        Message(role=m.role, content=_decode_content(m.content, f"messages[{i}]", role=m.role))
        for i, m in enumerate(wire.messages)
    ]
    tool_choice = None
    if wire.tool_choice is not None:
        choice = wire.tool_choice
        if choice.type == "tool" and choice.name is None:
            raise InvalidRequest("'tool_choice.name' is required.", param="tool_choice.name")
        tool_choice = ToolChoice(
            mode=choice.type,
            name=choice.name,
            disable_parallel=bool(choice.disable_parallel_tool_use),
        )
    return ChatRequest(
        model=wire.model,
        messages=messages,
        system=_decode_system(wire.system),
        tools=_decode_tools(wire),
        tool_choice=tool_choice,
        max_tokens=wire.max_tokens,
        temperature=wire.temperature,
        top_p=wire.top_p,
        top_k=wire.top_k,
        stop=list(wire.stop_sequences or ()),
        stream=bool(wire.stream),
        reasoning=_decode_thinking(wire),
        user=wire.metadata.user_id if wire.metadata is not None else None,
    )


def _decode_system(system: str | list[AnthropicBlock] | None) -> list[TextPart]:
    if system is None:
        return []
    if isinstance(system, str):
        return [TextPart(text=system)]
    parts: list[TextPart] = []
    for j, block in enumerate(system):
        if block.type != "text" or block.text is None:
            raise InvalidRequest("System blocks must be text blocks.", param=f"system[{j}]")
        parts.append(TextPart(text=block.text, cache_control=block.cache_control))
    return parts


def _decode_content(
    content: str | list[AnthropicBlock], param: str, *, role: Role
) -> list[ContentPart]:
    if isinstance(content, str):
        return [TextPart(text=content)]
    parts: list[ContentPart] = []
    for j, block in enumerate(content):
        where = f"{param}.content[{j}]"
        if block.type not in _ALLOWED[role]:
            if block.type in _KNOWN:
                raise InvalidRequest(
                    f"'{block.type}' blocks are not allowed in {role} messages.", param=where
                )
            raise Untranslatable(f"{where}.type", f"'{block.type}' blocks are not supported here")
        parts.append(decode_block(block, where))
    return parts


def decode_block(block: AnthropicBlock, param: str) -> ContentPart:
    """One content block as an IR part; shared with reply decoding."""
    kind = block.type
    if kind == "text":
        return TextPart(text=_need(block.text, param, "text"), cache_control=block.cache_control)
    if kind == "thinking":
        return ThinkingPart(
            text=_need(block.thinking, param, "thinking"), signature=block.signature
        )
    if kind == "redacted_thinking":
        return ThinkingPart(redacted_data=_need(block.data, param, "data"))
    if kind == "tool_use":
        return ToolCallPart(
            id=_need(block.id, param, "id"),
            name=_need(block.name, param, "name"),
            arguments=_dump_input(block.input, f"{param}.input"),
        )
    if kind == "image":
        return _decode_image(block, param)
    if kind == "tool_result":
        return _decode_tool_result(block, param)
    raise Untranslatable(f"{param}.type", f"'{kind}' blocks are not supported here")


def _dump_input(value: dict[str, object] | None, param: str) -> str:
    try:
        return orjson.dumps(value if value is not None else {}).decode()
    except orjson.JSONEncodeError as exc:
        # Python's JSON parser accepts integers beyond 64 bits; orjson does not write them.
        raise InvalidRequest(f"'{param}' cannot be encoded: {exc}.", param=param) from None


def _need(value: str | None, param: str, field: str) -> str:
    if value is None:
        raise InvalidRequest(f"'{param}.{field}' is required.", param=f"{param}.{field}")
    return value


def _decode_image(block: AnthropicBlock, param: str) -> ImagePart:
    source = block.source
    if source is None:
        raise InvalidRequest(f"'{param}.source' is required.", param=f"{param}.source")
    if source.type == "base64":
        return ImagePart(
            media_type=_need(source.media_type, f"{param}.source", "media_type"),
            data=_need(source.data, f"{param}.source", "data"),
        )
    if source.type == "url":
        return ImagePart(url=_need(source.url, f"{param}.source", "url"))
    raise Untranslatable(f"{param}.source.type", f"'{source.type}' image sources are not supported")


def _decode_tool_result(block: AnthropicBlock, param: str) -> ToolResultPart:
    content: list[TextPart | ImagePart] = []
    if isinstance(block.content, str):
        content.append(TextPart(text=block.content))
    else:
        for k, item in enumerate(block.content or ()):
            where = f"{param}.content[{k}]"
            if item.type == "text":
                content.append(TextPart(text=_need(item.text, where, "text")))
            elif item.type == "image":
                content.append(_decode_image(item, where))
            else:
                raise Untranslatable(f"{where}.type", f"'{item.type}' in tool results")
    return ToolResultPart(
        tool_call_id=_need(block.tool_use_id, param, "tool_use_id"),
        content=content,
        is_error=bool(block.is_error),
    )


def _decode_tools(wire: AnthropicPrompt) -> list[ToolSpec]:
    tools: list[ToolSpec] = []
    for i, tool in enumerate(wire.tools or ()):
        if tool.type not in (None, "custom"):
            raise Untranslatable(f"tools[{i}].type", f"server tool '{tool.type}' is not supported")
        if tool.input_schema is None:
            raise InvalidRequest(
                f"'tools[{i}].input_schema' is required.", param=f"tools[{i}].input_schema"
            )
        tools.append(ToolSpec(tool.name, tool.description, tool.input_schema))
    return tools


def _decode_thinking(wire: AnthropicPrompt) -> Reasoning | None:
    thinking = wire.thinking
    if thinking is None or thinking.type == "disabled":
        return None
    if thinking.type == "adaptive":
        return Reasoning()
    if thinking.budget_tokens is None:
        raise InvalidRequest(
            "'thinking.budget_tokens' is required.", param="thinking.budget_tokens"
        )
    return Reasoning(budget_tokens=thinking.budget_tokens)


def encode_request(
    request: ChatRequest,
    *,
    model: str,
    default_max_tokens: int,
    output_schema: dict[str, object] | None = None,
) -> dict[str, object]:
    """The body for an Anthropic-protocol provider's ``/v1/messages``; ``output_schema`` is sent
    as structured outputs' ``output_config.format``, which the reply's text then follows."""
    if request.seed is not None:
        raise Untranslatable("seed", "Anthropic models take no seed")
    max_tokens = request.max_tokens if request.max_tokens is not None else default_max_tokens
    body: dict[str, object] = {
        "model": model,
        "max_tokens": max_tokens,
        "messages": _encode_messages(request.messages),
    }
    system = [*request.system, *_system_turns(request.messages)]
    if system:
        body["system"] = _encode_system(system)
    if request.tools:
        body["tools"] = [_encode_tool(tool) for tool in request.tools]
    if request.tool_choice is not None:
        body["tool_choice"] = _encode_tool_choice(request.tool_choice)
    for name in ("temperature", "top_p", "top_k"):
        value = getattr(request, name)
        if value is not None:
            body[name] = value
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    if request.user is not None:
        body["metadata"] = {"user_id": request.user}
    if request.reasoning is not None:
        body["thinking"] = _encode_thinking(request.reasoning, max_tokens=max_tokens)
    if output_schema is not None:
        body["output_config"] = {"format": {"type": "json_schema", "schema": output_schema}}
    if request.stream:
        body["stream"] = True
    return body


def _encode_system(system: list[TextPart]) -> str | list[dict[str, object]]:
    if len(system) == 1 and system[0].cache_control is None:
        return system[0].text
    return [encode_text(p) for p in system]


def encode_text(part: TextPart) -> dict[str, object]:
    block: dict[str, object] = {"type": "text", "text": part.text}
    if part.cache_control is not None:
        block["cache_control"] = part.cache_control
    return block


def _encode_tool(tool: ToolSpec) -> dict[str, object]:
    out: dict[str, object] = {"name": tool.name}
    if tool.description is not None:
        out["description"] = tool.description
    out["input_schema"] = tool.parameters
    return out


def _encode_tool_choice(choice: ToolChoice) -> dict[str, object]:
    out: dict[str, object] = {"type": choice.mode}
    if choice.mode == "tool":
        out["name"] = choice.name
    if choice.disable_parallel and choice.mode != "none":
        out["disable_parallel_tool_use"] = True
    return out


def _encode_thinking(reasoning: Reasoning, *, max_tokens: int) -> dict[str, object]:
    if reasoning.budget_tokens is not None:
        return {"type": "enabled", "budget_tokens": reasoning.budget_tokens}
    if reasoning.effort is None:
        return {"type": "adaptive"}
    # The budget counts against max_tokens and must stay below it.
    budget = min(budget_for(reasoning.effort), max_tokens - 1)
    if budget < MIN_BUDGET:
        raise Untranslatable(
            "reasoning_effort", f"thinking needs max_tokens above {MIN_BUDGET} on this route"
        )
    return {"type": "enabled", "budget_tokens": budget}


def _system_turns(messages: list[Message]) -> list[TextPart]:
    return [
        part
        for message in messages
        if message.role == "system"
        for part in message.content
        if isinstance(part, TextPart)
    ]


def _encode_messages(messages: list[Message]) -> list[dict[str, object]]:
    turns: list[tuple[Role, list[dict[str, object]]]] = []
    for i, message in enumerate(messages):
        if message.role == "system":
            continue
        blocks = [
            block
            for j, part in enumerate(message.content)
            if (block := encode_block(part, f"messages[{i}].content[{j}]")) is not None
        ]
        if turns and turns[-1][0] == message.role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((message.role, blocks))
    return [{"role": role, "content": _collapse(blocks)} for role, blocks in turns]


def _collapse(blocks: list[dict[str, object]]) -> str | list[dict[str, object]]:
    """A lone plain text block is sent as a string, the form callers usually write."""
    if len(blocks) == 1 and blocks[0]["type"] == "text" and "cache_control" not in blocks[0]:
        text = blocks[0]["text"]
        if isinstance(text, str):
            return text
    return blocks


def encode_block(part: ContentPart, param: str) -> dict[str, object] | None:
    """One IR part as a content block, or ``None`` for parts Anthropic must not be sent."""
    if isinstance(part, TextPart):
        return encode_text(part) if part.text else None
    if isinstance(part, ThinkingPart):
        if part.redacted_data is not None:
            return {"type": "redacted_thinking", "data": part.redacted_data}
        if part.signature is None:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature}
    if isinstance(part, ToolCallPart):
        return {
            "type": "tool_use",
            "id": part.id,
            "name": part.name,
            "input": parse_arguments(part.arguments, f"{param}.arguments"),
        }
    if isinstance(part, ImagePart):
        return _encode_image(part)
    content = [
        encode_text(p) if isinstance(p, TextPart) else _encode_image(p)
        for p in part.content
        if not isinstance(p, TextPart) or p.text
    ]
    block: dict[str, object] = {"type": "tool_result", "tool_use_id": part.tool_call_id}
    if content:
        block["content"] = _collapse(content)
    if part.is_error:
        block["is_error"] = True
    return block


def _encode_image(part: ImagePart) -> dict[str, object]:
    if part.url is not None:
        return {"type": "image", "source": {"type": "url", "url": part.url}}
    source = {"type": "base64", "media_type": part.media_type, "data": part.data}
    return {"type": "image", "source": source}


def parse_arguments(arguments: str, param: str) -> dict[str, object]:
    """Tool-call arguments (JSON text) as the object Anthropic's ``input`` requires."""
    try:
        value = orjson.loads(arguments) if arguments.strip() else {}
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise InvalidRequest(f"'{param}' must be a JSON object.", param=param)
    return value
