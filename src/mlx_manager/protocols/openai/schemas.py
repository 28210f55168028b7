"""OpenAI Chat Completions wire models: requests we receive, replies and chunks we read.

Request models are strict (a caller's ``"temperature": "0.5"`` is refused, not coerced); models of
what providers send back are lax, since an upstream's small deviations are not our caller's fault.
Fields we never read are not declared: unknown fields are ignored. Fields declared only to be
refused (``n``, ``logprobs``, ``audio`` …) are checked in ``request.py``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlx_manager.protocols.wire import WireModel


class OpenAIImageURL(WireModel):
    url: str
    detail: str | None = None


class OpenAIContentPart(WireModel):
    """One part of a message's content; ``type`` decides which other field is read."""

    type: str
    text: str | None = None
    image_url: OpenAIImageURL | None = None
    refusal: str | None = None


class OpenAIFunctionCall(WireModel):
    name: str
    arguments: str


class OpenAIToolCall(WireModel):
    id: str
    type: Literal["function"] = "function"
    function: OpenAIFunctionCall


class OpenAIThinkingBlock(WireModel):
    """An Anthropic thinking block carried on an OpenAI message (the LiteLLM convention).

    It lets an OpenAI caller send a signed thinking block back to an Anthropic provider, which
    that provider requires during a tool-use loop with thinking enabled.
    """

    type: Literal["thinking", "redacted_thinking"]
    thinking: str | None = None
    signature: str | None = None
    data: str | None = None


class OpenAIMessage(WireModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[OpenAIContentPart] | None = None
    tool_calls: list[OpenAIToolCall] | None = None
    tool_call_id: str | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[OpenAIThinkingBlock] | None = None
    audio: object | None = None
    function_call: object | None = None


class OpenAIFunction(WireModel):
    name: str
    description: str | None = None
    parameters: dict[str, object] | None = None


class OpenAITool(WireModel):
    type: str = "function"
    function: OpenAIFunction | None = None


class OpenAIFunctionName(WireModel):
    name: str


class OpenAINamedToolChoice(WireModel):
    type: str
    function: OpenAIFunctionName | None = None


class OpenAIStreamOptions(WireModel):
    include_usage: bool | None = None


class OpenAIJSONSchema(WireModel):
    name: str
    description: str | None = None
    schema_: dict[str, object] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class OpenAIResponseFormat(WireModel):
    type: str
    json_schema: OpenAIJSONSchema | None = None


class OpenAIChatRequest(WireModel):
    model: str
    messages: list[OpenAIMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, ge=0, le=1)
    # Not in OpenAI's API, but accepted by most OpenAI-compatible servers (vLLM, llama.cpp).
    top_k: int | None = Field(default=None, ge=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool | None = None
    stream_options: OpenAIStreamOptions | None = None
    user: str | None = None
    safety_identifier: str | None = None
    tools: list[OpenAITool] | None = None
    tool_choice: Literal["auto", "none", "required"] | OpenAINamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"] | None = None
    response_format: OpenAIResponseFormat | None = None
    # Declared only to be refused when set (see request.py).
    n: int | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, object] | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    audio: object | None = None
    modalities: list[str] | None = None
    prediction: object | None = None
    functions: object | None = None
    function_call: object | None = None
    web_search_options: object | None = None


class UpstreamModel(BaseModel):
    """Lax base for what providers send: coercion allowed, unknown fields ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class OpenAIPromptTokensDetails(UpstreamModel):
    cached_tokens: int | None = None


class OpenAICompletionTokensDetails(UpstreamModel):
    reasoning_tokens: int | None = None


class OpenAIUsage(UpstreamModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_tokens_details: OpenAIPromptTokensDetails | None = None
    completion_tokens_details: OpenAICompletionTokensDetails | None = None


class OpenAIReplyFunction(UpstreamModel):
    name: str | None = None
    arguments: str | None = None


class OpenAIReplyToolCall(UpstreamModel):
    index: int | None = None
    id: str | None = None
    function: OpenAIReplyFunction | None = None


class OpenAIReplyMessage(UpstreamModel):
    """A reply ``message`` or a chunk's ``delta``; ``reasoning`` is vLLM's / OpenRouter's name."""

    content: str | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    tool_calls: list[OpenAIReplyToolCall] | None = None
    thinking_blocks: list[OpenAIThinkingBlock] | None = None


class OpenAIChoice(UpstreamModel):
    message: OpenAIReplyMessage | None = None
    delta: OpenAIReplyMessage | None = None
    finish_reason: str | None = None


class OpenAIChatResponse(UpstreamModel):
    """A ``chat.completion`` or one ``chat.completion.chunk``; ``error`` is a mid-stream failure."""

    id: str = ""
    model: str = ""
    choices: list[OpenAIChoice] = Field(default_factory=list)
    usage: OpenAIUsage | None = None
    error: dict[str, object] | None = None
