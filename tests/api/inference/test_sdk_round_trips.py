"""The official SDKs through all four client -> provider protocol pairs, streaming and not."""

from __future__ import annotations

import base64
import json
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.api.inference.conftest import PROVIDERS, Gateway

UPSTREAMS = list(PROVIDERS)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
TOOLS_OPENAI: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "search",
            "description": "Search",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look up",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    },
]
TOOLS_ANTHROPIC: list[Any] = [
    {
        "name": t["function"]["name"],
        "description": t["function"]["description"],
        "input_schema": t["function"]["parameters"],
    }
    for t in TOOLS_OPENAI
]


def model(up: str) -> str:
    return f"{PROVIDERS[up]}/echo-1"


def openai_text(gw: Gateway, up: str, stream: bool, **extra: Any) -> tuple[str, Any]:
    client = gw.openai()
    messages: Any = extra.pop("messages", None) or [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second question"},
    ]
    if not stream:
        reply = client.chat.completions.create(model=model(up), messages=messages, **extra)
        return reply.choices[0].message.content or "", reply
    chunks = list(
        client.chat.completions.create(
            model=model(up),
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            **extra,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


def anthropic_text(gw: Gateway, up: str, stream: bool, **extra: Any) -> tuple[str, Any]:
    client = gw.anthropic()
    messages: Any = extra.pop("messages", None) or [
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second question"},
    ]
    kwargs: Any = {
        "model": model(up),
        "max_tokens": 200,
        "system": "be brief",
        "messages": messages,
        **extra,
    }
    if not stream:
        reply = client.messages.create(**kwargs)
        return "".join(b.text for b in reply.content if b.type == "text"), reply
    with client.messages.stream(**kwargs) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    return text, final


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_openai_client_text_system_multi_turn_usage(
    gateway: Gateway, up: str, stream: bool
) -> None:
    text, reply = openai_text(gateway, up, stream)
    assert text == "system=[be brief] user=[second question] images=0"
    usage = reply.usage if not stream else reply[-1].usage
    assert usage.prompt_tokens == 4 + (2 if up == "anthropic" else 0)
    assert usage.completion_tokens == len(text.split())
    assert usage.prompt_tokens_details.cached_tokens == 2
    if stream:
        assert reply[-2].choices[0].finish_reason == "stop"
    else:
        assert reply.choices[0].finish_reason == "stop"
        assert reply.object == "chat.completion"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_anthropic_client_text_system_multi_turn_usage(
    gateway: Gateway, up: str, stream: bool
) -> None:
    text, message = anthropic_text(gateway, up, stream)
    assert text == "system=[be brief] user=[second question] images=0"
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == len(text.split())
    assert message.usage.cache_read_input_tokens == 2
    assert message.usage.input_tokens == 4 - (2 if up == "openai" else 0) + (
        2 if up == "anthropic" else 0
    ) - (2 if up == "anthropic" else 0)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_images_reach_either_protocol(gateway: Gateway, up: str, stream: bool) -> None:
    text, _ = openai_text(
        gateway,
        up,
        stream,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                ],
            }
        ],
    )
    assert text == "system=[] user=[what is this] images=2"
    sent = gateway.upstream.received[-1].json()
    if up == "anthropic":
        sources = [b["source"] for b in sent["messages"][0]["content"] if b["type"] == "image"]
        assert sources[0] == {"type": "base64", "media_type": "image/png", "data": PNG}
        assert sources[1] == {"type": "url", "url": "https://example.com/cat.png"}
    a_text, _ = anthropic_text(
        gateway,
        up,
        stream,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "and this"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                    },
                ],
            }
        ],
    )
    assert a_text == "system=[be brief] user=[and this] images=1"
    if up == "openai":
        part = gateway.upstream.received[-1].json()["messages"][1]["content"][1]
        assert part["image_url"]["url"] == f"data:image/png;base64,{PNG}"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_openai_client_tool_round_trip(gateway: Gateway, up: str, stream: bool) -> None:
    client = gateway.openai()
    messages: list[Any] = [{"role": "user", "content": "find cats"}]
    if stream:
        chunks = list(
            client.chat.completions.create(
                model=model(up), messages=messages, tools=TOOLS_OPENAI, stream=True
            )
        )
        calls: dict[int, dict[str, str]] = {}
        for chunk in chunks:
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] += call.id or ""
                entry["name"] += (call.function.name or "") if call.function else ""
                entry["arguments"] += (call.function.arguments or "") if call.function else ""
        finish = [
            c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
        ]
        assert finish == ["tool_calls"]
        tool_calls = [calls[i] for i in sorted(calls)]
    else:
        reply = client.chat.completions.create(
            model=model(up), messages=messages, tools=TOOLS_OPENAI
        )
        assert reply.choices[0].finish_reason == "tool_calls"
        tool_calls = [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
            for c in reply.choices[0].message.tool_calls or []
        ]
    assert [c["name"] for c in tool_calls] == ["search", "lookup"]
    assert [json.loads(c["arguments"]) for c in tool_calls] == [
        {"query": "find cats", "n": 0},
        {"query": "find cats", "n": 1},
    ]
    messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in tool_calls
            ],
        }
    )
    messages += [
        {"role": "tool", "tool_call_id": c["id"], "content": f"result {i}"}
        for i, c in enumerate(tool_calls)
    ]
    text, _ = openai_text(gateway, up, stream, messages=messages, tools=TOOLS_OPENAI)
    assert text == "system=[] user=[find cats] images=0 tool=[result 0 + result 1]"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_anthropic_client_tool_round_trip(gateway: Gateway, up: str, stream: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "find dogs"}]
    _, message = anthropic_text(gateway, up, stream, messages=messages, tools=TOOLS_ANTHROPIC)
    assert message.stop_reason == "tool_use"
    uses = [b for b in message.content if b.type == "tool_use"]
    assert [(u.name, u.input) for u in uses] == [
        ("search", {"query": "find dogs", "n": 0}),
        ("lookup", {"query": "find dogs", "n": 1}),
    ]
    messages.append({"role": "assistant", "content": [u.model_dump() for u in uses]})
    messages.append(
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": u.id, "content": f"found {i}"}
                for i, u in enumerate(uses)
            ],
        }
    )
    text, _ = anthropic_text(gateway, up, stream, messages=messages, tools=TOOLS_ANTHROPIC)
    assert text == "system=[be brief] user=[find dogs] images=0 tool=[found 0 + found 1]"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_stop_sequences_and_max_tokens(gateway: Gateway, up: str, stream: bool) -> None:
    text, reply = openai_text(gateway, up, stream, stop=["images"], temperature=0)
    assert text == "system=[be brief] user=[second question] "
    finish = reply[-2].choices[0].finish_reason if stream else reply.choices[0].finish_reason
    assert finish == "stop"
    sent = gateway.upstream.received[-1].json()
    assert sent["temperature"] == 0
    assert sent.get("stop", sent.get("stop_sequences")) == ["images"]
    a_text, message = anthropic_text(gateway, up, stream, stop_sequences=["user="])
    assert a_text == "system=[be brief] "
    if up == "anthropic":
        assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "user=")
    else:
        # OpenAI's "stop" does not say whether a stop sequence or the model ended the turn.
        assert message.stop_reason == "end_turn"
    _, message = anthropic_text(gateway, up, stream, max_tokens=2)
    assert message.stop_reason == "max_tokens"


def test_openai_caller_gets_default_max_tokens_at_anthropic(gateway: Gateway) -> None:
    openai_text(gateway, "anthropic", False)
    assert gateway.upstream.received[-1].json()["max_tokens"] == 4096


@pytest.mark.parametrize("up", UPSTREAMS)
def test_unknown_model_is_a_404_in_each_protocol(gateway: Gateway, up: str) -> None:
    with pytest.raises(openai.NotFoundError) as oe:
        gateway.openai().chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "x"}]
        )
    assert oe.value.body["code"] == "model_not_found"  # type: ignore[index]
    with pytest.raises(anthropic.NotFoundError) as ae:
        gateway.anthropic().messages.create(
            model=f"{PROVIDERS[up]}x/m", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    assert ae.value.body["type"] == "error"  # type: ignore[index]
    assert "not_found_error" in str(ae.value.body)


def test_bad_input_is_a_400_in_the_callers_shape(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as oe:
        gateway.openai().chat.completions.create(
            model=model("anthropic"), messages=[{"role": "user", "content": "x"}], n=2
        )
    assert oe.value.body["param"] == "n"  # type: ignore[index]
    with pytest.raises(anthropic.BadRequestError) as ae:
        gateway.anthropic().messages.create(
            model=model("openai"), max_tokens=5, messages=[{"role": "robot", "content": "x"}]
        )  # type: ignore[typeddict-item]
    assert ae.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


def test_same_protocol_fast_path_keeps_unknown_fields(gateway: Gateway) -> None:
    gateway.openai().chat.completions.create(
        model=model("openai"),
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"vendor_knob": {"x": 1}},
    )
    sent = gateway.upstream.received[-1]
    assert sent.json()["vendor_knob"] == {"x": 1}
    assert sent.json()["model"] == "echo-1"
    assert sent.headers["authorization"] == "Bearer sk-upstream-openai-key"


def test_response_headers_name_the_provider_and_attempts(gateway: Gateway) -> None:
    raw = gateway.openai().chat.completions.with_raw_response.create(
        model=model("anthropic"),
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"X-Request-ID": "req-123"},
    )
    assert raw.headers["x-mlx-manager-provider"] == "up-anthropic"
    assert raw.headers["x-mlx-manager-model"] == "echo-1"
    assert raw.headers["x-mlx-manager-attempts"] == "1"
    assert raw.headers["x-request-id"] == "req-123"
    generated = gateway.openai().chat.completions.with_raw_response.create(
        model=model("openai"), messages=[{"role": "user", "content": "hi"}]
    )
    assert len(generated.headers["x-request-id"]) == 32


def test_models_lists_provider_models(gateway: Gateway) -> None:
    ids = [m.id for m in gateway.openai().models.list()]
    assert {"up-openai/echo-1", "up-anthropic/echo-2"} <= set(ids)


def test_fast_path_forwards_the_bytes_as_received_when_the_model_stays(gateway: Gateway) -> None:
    gateway.add_rule("echo-raw", [{"provider": gateway.provider_ids["openai"]}], kind="exact")
    raw = b'{"model": "echo-raw",  "messages": [{"role": "user", "content": "hi"}], "x": 1.50}'
    response = httpx.post(
        gateway.server.base_url + "/v1/chat/completions",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert gateway.upstream.received[-1].body == raw  # not re-encoded: spacing and 1.50 kept
