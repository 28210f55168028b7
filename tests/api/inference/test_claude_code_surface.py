"""What Claude Code and the SDKs send beyond plain chats: mid-conversation system turns, seeds,
structured output, token counts, through the official SDKs to fake upstreams of each protocol."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
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


def test_count_tokens_takes_gateway_keys_like_messages(gateway: Gateway) -> None:
    gateway.upstream.reply("/v1/messages/count_tokens", Reply(json={"input_tokens": 5}))
    with gateway.server.admin() as admin:
        response = admin.post(
            "/api/keys", json={"name": "claude-code", "model_patterns": ["up-anthropic/*"]}
        )
        assert response.status_code == 201, response.text
        key = response.json()["key"]
    ask: Any = {"messages": [{"role": "user", "content": "hi"}]}
    base_url = gateway.server.base_url
    with anthropic.Anthropic(base_url=base_url, api_key=key, max_retries=0) as keyed:
        assert keyed.messages.count_tokens(model=model("anthropic"), **ask).input_tokens == 5
        with pytest.raises(anthropic.PermissionDeniedError):
            keyed.messages.count_tokens(model=model("openai"), **ask)
    wrong = anthropic.Anthropic(base_url=base_url, api_key="sk-wrong", max_retries=0)
    with wrong, pytest.raises(anthropic.AuthenticationError):
        wrong.messages.count_tokens(model=model("anthropic"), **ask)


WEATHER_SCHEMA: Any = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "celsius": {"type": "number"}},
    "required": ["city", "celsius"],
}
WEATHER_FORMAT: Any = {
    "type": "json_schema",
    "json_schema": {"name": "weather", "schema": WEATHER_SCHEMA, "strict": True},
}
ANSWER = '{"city": "Paris", "celsius": 21}'
USAGE = {"input_tokens": 12, "output_tokens": 9}


def tool_use_reply() -> Reply:
    content = [
        {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": json.loads(ANSWER)}
    ]
    return Reply(
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-x",
            "content": content,
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": USAGE,
        }
    )


def tool_use_stream() -> Reply:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 12, "output_tokens": 1},
    }
    block = {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}}
    halves = (ANSWER[:12], ANSWER[12:])
    return Reply(
        sse=[
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": block},
            ),
            *[
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": half},
                    },
                )
                for half in halves
            ],
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                    "usage": {"output_tokens": 9},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
    )


@pytest.mark.parametrize("stream", [False, True])
def test_json_schema_to_an_anthropic_provider_is_a_forced_tool_answered_as_text(
    gateway: Gateway, stream: bool
) -> None:
    upstream = gateway.add_upstream("claude-up", "anthropic")
    upstream.reply("/v1/messages", tool_use_stream() if stream else tool_use_reply())
    client = gateway.openai()
    ask: Any = {
        "model": "claude-up/claude-x",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "response_format": WEATHER_FORMAT,
    }
    if stream:
        chunks = list(client.chat.completions.create(stream=True, **ask))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert not any(c.choices and c.choices[0].delta.tool_calls for c in chunks)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
    else:
        reply = client.chat.completions.create(**ask)
        text = reply.choices[0].message.content or ""
        assert reply.choices[0].message.tool_calls is None
        finish = reply.choices[0].finish_reason
    assert json.loads(text) == {"city": "Paris", "celsius": 21}
    assert finish == "stop"
    sent = upstream.received[-1].json()
    assert sent["tools"] == [
        {
            "name": "weather",
            "description": "Give the answer in this JSON schema.",
            "input_schema": WEATHER_SCHEMA,
        }
    ]
    assert sent["tool_choice"] == {"type": "tool", "name": "weather"}
    assert "response_format" not in sent


def test_json_schema_with_tools_is_refused_naming_it(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        gateway.openai().chat.completions.create(
            model=model("anthropic"),
            messages=[{"role": "user", "content": "hi"}],
            response_format=WEATHER_FORMAT,
            tools=[{"type": "function", "function": {"name": "f", "parameters": WEATHER_SCHEMA}}],
        )
    error: Any = info.value.body
    assert error["param"] == "response_format"


CLAUDE_CODE: Any = {
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "hi"}],
    "metadata": {"user_id": "user_abc"},
    "betas": ["context-management-2025-06-27", "mid-conversation-system-2026-04-07"],
    "extra_body": {"context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}},
    # Claude Code asks for /v1/messages?beta=true.
    "extra_query": {"beta": "true"},
}


def test_claude_codes_betas_and_fields_pass_to_an_anthropic_provider(gateway: Gateway) -> None:
    raw = gateway.anthropic().beta.messages.with_raw_response.create(
        model=model("anthropic"), **CLAUDE_CODE
    )
    assert raw.http_request.url.params["beta"] == "true"
    assert "x-mlx-manager-dropped-fields" not in raw.headers
    sent = gateway.upstream.received[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["anthropic-beta"] == ",".join(CLAUDE_CODE["betas"])
    body = sent.json()
    assert body["context_management"] == CLAUDE_CODE["extra_body"]["context_management"]
    assert body["metadata"] == {"user_id": "user_abc"}


@pytest.mark.parametrize("stream", [False, True])
def test_claude_codes_fields_left_out_elsewhere_are_named(gateway: Gateway, stream: bool) -> None:
    raw = gateway.anthropic().beta.messages.with_raw_response.create(
        model=model("openai"), stream=stream, **CLAUDE_CODE
    )
    assert raw.headers["x-mlx-manager-dropped-fields"] == "context_management"
    raw.parse()
    body = gateway.upstream.received[-1].json()
    assert "context_management" not in body
    assert body["user"] == "user_abc"


@pytest.mark.parametrize("stream", [False, True])
def test_betas_a_translated_route_does_not_send_on_are_named(
    gateway: Gateway, stream: bool
) -> None:
    raw = gateway.anthropic().beta.messages.with_raw_response.create(
        model=model("openai"), stream=stream, **CLAUDE_CODE
    )
    assert raw.headers["x-mlx-manager-dropped-betas"] == ", ".join(CLAUDE_CODE["betas"])
    raw.parse()
    assert "anthropic-beta" not in gateway.upstream.received[-1].headers


def test_betas_sent_to_an_anthropic_provider_are_not_named(gateway: Gateway) -> None:
    raw = gateway.anthropic().messages.with_raw_response.create(
        model=model("anthropic"),
        max_tokens=50,
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"anthropic-beta": "context-1m-2025-08-07"},
    )
    assert "x-mlx-manager-dropped-betas" not in raw.headers
    assert gateway.upstream.received[-1].headers["anthropic-beta"] == "context-1m-2025-08-07"


def test_no_betas_no_header(gateway: Gateway) -> None:
    raw = gateway.anthropic().messages.with_raw_response.create(
        model=model("openai"), max_tokens=50, messages=[{"role": "user", "content": "hi"}]
    )
    assert "x-mlx-manager-dropped-betas" not in raw.headers


def test_betas_on_several_header_lines_are_all_kept(gateway: Gateway) -> None:
    body = {"max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    lines = [("anthropic-beta", "beta-one"), ("anthropic-beta", "beta-two, beta-three")]
    to_anthropic = httpx.post(
        gateway.server.base_url + "/v1/messages",
        json={**body, "model": model("anthropic")},
        headers=lines,
    )
    assert to_anthropic.status_code == 200, to_anthropic.text
    sent = gateway.upstream.received[-1].headers["anthropic-beta"]
    assert sent == "beta-one,beta-two, beta-three"
    translated = httpx.post(
        gateway.server.base_url + "/v1/messages",
        json={**body, "model": model("openai")},
        headers=lines,
    )
    assert translated.status_code == 200, translated.text
    named = translated.headers["x-mlx-manager-dropped-betas"]
    assert named == "beta-one, beta-two, beta-three"


def text_reply() -> Reply:
    return Reply(
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-x",
            "content": [{"type": "text", "text": ANSWER}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": USAGE,
        }
    )


def text_stream() -> Reply:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 12, "output_tokens": 1},
    }
    block = {"type": "text", "text": ""}
    return Reply(
        sse=[
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": block},
            ),
            *[
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": half},
                    },
                )
                for half in (ANSWER[:12], ANSWER[12:])
            ],
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 9},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
    )


@pytest.mark.parametrize("stream", [False, True])
def test_json_schema_to_anthropic_itself_is_its_structured_outputs(
    gateway: Gateway, stream: bool
) -> None:
    # The Anthropic row of the catalogue, at a fake upstream's address.
    upstream = gateway.add_upstream("claude-compatible", "anthropic")  # only its address is used
    with gateway.server.admin() as admin:
        created = admin.post(
            "/api/settings/providers",
            json={
                "name": "claude-native",
                "backend_type": "anthropic",
                "base_url": upstream.base_url,
                "api_key": "sk-ant-test-0123456789",
            },
        )
        assert created.status_code == 201, created.text
    upstream.reply("/v1/messages", text_stream() if stream else text_reply())
    ask: Any = {
        "model": "claude-native/claude-x",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "response_format": WEATHER_FORMAT,
    }
    client = gateway.openai()
    if stream:
        chunks = list(client.chat.completions.create(stream=True, **ask))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
    else:
        reply = client.chat.completions.create(**ask)
        text = reply.choices[0].message.content or ""
        finish = reply.choices[0].finish_reason
    assert json.loads(text) == {"city": "Paris", "celsius": 21}
    assert finish == "stop"
    sent = upstream.received[-1].json()
    assert sent["output_config"] == {"format": {"type": "json_schema", "schema": WEATHER_SCHEMA}}
    assert "tools" not in sent and "tool_choice" not in sent
