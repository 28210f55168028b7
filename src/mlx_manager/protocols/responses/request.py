"""Responses API requests -> ``ChatRequest`` (a ``ResponsesChat``, which keeps what the reply
echoes and maps back).

Decisions (each refusal is an ``Untranslatable`` or ``InvalidRequest`` naming the field):

- ``input`` is a string (one user message) or items. ``system`` and ``developer`` messages
  join ``instructions`` in the IR system prompt, in order. ``function_call`` and ``reasoning``
  items join the assistant turn they stand in; ``function_call_output`` items become tool
  results in a user message, consecutive ones sharing it.
- Function tools pass as they are; a ``namespace`` tool's functions are flattened to
  ``<namespace>__<name>`` and mapped back on the way out. Tools of any other type (hosted ones
  such as ``web_search``, or ``custom``) cannot run on a translated route: they are left out,
  and the reply names them in ``x-mlx-manager-dropped-tools``.
- ``reasoning.effort`` maps to the IR effort (``xhigh`` to ``high``, ``none`` to no reasoning).
  A ``reasoning`` item's ``encrypted_content`` is the opaque thinking data the gateway itself
  sent (an Anthropic signature, or ``redacted:`` and the redacted data), sent back with it.
- ``store`` and ``previous_response_id`` are the HTTP edge's (``api/inference/stored_responses``):
  it puts the stored conversation before ``input`` and sets ``response_id`` and ``keep`` on the
  decoded request; here they are only echoed.
- Accepted as hints: ``include``, ``prompt_cache_key``,
  ``client_metadata``, ``metadata``, ``service_tier``, ``truncation``, ``text.verbosity``, a
  tool's ``strict``.
- Structured output (``text.format`` ``json_schema`` or ``json_object``) is a forced tool
  whose parameters are the schema, which every target can serve; its call comes back as the
  message text. Offered together with function tools it is refused (forcing one tool would
  keep the model from the others), as is a schema whose root is not an object.
- Refused: ``conversation`` (the Conversations API is not served),
  ``prompt``, ``background``, ``max_tool_calls``, ``top_logprobs``, ``input_file`` parts,
  images by ``file_id``, and item types that need state or hosted tools (``item_reference``,
  ``web_search_call`` …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
from mlx_manager.protocols.responses.schemas import (
    ResponsesContentPart,
    ResponsesFunctionTool,
    ResponsesInputItem,
    ResponsesNamedToolChoice,
    ResponsesRequest,
)
from mlx_manager.protocols.structured import forced_tool
from mlx_manager.protocols.wire import validate

T = TypeVar("T")

DROPPED_TOOLS_HEADER = "x-mlx-manager-dropped-tools"
REDACTED_PREFIX = "redacted:"
_EMPTY_SCHEMA: dict[str, object] = {"type": "object", "properties": {}}
_TEXT_PARTS = frozenset({"input_text", "output_text", "text"})
_EFFORTS: dict[str, Literal["minimal", "low", "medium", "high"]] = {
    "minimal": "minimal",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "high",
}


@dataclass(slots=True)
class ResponsesChat(ChatRequest):
    """A chat request that came in as a Responses request, with what its reply needs."""

    # Flattened tool name -> (namespace, name), for the namespaced tools.
    namespaces: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Tool types left out because no translated route can run them, in order, once each.
    dropped_tools: list[str] = field(default_factory=list)
    # The forced tool that stands for ``text.format``: its call is the reply's text.
    structured: str | None = None
    # The request's own settings, which the ``response`` object repeats.
    echo: dict[str, object] = field(default_factory=dict)
    # Set by the HTTP edge when the response is stored: the id it is stored under (an
    # upstream's id need not be unique), and what takes the finished ``response`` object.
    response_id: str | None = None
    keep: Callable[[dict[str, object]], None] | None = None


def flat_name(namespace: str, name: str) -> str:
    return f"{namespace}{'' if namespace.endswith('__') else '__'}{name}"


def decode_request(body: object) -> ChatRequest:
    """Decode a caller's ``/v1/responses`` body; raises ``InvalidRequest`` only."""
    wire = validate(ResponsesRequest, body)
    _refuse_unsupported(wire)
    system: list[TextPart] = []
    if wire.instructions:
        system.append(TextPart(text=wire.instructions))
    messages: list[Message] = []
    namespaces: dict[str, tuple[str, str]] = {}
    tools, dropped = _decode_tools(wire, namespaces)
    if isinstance(wire.input, str):
        messages.append(Message(role="user", content=[TextPart(text=wire.input)]))
    else:
        for i, item in enumerate(wire.input):
            _decode_item(item, f"input[{i}]", system=system, messages=messages)
    effort = wire.reasoning.effort if wire.reasoning is not None else None
    tool_choice = _decode_tool_choice(wire, namespaces)
    structured = _structured_tool(wire, tools)
    if structured is not None:
        tools = [structured]
        tool_choice = ToolChoice(mode="tool", name=structured.name)
    return ResponsesChat(
        model=wire.model,
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=tool_choice,
        max_tokens=wire.max_output_tokens,
        temperature=wire.temperature,
        top_p=wire.top_p,
        stream=bool(wire.stream),
        include_usage=True,
        reasoning=Reasoning(effort=_EFFORTS[effort]) if effort and effort != "none" else None,
        user=wire.user if wire.user is not None else wire.safety_identifier,
        namespaces=namespaces,
        dropped_tools=dropped,
        structured=structured.name if structured is not None else None,
        echo=_echo(wire),
    )


def reply_headers(request: ChatRequest) -> dict[str, str]:
    """The header naming the tools left out, when there were any."""
    if isinstance(request, ResponsesChat) and request.dropped_tools:
        return {DROPPED_TOOLS_HEADER: ", ".join(request.dropped_tools)}
    return {}


def _refuse_unsupported(wire: ResponsesRequest) -> None:
    if wire.conversation is not None:
        raise InvalidRequest(
            "'conversation' is not supported: this gateway serves no Conversations API."
            " Continue with 'previous_response_id', or send the whole conversation in 'input'.",
            param="conversation",
        )
    for name in ("prompt", "max_tool_calls", "top_logprobs"):
        if getattr(wire, name) is not None:
            raise Untranslatable(name, "not supported by this gateway")
    if wire.background:
        raise Untranslatable("background", "background responses are not supported")


def _structured_tool(wire: ResponsesRequest, tools: list[ToolSpec]) -> ToolSpec | None:
    """The forced tool standing for a JSON ``text.format``; None for plain text."""
    text_format = wire.text.format if wire.text is not None else None
    if text_format is None:
        return None
    return forced_tool(
        text_format.type,
        param="text.format",
        schema=text_format.schema_,
        schema_param="text.format.schema",
        name=text_format.name,
        name_param="text.format.name",
        description=text_format.description,
        has_tools=bool(tools),
    )


def _required(value: T | None, param: str) -> T:
    if value is None:
        raise InvalidRequest(f"'{param}' is required.", param=param)
    return value


def _decode_item(
    item: ResponsesInputItem, param: str, *, system: list[TextPart], messages: list[Message]
) -> None:
    kind = item.type
    if kind == "message":
        role = _required(item.role, f"{param}.role")
        content = decode_content(item.content, f"{param}.content", images=role == "user")
        if role in ("system", "developer"):
            system.extend(p for p in content if isinstance(p, TextPart))
        elif role == "user":
            messages.append(Message(role="user", content=content))
        else:
            _assistant(messages).extend(content)
    elif kind == "function_call":
        name = _required(item.name, f"{param}.name")
        call = ToolCallPart(
            id=_required(item.call_id, f"{param}.call_id"),
            name=flat_name(item.namespace, name) if item.namespace else name,
            arguments=_required(item.arguments, f"{param}.arguments"),
        )
        _assistant(messages).append(call)
    elif kind == "function_call_output":
        if item.output is None:
            raise InvalidRequest(f"'{param}.output' is required.", param=f"{param}.output")
        parts = decode_content(item.output, f"{param}.output", images=True)
        result = ToolResultPart(
            tool_call_id=_required(item.call_id, f"{param}.call_id"),
            content=[p for p in parts if isinstance(p, TextPart | ImagePart)],
        )
        last = messages[-1] if messages else None
        if last is not None and last.role == "user" and _only_tool_results(last):
            last.content.append(result)
        else:
            messages.append(Message(role="user", content=[result]))
    elif kind == "reasoning":
        _assistant(messages).append(decode_reasoning(item))
    else:
        raise Untranslatable(f"{param}.type", f"input items of type '{kind}' are not supported")


def _assistant(messages: list[Message]) -> list[ContentPart]:
    """The content of the assistant turn being built: items of one turn arrive one by one."""
    last = messages[-1] if messages else None
    if last is None or last.role != "assistant":
        last = Message(role="assistant", content=[])
        messages.append(last)
    return last.content


def _only_tool_results(message: Message) -> bool:
    return all(isinstance(p, ToolResultPart) for p in message.content)


def decode_reasoning(item: ResponsesInputItem) -> ThinkingPart:
    opaque = item.encrypted_content
    if opaque is not None and opaque.startswith(REDACTED_PREFIX):
        return ThinkingPart(redacted_data=opaque.removeprefix(REDACTED_PREFIX))
    text = "\n\n".join(part.text for part in item.summary or ())
    return ThinkingPart(text=text, signature=opaque)


def decode_content(
    content: str | list[ResponsesContentPart] | None, param: str, *, images: bool
) -> list[ContentPart]:
    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(text=content)]
    return [_decode_part(part, f"{param}[{j}]", images=images) for j, part in enumerate(content)]


def _decode_part(part: ResponsesContentPart, param: str, *, images: bool) -> ContentPart:
    if part.type in _TEXT_PARTS:
        return TextPart(text=_required(part.text, f"{param}.text"))
    if part.type == "refusal":
        return TextPart(text=_required(part.refusal, f"{param}.refusal"))
    if part.type == "input_image" and images:
        if part.image_url is None:
            field_name = "file_id" if part.file_id is not None else "image_url"
            raise Untranslatable(f"{param}.{field_name}", "images are taken by 'image_url' only")
        return _decode_image(part.image_url, part.detail, f"{param}.image_url")
    raise Untranslatable(f"{param}.type", f"content of type '{part.type}' is not supported here")


def _decode_image(url: str, detail: str | None, param: str) -> ImagePart:
    # 'auto' is the API's default and means nothing to a target.
    detail = detail if detail != "auto" else None
    if not url.startswith("data:"):
        return ImagePart(url=url, detail=detail)
    header, comma, data = url.partition(",")
    media_type, _, encoding = header[5:].partition(";")
    if not comma or encoding != "base64" or not media_type:
        raise InvalidRequest(
            f"'{param}' must be a base64 data URL (data:<type>;base64,<data>).", param=param
        )
    return ImagePart(media_type=media_type, data=data, detail=detail)


def _decode_tools(
    wire: ResponsesRequest, namespaces: dict[str, tuple[str, str]]
) -> tuple[list[ToolSpec], list[str]]:
    tools: list[ToolSpec] = []
    dropped: list[str] = []
    for i, tool in enumerate(wire.tools or ()):
        param = f"tools[{i}]"
        if tool.type == "function":
            tools.append(_function(tool, param, name=_required(tool.name, f"{param}.name")))
        elif tool.type == "namespace":
            namespace = _required(tool.name, f"{param}.name")
            for j, inner in enumerate(tool.tools or ()):
                inner_param = f"{param}.tools[{j}]"
                if inner.type != "function":
                    if inner.type not in dropped:
                        dropped.append(inner.type)
                    continue
                name = _required(inner.name, f"{inner_param}.name")
                flat = flat_name(namespace, name)
                namespaces[flat] = (namespace, name)
                tools.append(_function(inner, inner_param, name=flat))
        elif tool.type not in dropped:
            dropped.append(tool.type)
    return tools, dropped


def _function(tool: ResponsesFunctionTool, param: str, *, name: str) -> ToolSpec:
    parameters = tool.parameters if tool.parameters is not None else _EMPTY_SCHEMA
    return ToolSpec(name, tool.description, parameters)


def _decode_tool_choice(
    wire: ResponsesRequest, namespaces: dict[str, tuple[str, str]]
) -> ToolChoice | None:
    choice = wire.tool_choice
    disable_parallel = wire.parallel_tool_calls is False
    if choice is None:
        return ToolChoice(mode="auto", disable_parallel=True) if disable_parallel else None
    if isinstance(choice, ResponsesNamedToolChoice):
        if choice.type != "function":
            raise Untranslatable("tool_choice.type", f"'{choice.type}' is not supported")
        name = _required(choice.name, "tool_choice.name")
        return ToolChoice(mode="tool", name=name, disable_parallel=disable_parallel)
    mode: Literal["auto", "any", "none"] = "any" if choice == "required" else choice
    return ToolChoice(mode=mode, disable_parallel=disable_parallel and mode != "none")


def _echo(wire: ResponsesRequest) -> dict[str, object]:
    """The settings a ``response`` object repeats, with the API's defaults where unset."""
    tools = [t.model_dump(exclude_none=True) for t in wire.tools or ()]
    choice = wire.tool_choice
    reasoning = wire.reasoning
    return {
        "instructions": wire.instructions,
        "max_output_tokens": wire.max_output_tokens,
        "metadata": wire.metadata or {},
        "parallel_tool_calls": wire.parallel_tool_calls is not False,
        "previous_response_id": wire.previous_response_id,
        "prompt_cache_key": wire.prompt_cache_key,
        "reasoning": {
            "effort": reasoning.effort if reasoning else None,
            "summary": reasoning.summary if reasoning else None,
        },
        "store": wire.store is not False,
        "temperature": wire.temperature if wire.temperature is not None else 1.0,
        "text": {
            "format": wire.text.format.model_dump(exclude_none=True, by_alias=True)
            if wire.text is not None and wire.text.format is not None
            else {"type": "text"}
        },
        "tool_choice": choice.model_dump(exclude_none=True)
        if isinstance(choice, ResponsesNamedToolChoice)
        else (choice or "auto"),
        "tools": tools,
        "top_p": wire.top_p if wire.top_p is not None else 1.0,
        "truncation": wire.truncation or "disabled",
        "user": wire.user,
    }
