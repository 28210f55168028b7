"""What Claude Code and the SDKs send beyond plain chats: mid-conversation system turns, seeds,
structured output, token counts, through the official SDKs to fake upstreams of each protocol."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest
import tiktoken

from mlx_manager.api.state import AppState
from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.gateway.token_count import TokenCounter
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.upstream import Reply

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


def byte_encoding() -> tiktoken.Encoding:
    """A real tiktoken encoding, one token per byte: o200k_base itself is a download away."""
    ranks = {bytes([i]): i for i in range(256)}
    return tiktoken.Encoding("bytes", pat_str=r"\S+|\s+", mergeable_ranks=ranks, special_tokens={})


def counter(gw: Gateway) -> TokenCounter:
    state: AppState = gw.server.app.state.mm
    return state.token_counter


def test_count_tokens_is_forwarded_to_an_anthropic_provider(gateway: Gateway) -> None:
    gateway.upstream.reply("/v1/messages/count_tokens", Reply(json={"input_tokens": 1234}))
    beta = "token-counting-2024-11-01"
    count = gateway.anthropic().messages.count_tokens(
        model=model("anthropic"),
        system="You are Claude Code.",
        messages=CONVERSATION,
        extra_headers={"anthropic-beta": beta},
        extra_body={"context_management": {"edits": []}},
    )
    assert count.input_tokens == 1234
    sent = gateway.upstream.received[-1]
    assert sent.path == "/v1/messages/count_tokens"
    assert sent.json() == {
        "model": "echo-1",
        "system": "You are Claude Code.",
        "messages": CONVERSATION,
        "context_management": {"edits": []},
    }
    assert sent.headers["anthropic-beta"] == beta
    assert sent.headers["x-api-key"] == "sk-upstream-anthropic-key"


@pytest.mark.parametrize(
    "reply", [Reply(json={"input_tokens": "12"}), Reply(json={"tokens": 3}), Reply(text="no")]
)
def test_a_count_that_is_not_one_is_refused(gateway: Gateway, reply: Reply) -> None:
    gateway.upstream.reply("/v1/messages/count_tokens", reply)
    with pytest.raises(anthropic.APIStatusError) as info:
        gateway.anthropic().messages.count_tokens(
            model=model("anthropic"), messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 502
    assert info.value.body["type"] == "error"  # type: ignore[index]


def test_count_tokens_for_an_openai_provider_is_estimated_with_tiktoken(gateway: Gateway) -> None:
    counter(gateway).estimator = TokenEstimator(byte_encoding)
    before = len(gateway.upstream.received)
    count = gateway.anthropic().messages.count_tokens(
        model=model("openai"), system="Be brief.", messages=CONVERSATION
    )
    # One token per byte of "Be brief.", "hi", "hello", "Plan mode is on.", "go"; then 3 for
    # each of the five messages and 3 to open the reply.
    assert count.input_tokens == 9 + 2 + 5 + 16 + 2 + 5 * 3 + 3
    assert len(gateway.upstream.received) == before


def test_o200k_base_is_the_estimate_where_it_can_be_loaded(gateway: Gateway) -> None:
    try:
        o200k = tiktoken.get_encoding("o200k_base")
    except OSError:
        pytest.skip("tiktoken's o200k_base file cannot be fetched here and is not cached")
    count = gateway.anthropic().messages.count_tokens(
        model=model("openai"), messages=[{"role": "user", "content": "Hello, world"}]
    )
    assert count.input_tokens == len(o200k.encode_ordinary("Hello, world")) + 3 + 3


def test_count_tokens_without_the_encoding_says_how_to_fix_it(gateway: Gateway) -> None:
    def offline() -> tiktoken.Encoding:
        raise OSError("no network")

    counter(gateway).estimator = TokenEstimator(offline)
    with pytest.raises(anthropic.APIStatusError) as info:
        gateway.anthropic().messages.count_tokens(
            model=model("openai"), messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 503
    assert "TIKTOKEN_CACHE_DIR" in info.value.message


def test_count_tokens_refuses_what_a_messages_request_would(gateway: Gateway) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        gateway.anthropic().messages.count_tokens(model=model("openai"), messages=[])
    assert info.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    with pytest.raises(anthropic.NotFoundError):
        gateway.anthropic().messages.count_tokens(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
