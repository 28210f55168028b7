"""What Claude Code and the SDKs send beyond plain chats: mid-conversation system turns, seeds,
structured output, through the official SDKs to fake upstreams of each protocol."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from tests.api.inference.conftest import PROVIDERS, Gateway

CONVERSATION: Any = [
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "hello"},
    {"role": "system", "content": [{"type": "text", "text": "Plan mode is on."}]},
    {"role": "user", "content": "go"},
]


def model(up: str) -> str:
    return f"{PROVIDERS[up]}/echo-1"


@pytest.mark.parametrize("stream", [False, True])
def test_a_system_turn_reaches_an_openai_provider_in_place(gateway: Gateway, stream: bool) -> None:
    client = gateway.anthropic()
    args: Any = {
        "model": model("openai"),
        "max_tokens": 50,
        "system": "You are Claude Code.",
        "messages": CONVERSATION,
    }
    if stream:
        with client.messages.stream(**args) as events:
            text = events.get_final_text()
    else:
        reply = client.messages.create(**args)
        assert reply.content[0].type == "text"
        text = reply.content[0].text
    assert "go" in text
    sent = gateway.upstream.received[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.json()["messages"] == [
        {"role": "system", "content": "You are Claude Code."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "system", "content": "Plan mode is on."},
        {"role": "user", "content": "go"},
    ]


def test_a_system_turn_goes_to_an_anthropic_provider_untouched(gateway: Gateway) -> None:
    client = gateway.anthropic()
    beta = "mid-conversation-system-2026-04-07"
    client.messages.create(
        model=model("anthropic"),
        max_tokens=50,
        messages=CONVERSATION,
        extra_headers={"anthropic-beta": beta},
    )
    sent = gateway.upstream.received[-1]
    assert sent.path == "/v1/messages"
    assert sent.json()["messages"] == CONVERSATION
    assert sent.headers["anthropic-beta"] == beta


def test_a_system_turn_with_an_image_is_refused(gateway: Gateway) -> None:
    turns: Any = [{"role": "system", "content": [{"type": "image"}]}]
    with pytest.raises(anthropic.BadRequestError) as info:
        gateway.anthropic().messages.create(model=model("openai"), max_tokens=5, messages=turns)
    assert "not allowed in system messages" in info.value.message


@pytest.mark.parametrize("stream", [False, True])
def test_a_seed_bound_for_an_anthropic_provider_is_refused(gateway: Gateway, stream: bool) -> None:
    before = len(gateway.upstream.received)
    with pytest.raises(openai.BadRequestError) as info:
        gateway.openai().chat.completions.create(
            model=model("anthropic"),
            messages=[{"role": "user", "content": "hi"}],
            seed=7,
            stream=stream,
        )
    error: Any = info.value.body
    assert error["param"] == "seed"
    assert "seed" in error["message"]
    assert len(gateway.upstream.received) == before
