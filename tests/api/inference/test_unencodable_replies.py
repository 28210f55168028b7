"""A translated reply that the caller's protocol cannot carry is an upstream failure in the
caller's shape, never a 500."""

from __future__ import annotations

import anthropic
import pytest

from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.upstream import Reply

TOOL = {"name": "lookup", "description": "", "input_schema": {"type": "object"}}


def _reply_with_arguments(arguments: str) -> Reply:
    return Reply(
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "echo-1",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "lookup", "arguments": arguments},
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    )


@pytest.mark.parametrize("arguments", ["[1, 2]", '{"not closed": '])
def test_tool_arguments_that_are_no_object_are_a_502_for_an_anthropic_caller(
    gateway: Gateway, arguments: str
) -> None:
    gateway.upstream.reply("/v1/chat/completions", _reply_with_arguments(arguments))
    client = gateway.anthropic()
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(
            model=f"{PROVIDERS['openai']}/echo-1",
            max_tokens=50,
            messages=[{"role": "user", "content": "look it up"}],
            tools=[TOOL],  # type: ignore[list-item]
        )
    assert caught.value.status_code == 502
    body = caught.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert "not a JSON object" in body["error"]["message"]


def test_arguments_cut_by_max_tokens_are_an_empty_tool_use_that_says_so(gateway: Gateway) -> None:
    cut = _reply_with_arguments('{"half": ')
    cut.json["choices"][0]["finish_reason"] = "length"
    gateway.upstream.reply("/v1/chat/completions", cut)
    message = gateway.anthropic().messages.create(
        model=f"{PROVIDERS['openai']}/echo-1",
        max_tokens=50,
        messages=[{"role": "user", "content": "look it up"}],
        tools=[TOOL],  # type: ignore[list-item]
    )
    assert message.stop_reason == "max_tokens"
    (block,) = message.content
    assert block.type == "tool_use" and block.input == {}
