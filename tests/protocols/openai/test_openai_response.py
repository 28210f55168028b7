"""OpenAI reply codec: encoded replies parse with the official SDK; provider replies decode."""

from __future__ import annotations

import pytest
from openai.types.chat import ChatCompletion

from mlx_manager.core import ChatResponse, TextPart, ThinkingPart, ToolCallPart, Usage
from mlx_manager.errors import GatewayError, InvalidRequest, UpstreamError
from mlx_manager.protocols.openai import decode_response, encode_error, encode_response

RESPONSE = ChatResponse(
    id="msg_01ABC",
    model="claude-sonnet-4-5",
    content=[
        ThinkingPart("Let me think.", signature="sig=="),
        TextPart("Checking."),
        ToolCallPart("toolu_1", "get_weather", '{"city":"Paris"}'),
        ToolCallPart("toolu_2", "get_weather", '{"city":"Tokyo"}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=2520, output_tokens=89, cached_tokens=2048, cache_creation_tokens=0),
)


def test_encode_response_golden_and_sdk_valid() -> None:
    body = encode_response(RESPONSE, created=1735689600)
    assert body == {
        "id": "chatcmpl-01ABC",
        "object": "chat.completion",
        "created": 1735689600,
        "model": "claude-sonnet-4-5",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Checking.",
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "toolu_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": "toolu_2",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Tokyo"}'},
                        },
                    ],
                    "reasoning_content": "Let me think.",
                    "thinking_blocks": [
                        {"type": "thinking", "thinking": "Let me think.", "signature": "sig=="}
                    ],
                },
                "finish_reason": "tool_calls",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 2520,
            "completion_tokens": 89,
            "total_tokens": 2609,
            "prompt_tokens_details": {"cached_tokens": 2048},
        },
    }
    parsed = ChatCompletion.model_validate(body)
    assert parsed.choices[0].message.tool_calls is not None
    assert parsed.usage is not None
    assert parsed.usage.prompt_tokens_details is not None


@pytest.mark.parametrize(
    ("reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("content_filter", "content_filter"),
    ],
)
def test_finish_reasons(reason: str, finish: str) -> None:
    response = ChatResponse(id="", model="m", content=[TextPart("x")], stop_reason=reason)  # type: ignore[arg-type]
    body = encode_response(response)
    assert body["choices"][0]["finish_reason"] == finish  # type: ignore[index]
    assert str(body["id"]).startswith("chatcmpl-")
    ChatCompletion.model_validate(body)


def test_unsigned_reasoning_has_no_thinking_blocks() -> None:
    response = ChatResponse(id="chatcmpl-x", model="m", content=[ThinkingPart("hm"), TextPart("a")])
    message = encode_response(response)["choices"][0]["message"]  # type: ignore[index]
    assert message["reasoning_content"] == "hm"
    assert "thinking_blocks" not in message
    assert encode_response(response)["id"] == "chatcmpl-x"


def test_decode_response_round_trip() -> None:
    body = encode_response(RESPONSE, created=1)
    decoded = decode_response(body, provider="openai")
    assert decoded.content == RESPONSE.content
    assert decoded.usage == RESPONSE.usage
    assert decoded.stop_reason == "tool_use"
    assert decoded.id == "chatcmpl-01ABC"


def test_decode_response_reasoning_alias_and_refusal() -> None:
    body = {
        "id": "x",
        "model": "m",
        "choices": [
            {
                "message": {"content": None, "refusal": "No.", "reasoning": "r"},
                "finish_reason": "content_filter",
            }
        ],
    }
    decoded = decode_response(body, provider="vllm")
    assert decoded.content == [ThinkingPart("r"), TextPart("No.")]
    assert decoded.stop_reason == "content_filter"


@pytest.mark.parametrize(
    "body",
    [
        {"choices": []},
        {"choices": "x"},
        [],
        {"error": {"message": "bad key", "code": 401}},
    ],
)
def test_decode_response_failures_are_upstream_errors(body: object) -> None:
    with pytest.raises(UpstreamError):
        decode_response(body, provider="p")


def test_encode_error() -> None:
    error = InvalidRequest("'n' is bad", param="n")
    assert encode_error(error) == {
        "error": {
            "message": "'n' is bad",
            "type": "invalid_request_error",
            "param": "n",
            "code": "invalid_request_error",
        }
    }
    assert encode_error(GatewayError("boom"))["error"]["type"] == "server_error"  # type: ignore[index]
