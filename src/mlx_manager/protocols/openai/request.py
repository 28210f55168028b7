"""OpenAI chat requests <-> ``ChatRequest``: ``decode_request`` for callers, ``encode_request``
for OpenAI-protocol providers.

Decisions (each refusal is an ``Untranslatable`` naming the field):

- ``system`` and ``developer`` messages become the IR system prompt, in order, wherever they
  stand in the conversation (the IR, like Anthropic, has one system prompt).
- ``tool`` messages become tool results in a ``user`` message; consecutive ones share one message.
- Refused because the IR cannot carry them: ``n`` > 1, ``logprobs``, ``top_logprobs``,
  ``logit_bias``, non-zero ``frequency_penalty`` / ``presence_penalty``, ``audio``, audio
  ``modalities``, ``prediction``, ``web_search_options``, legacy ``functions`` /
  ``function_call`` and non-function tools.
- ``response_format`` ``json_schema`` / ``json_object`` becomes a forced tool (``structured.py``).
- Ignored as hints: a tool's ``strict`` flag, ``name`` on messages, ``store``, ``metadata``,
  ``service_tier``; ``reasoning_effort: "none"`` means no reasoning.
- Encoding: a ``system`` message of the IR (an instruction in mid-conversation) is a ``system``
  message where it stands; prior reasoning is not sent (the protocol has no standard field for
  it, and some providers reject ``reasoning_content`` in input); a tool result's ``is_error``
  has no OpenAI field and is carried only by its text; images in tool results are refused.
"""

from __future__ import annotations

from typing import Literal, TypeVar

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
from mlx_manager.protocols.openai.response import decode_thinking_block
from mlx_manager.protocols.openai.schemas import (
    OpenAIChatRequest,
    OpenAIContentPart,
    OpenAIMessage,
    OpenAINamedToolChoice,
)
from mlx_manager.protocols.openai.structured import structured_tool, with_structured
from mlx_manager.protocols.reasoning import effort_for
from mlx_manager.protocols.wire import validate

T = TypeVar("T")

_EMPTY_SCHEMA: dict[str, object] = {"type": "object", "properties": {}}


def decode_request(body: object) -> ChatRequest:
    """Decode a caller's ``/v1/chat/completions`` body; raises ``InvalidRequest`` only."""
    wire = validate(OpenAIChatRequest, body)
    _refuse_unsupported(wire)
    system: list[TextPart] = []
    messages: list[Message] = []
    for i, message in enumerate(wire.messages):
        _decode_message(message, f"messages[{i}]", system=system, messages=messages)
    stop = [wire.stop] if isinstance(wire.stop, str) else list(wire.stop or ())
    effort = wire.reasoning_effort
    max_tokens = wire.max_completion_tokens
    tools = _decode_tools(wire)
    tool_choice = _decode_tool_choice(wire)
    structured = None
    if wire.response_format is not None:
        structured = structured_tool(wire.response_format, has_tools=bool(tools))
    if structured is not None:
        tools = [structured]
        tool_choice = ToolChoice(mode="tool", name=structured.name)
    request = ChatRequest(
        model=wire.model,
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=tool_choice,
        max_tokens=max_tokens if max_tokens is not None else wire.max_tokens,
        temperature=wire.temperature,
        top_p=wire.top_p,
        top_k=wire.top_k,
        stop=stop,
        seed=wire.seed,
        stream=bool(wire.stream),
        include_usage=bool(wire.stream_options and wire.stream_options.include_usage),
        reasoning=Reasoning(effort=effort) if effort is not None and effort != "none" else None,
        user=wire.user if wire.user is not None else wire.safety_identifier,
    )
    return request if structured is None else with_structured(request, structured.name)


def _refuse_unsupported(wire: OpenAIChatRequest) -> None:
    if wire.n is not None and wire.n != 1:
        raise Untranslatable("n", "only one choice per request is supported")
    if wire.logprobs:
        raise Untranslatable("logprobs", "log probabilities are not available on this route")
    if wire.top_logprobs:
        raise Untranslatable("top_logprobs", "log probabilities are not available on this route")
    if wire.logit_bias:
        raise Untranslatable("logit_bias", "token biases are not available on this route")
    for name in ("frequency_penalty", "presence_penalty"):
        if getattr(wire, name):
            raise Untranslatable(name, "repetition penalties are not available on this route")
    if wire.audio is not None or (wire.modalities and set(wire.modalities) != {"text"}):
        raise Untranslatable("audio" if wire.audio is not None else "modalities", "text only")
    for name in ("prediction", "web_search_options", "functions", "function_call"):
        if getattr(wire, name) is not None:
            raise Untranslatable(name, "not supported when translating between protocols")


def _decode_message(
    message: OpenAIMessage, param: str, *, system: list[TextPart], messages: list[Message]
) -> None:
    role = message.role
    if message.audio is not None or message.function_call is not None:
        field = "audio" if message.audio is not None else "function_call"
        raise Untranslatable(f"{param}.{field}", "not supported when translating between protocols")
    if role in ("system", "developer"):
        system.extend(p for p in _decode_content(message, param) if isinstance(p, TextPart))
    elif role == "user":
        _required(message.content, f"{param}.content")
        messages.append(Message(role="user", content=_decode_content(message, param)))
    elif role == "assistant":
        messages.append(Message(role="assistant", content=_decode_assistant(message, param)))
    elif role == "tool":
        if message.tool_call_id is None:
            raise InvalidRequest(
                f"'{param}.tool_call_id' is required on tool messages.",
                param=f"{param}.tool_call_id",
            )
        texts = [p for p in _decode_content(message, param) if isinstance(p, TextPart)]
        result = ToolResultPart(tool_call_id=message.tool_call_id, content=list(texts))
        last = messages[-1] if messages else None
        if last is not None and last.role == "user" and _only_tool_results(last):
            last.content.append(result)
        else:
            messages.append(Message(role="user", content=[result]))
    else:
        raise Untranslatable(f"{param}.role", "legacy 'function' messages are not supported")


def _only_tool_results(message: Message) -> bool:
    return all(isinstance(p, ToolResultPart) for p in message.content)


def _decode_content(message: OpenAIMessage, param: str) -> list[ContentPart]:
    content = message.content
    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(text=content)]
    allow_images = message.role == "user"
    return [
        _decode_part(part, f"{param}.content[{j}]", allow_images=allow_images)
        for j, part in enumerate(content)
    ]


def _decode_part(part: OpenAIContentPart, param: str, *, allow_images: bool) -> ContentPart:
    # Images only in user messages; a refusal is the assistant's own text.
    if part.type == "text":
        return TextPart(text=_required(part.text, f"{param}.text"))
    if part.type == "image_url" and allow_images:
        image = _required(part.image_url, f"{param}.image_url")
        return _decode_image(image.url, image.detail, param)
    if part.type == "refusal" and not allow_images:
        return TextPart(text=_required(part.refusal, f"{param}.refusal"))
    raise Untranslatable(f"{param}.type", f"content of type '{part.type}' is not supported here")


def _required(value: T | None, param: str) -> T:
    if value is None:
        raise InvalidRequest(f"'{param}' is required.", param=param)
    return value


def _decode_image(url: str, detail: str | None, param: str) -> ImagePart:
    if not url.startswith("data:"):
        return ImagePart(url=url, detail=detail)
    header, comma, data = url.partition(",")
    media_type, _, encoding = header[5:].partition(";")
    if not comma or encoding != "base64" or not media_type:
        raise InvalidRequest(
            f"'{param}.image_url.url' must be a base64 data URL (data:<type>;base64,<data>).",
            param=f"{param}.image_url.url",
        )
    return ImagePart(media_type=media_type, data=data, detail=detail)


def _decode_assistant(message: OpenAIMessage, param: str) -> list[ContentPart]:
    # Anthropic order: thinking first, then text, then tool calls.
    parts: list[ContentPart] = []
    if message.thinking_blocks:
        parts.extend(decode_thinking_block(block) for block in message.thinking_blocks)
    elif message.reasoning_content:
        parts.append(ThinkingPart(text=message.reasoning_content))
    parts.extend(_decode_content(message, param))
    for call in message.tool_calls or ():
        parts.append(
            ToolCallPart(id=call.id, name=call.function.name, arguments=call.function.arguments)
        )
    return parts


def _decode_tools(wire: OpenAIChatRequest) -> list[ToolSpec]:
    tools: list[ToolSpec] = []
    for i, tool in enumerate(wire.tools or ()):
        if tool.type != "function" or tool.function is None:
            raise Untranslatable(
                f"tools[{i}].type", f"tools of type '{tool.type}' are not supported"
            )
        function = tool.function
        parameters = function.parameters if function.parameters is not None else _EMPTY_SCHEMA
        tools.append(ToolSpec(function.name, function.description, parameters))
    return tools


def _decode_tool_choice(wire: OpenAIChatRequest) -> ToolChoice | None:
    choice = wire.tool_choice
    disable_parallel = wire.parallel_tool_calls is False
    if choice is None:
        return ToolChoice(mode="auto", disable_parallel=True) if disable_parallel else None
    if isinstance(choice, OpenAINamedToolChoice):
        if choice.type != "function" or choice.function is None:
            raise Untranslatable("tool_choice.type", f"'{choice.type}' is not supported")
        return ToolChoice(mode="tool", name=choice.function.name, disable_parallel=disable_parallel)
    mode: Literal["auto", "any", "none"] = "any" if choice == "required" else choice
    # With no tool calls allowed, parallelism means nothing (and Anthropic refuses the flag).
    return ToolChoice(mode=mode, disable_parallel=disable_parallel and mode != "none")


def encode_request(
    request: ChatRequest,
    *,
    model: str,
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_completion_tokens",
) -> dict[str, object]:
    """The body for an OpenAI-protocol provider's ``/chat/completions``.

    ``max_tokens_field``: OpenAI's reasoning models accept only ``max_completion_tokens``, some
    older compatible servers only ``max_tokens``; the provider catalogue says which.
    """
    messages: list[dict[str, object]] = []
    if request.system:
        messages.append({"role": "system", "content": "\n\n".join(p.text for p in request.system)})
    for i, message in enumerate(request.messages):
        if message.role == "assistant":
            messages.append(_encode_assistant(message))
        elif message.role == "system":
            messages.append({"role": "system", "content": message.text()})
        else:
            messages.extend(_encode_user(message, f"messages[{i}]"))
    body: dict[str, object] = {"model": model, "messages": messages}
    if request.tools:
        body["tools"] = [
            {"type": "function", "function": _encode_function(tool)} for tool in request.tools
        ]
    if request.tool_choice is not None:
        _encode_tool_choice(request.tool_choice, body, has_tools=bool(request.tools))
    if request.max_tokens is not None:
        body[max_tokens_field] = request.max_tokens
    for name in ("temperature", "top_p", "top_k", "seed", "user"):
        value = getattr(request, name)
        if value is not None:
            body[name] = value
    if request.stop:
        body["stop"] = list(request.stop)
    reasoning = request.reasoning
    if reasoning is not None:
        if reasoning.effort is not None:
            body["reasoning_effort"] = reasoning.effort
        elif reasoning.budget_tokens is not None:
            body["reasoning_effort"] = effort_for(reasoning.budget_tokens)
    if request.stream:
        body["stream"] = True
        # Always asked for: the gateway accounts usage even when its caller did not ask.
        body["stream_options"] = {"include_usage": True}
    return body


def _encode_function(tool: ToolSpec) -> dict[str, object]:
    function: dict[str, object] = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    return function


def _encode_tool_choice(choice: ToolChoice, body: dict[str, object], *, has_tools: bool) -> None:
    if choice.mode == "tool":
        body["tool_choice"] = {"type": "function", "function": {"name": choice.name}}
    else:
        body["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[choice.mode]
    # OpenAI refuses parallel_tool_calls on a request without tools.
    if choice.disable_parallel and has_tools:
        body["parallel_tool_calls"] = False


def _encode_assistant(message: Message) -> dict[str, object]:
    texts: list[str] = []
    calls: list[dict[str, object]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ToolCallPart):
            function = {"name": part.name, "arguments": part.arguments}
            calls.append({"id": part.id, "type": "function", "function": function})
    out: dict[str, object] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        out["tool_calls"] = calls
    return out


def _encode_user(message: Message, param: str) -> list[dict[str, object]]:
    """One IR user message may become several: tool results are messages of their own."""
    out: list[dict[str, object]] = []
    pending: list[dict[str, object]] = []
    for j, part in enumerate(message.content):
        if isinstance(part, ToolResultPart):
            if pending:
                out.append(_user_message(pending))
                pending = []
            out.append(_tool_message(part, f"{param}.content[{j}]"))
        elif isinstance(part, TextPart):
            pending.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            pending.append(_encode_image(part))
    if pending or not out:
        out.append(_user_message(pending))
    return out


def _user_message(parts: list[dict[str, object]]) -> dict[str, object]:
    if not parts:
        return {"role": "user", "content": ""}
    if len(parts) == 1 and parts[0]["type"] == "text":
        return {"role": "user", "content": parts[0]["text"]}
    return {"role": "user", "content": parts}


def _tool_message(part: ToolResultPart, param: str) -> dict[str, object]:
    texts: list[str] = []
    for item in part.content:
        if isinstance(item, ImagePart):
            raise Untranslatable(f"{param}.content", "OpenAI tool results cannot carry images")
        texts.append(item.text)
    return {"role": "tool", "tool_call_id": part.tool_call_id, "content": "".join(texts)}


def _encode_image(part: ImagePart) -> dict[str, object]:
    url = part.url if part.url is not None else f"data:{part.media_type};base64,{part.data}"
    image: dict[str, object] = {"url": url}
    if part.detail is not None:
        image["detail"] = part.detail
    return {"type": "image_url", "image_url": image}
