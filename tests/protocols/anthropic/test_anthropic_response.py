"""Anthropic reply codec: encoded replies parse with the official SDK; provider replies decode."""

from __future__ import annotations

import pytest
from anthropic.types import Message as SDKMessage

from mlx_manager.core import ChatResponse, TextPart, ThinkingPart, ToolCallPart, Usage
from mlx_manager.errors import (
    GatewayError,
    InvalidRequest,
    NotFound,
    RateLimited,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from mlx_manager.protocols.anthropic import decode_response, encode_error, encode_response

RESPONSE = ChatResponse(
    id="chatcmpl-9",
    model="gpt-4o",
    content=[
        ThinkingPart("Thinking.", signature="sig"),
        ThinkingPart(redacted_data="opaque"),
        TextPart("Here."),
        ToolCallPart("call_1", "f", '{"a": [1, 2]}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=100, output_tokens=20, cached_tokens=60, cache_creation_tokens=10),
)


def test_encode_response_golden_and_sdk_valid() -> None:
    body = encode_response(RESPONSE)
    assert body == {
        "id": "msg_9",
        "type": "message",
        "role": "assistant",
        "model": "gpt-4o",
        "content": [
            {"type": "thinking", "thinking": "Thinking.", "signature": "sig"},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "text", "text": "Here."},
            {"type": "tool_use", "id": "call_1", "name": "f", "input": {"a": [1, 2]}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 30,
            "output_tokens": 20,
            "cache_creation_input_tokens": 10,
            "cache_read_input_tokens": 60,
        },
    }
    SDKMessage.model_validate(body)


def test_decode_response_round_trip() -> None:
    decoded = decode_response(encode_response(RESPONSE), provider="anthropic")
    assert decoded.content[:3] == RESPONSE.content[:3]
    assert decoded.content[3] == ToolCallPart("call_1", "f", '{"a":[1,2]}')
    assert decoded.usage == RESPONSE.usage
    assert decoded.id == "msg_9"


@pytest.mark.parametrize(
    ("reason", "wire"),
    [
        ("end_turn", "end_turn"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop_sequence"),
        ("content_filter", "refusal"),
    ],
)
def test_stop_reasons(reason: str, wire: str) -> None:
    response = ChatResponse(
        id="",
        model="m",
        content=[ThinkingPart("t"), TextPart("x")],
        stop_reason=reason,
        stop_sequence="S" if reason == "stop_sequence" else None,
    )  # type: ignore[arg-type]
    body = encode_response(response)
    assert body["stop_reason"] == wire
    assert str(body["id"]).startswith("msg_")
    SDKMessage.model_validate(body)
    assert decode_response(body, provider="p").stop_reason == reason


def test_decode_maps_other_stop_reasons() -> None:
    body = {
        "id": "m",
        "model": "c",
        "content": [],
        "stop_reason": "pause_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    assert decode_response(body, provider="p").stop_reason == "end_turn"
    body["stop_reason"] = "model_context_window_exceeded"
    assert decode_response(body, provider="p").stop_reason == "max_tokens"


def test_invalid_tool_arguments_from_a_model_are_an_upstream_error() -> None:
    response = ChatResponse(id="", model="local", content=[ToolCallPart("c", "f", "{oops")])
    with pytest.raises(UpstreamError):
        encode_response(response)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            UpstreamUnavailable,
        ),
        (
            {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
            UpstreamRateLimited,
        ),
        ({"content": [{"type": "document"}]}, UpstreamError),
        ({"content": "x"}, UpstreamError),
        ("nope", UpstreamError),
    ],
)
def test_decode_response_failures(body: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_response(body, provider="p")


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (InvalidRequest("bad"), "invalid_request_error"),
        (NotFound("gone"), "not_found_error"),
        (RateLimited("slow"), "rate_limit_error"),
        (UpstreamUnavailable("down", provider="p", upstream_status=529), "overloaded_error"),
        (GatewayError("boom"), "api_error"),
    ],
)
def test_encode_error(exc: GatewayError, kind: str) -> None:
    assert encode_error(exc) == {"type": "error", "error": {"type": kind, "message": exc.message}}
