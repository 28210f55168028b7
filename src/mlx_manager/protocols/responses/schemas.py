"""Responses API wire models: the requests we receive, and a provider's replies and events.

Strict, like the Chat Completions models (no ``"0.5"`` -> ``0.5``), and unknown fields are
ignored. Input items and tools are read by ``type`` in ``request.py``, so each of their models
declares the fields of every type it stands for; fields declared only to be refused or
accepted as hints are named there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlx_manager.protocols.wire import WireModel


class ResponsesContentPart(WireModel):
    """A part of a message's content: ``input_text``, ``input_image``, ``output_text``,
    ``refusal`` (or ``input_file``, refused)."""

    type: str
    text: str | None = None
    image_url: str | None = None
    file_id: str | None = None
    detail: str | None = None
    refusal: str | None = None


class ResponsesSummaryPart(WireModel):
    type: str = "summary_text"
    text: str


class ResponsesInputItem(WireModel):
    """One ``input`` item: a message (``type`` "message" or absent), ``function_call``,
    ``function_call_output``, ``reasoning``, or a type refused by name."""

    type: str = "message"
    # message
    role: Literal["user", "assistant", "system", "developer"] | None = None
    content: str | list[ResponsesContentPart] | None = None
    # function_call / function_call_output
    call_id: str | None = None
    name: str | None = None
    namespace: str | None = None
    arguments: str | None = None
    output: str | list[ResponsesContentPart] | None = None
    # reasoning
    summary: list[ResponsesSummaryPart] | None = None
    encrypted_content: str | None = None


class ResponsesFunctionTool(WireModel):
    type: str
    name: str | None = None
    description: str | None = None
    parameters: dict[str, object] | None = None
    strict: bool | None = None
    # namespace: function tools grouped under a name, flattened for the target.
    tools: list[ResponsesFunctionTool] | None = None


class ResponsesNamedToolChoice(WireModel):
    type: str
    name: str | None = None


class ResponsesReasoning(WireModel):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None


class ResponsesTextFormat(WireModel):
    """``text``, ``json_object``, or ``json_schema`` with its ``name`` and ``schema``."""

    type: str
    name: str | None = None
    description: str | None = None
    schema_: dict[str, object] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponsesText(WireModel):
    format: ResponsesTextFormat | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class ResponsesRequest(WireModel):
    model: str
    input: str | list[ResponsesInputItem]
    instructions: str | None = None
    tools: list[ResponsesFunctionTool] | None = None
    tool_choice: Literal["auto", "none", "required"] | ResponsesNamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    reasoning: ResponsesReasoning | None = None
    text: ResponsesText | None = None
    stream: bool | None = None
    user: str | None = None
    safety_identifier: str | None = None
    # Conversation state, served by the HTTP edge (see request.py).
    store: bool | None = None
    previous_response_id: str | None = None
    # Accepted as hints (Codex sends them): encrypted reasoning is always sent back when there
    # is opaque reasoning to carry.
    include: list[str] | None = None
    prompt_cache_key: str | None = None
    client_metadata: dict[str, object] | None = None
    metadata: dict[str, str] | None = None
    service_tier: str | None = None
    truncation: Literal["auto", "disabled"] | None = None
    # Declared only to be refused when set (see request.py).
    conversation: object | None = None
    prompt: object | None = None
    background: bool | None = None
    max_tool_calls: int | None = None
    top_logprobs: int | None = None


# What a Responses provider sends back. Output items are ``ResponsesInputItem``: an output item
# is what a caller sends back as input, so one model reads both.


class ResponsesTokenDetails(WireModel):
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None


class ResponsesUsage(WireModel):
    input_tokens: int = 0
    output_tokens: int = 0
    input_tokens_details: ResponsesTokenDetails | None = None
    output_tokens_details: ResponsesTokenDetails | None = None


class ResponsesIncomplete(WireModel):
    reason: str | None = None


class ResponsesError(WireModel):
    code: str | None = None
    message: str | None = None


class ResponsesReply(WireModel):
    """A ``response`` object: a whole reply, or the one a stream's ``response.*`` events carry."""

    id: str = ""
    model: str = ""
    status: str | None = None
    output: list[ResponsesInputItem] = Field(default_factory=list)
    usage: ResponsesUsage | None = None
    incomplete_details: ResponsesIncomplete | None = None
    error: ResponsesError | None = None


class ResponsesStreamEvent(WireModel):
    """One event of a Responses stream, read by ``type``; each declares the fields it uses."""

    type: str
    response: ResponsesReply | None = None
    output_index: int | None = None
    item: ResponsesInputItem | None = None
    delta: str | None = None
    arguments: str | None = None
    summary_index: int | None = None
    # ``error`` events: the fields at the top, or (as some servers send them) in ``error``.
    code: str | None = None
    message: str | None = None
    error: ResponsesError | None = None
