"""A provider that speaks OpenAI's Responses API (``api_type: openai_responses``), end to end with
the official SDKs against a fake Responses upstream on loopback.

Responses callers take the fast path (the body relayed with only ``model`` rewritten, the reply's
bytes as they came), and their responses are still stored, retrieved, continued and deleted;
Chat Completions and Anthropic callers are translated, streamed or not, tools included.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway
from tests.api.inference.test_stored_responses import wait_for_rows
from tests.fakes.responses_llm import serve_responses_model
from tests.fakes.upstream import FakeUpstream, Reply
from tests.observability.conftest import logged

MODEL = "up-responses/echo-1"
KEY = "sk-upstream-rsp-key"
TOOLS: Any = [
    {
        "type": "function",
        "name": "search",
        "description": "Search",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    }
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_log_flush_interval": 0.02})


@pytest.fixture
def gw(gateway: Gateway) -> Gateway:
    serve_responses_model(gateway.upstream)
    with gateway.server.admin() as admin:
        response = admin.post(
            "/api/settings/providers",
            json={
                "name": "up-responses",
                "backend_type": "openai_responses_compatible",
                "base_url": gateway.upstream.base_url + "/v1",
                "api_key": KEY,
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["api_type"] == "openai_responses"
        gateway.provider_ids["responses"] = response.json()["id"]
    return gateway


def sent(gw: Gateway) -> Any:
    """The last body the upstream received."""
    return gw.upstream.received[-1].json()


def create(client: Any, stream: bool, **kwargs: Any) -> tuple[Any, list[Any]]:
    """The final ``Response``, and the stream's events when streaming."""
    if not stream:
        return client.responses.create(**kwargs), []
    events = list(client.responses.create(stream=True, **kwargs))
    assert events[-1].type == "response.completed"
    return events[-1].response, events


# Responses callers: the fast path.


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_a_responses_caller_is_relayed_as_it_came(gw: Gateway, stream: bool) -> None:
    client = gw.openai()
    raw_create = client.responses.with_raw_response.create
    raw = raw_create(
        model=MODEL,
        instructions="be brief",
        input=[{"role": "user", "content": "hello"}],
        tools=[{"type": "web_search"}],
        stream=stream,
        extra_body={"x_vendor_field": {"kept": True}},
    )
    assert raw.headers["x-mlx-manager-provider"] == "up-responses"
    assert "x-mlx-manager-dropped-tools" not in raw.headers
    upstream = gw.upstream.received[-1]
    assert upstream.path == "/v1/responses"
    assert upstream.headers["authorization"] == f"Bearer {KEY}"
    body = upstream.json()
    # Nothing decoded, nothing dropped: hosted tools and unknown fields reach the provider.
    assert body["model"] == "echo-1" and body["tools"] == [{"type": "web_search"}]
    assert body["x_vendor_field"] == {"kept": True}
    if stream:
        events = list(raw.parse())
        text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        final = events[-1].response
        assert [e.sequence_number for e in events] == list(range(len(events)))
    else:
        final = raw.parse()
        text = final.output_text
    assert text == "system=[be brief] user=[hello] images=0"
    # The provider's own id: the reply's bytes are the provider's.
    assert final.id.startswith("resp_up")
    [row] = logged(gw, 1)
    assert (row["status"], row["provider"]) == (200, "up-responses")
    assert (row["input_tokens"], row["output_tokens"]) == (3, 4)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_a_function_tool_round_trip_on_the_fast_path(gw: Gateway, stream: bool) -> None:
    client = gw.openai()
    first, events = create(client, stream, model=MODEL, input="find cats", tools=TOOLS)
    [call] = [item for item in first.output if item.type == "function_call"]
    assert (call.name, json.loads(call.arguments)) == ("search", {"query": "find cats", "n": 0})
    if stream:
        deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
        assert "".join(deltas) == call.arguments
    follow_up: Any = [
        {"role": "user", "content": "find cats"},
        {"type": "function_call", "call_id": call.call_id, "name": "search", "arguments": "{}"},
        {"type": "function_call_output", "call_id": call.call_id, "output": "three cats"},
    ]
    second, _ = create(client, stream, model=MODEL, input=follow_up, tools=TOOLS)
    assert second.output_text == "system=[] user=[find cats] images=0 tool=[three cats]"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_relayed_responses_are_stored_continued_and_deleted(
    gw: Gateway, settings: Settings, stream: bool
) -> None:
    client = gw.openai()
    first, _ = create(client, stream, model=MODEL, input="first", instructions="terse")
    got = client.responses.retrieve(first.id)
    assert got.id == first.id and got.output_text == "system=[terse] user=[first] images=0"
    assert got.usage is not None and got.usage.output_tokens == first.usage.output_tokens
    items = client.responses.input_items.list(first.id)
    assert [i.content[0].text for i in items.data] == ["first"]

    second, _ = create(client, stream, model=MODEL, input="second", previous_response_id=first.id)
    assert second.output_text == "system=[] user=[second] images=0"
    body = sent(gw)
    # The provider gets the whole conversation, not an id it never issued, and no gateway ids
    # on the messages (the API takes none there).
    assert "previous_response_id" not in body
    assert [(i["type"], i.get("role")) for i in body["input"]] == [
        ("message", "user"),
        ("message", "assistant"),
        ("message", "user"),
    ]
    assert [i["content"][0]["text"] for i in body["input"]] == [
        "first",
        "system=[terse] user=[first] images=0",
        "second",
    ]
    assert "id" not in body["input"][0] and "id" not in body["input"][2]

    assert sorted(wait_for_rows(settings, 2)) == sorted([first.id, second.id])
    client.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=MODEL, input="more", previous_response_id=first.id)


def test_store_false_keeps_nothing(gw: Gateway) -> None:
    client = gw.openai()
    response = client.responses.create(model=MODEL, input="hi", store=False)
    assert sent(gw)["store"] is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)


def test_a_continued_conversation_reaches_a_translated_target_too(gw: Gateway) -> None:
    """A response relayed from a Responses provider continues on an OpenAI-chat provider."""
    client = gw.openai()
    first = client.responses.create(model=MODEL, input="first")
    second = client.responses.create(
        model="up-openai/echo-1", input="second", previous_response_id=first.id
    )
    assert second.output_text == "system=[] user=[second] images=0"
    assert second.previous_response_id == first.id
    messages = sent(gw)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


def broken(gw: Gateway, name: str, *replies: Reply) -> FakeUpstream:
    upstream = gw.add_upstream(name, "openai_responses")
    upstream.reply("/v1/responses", *replies)
    return upstream


def test_an_upstream_4xx_is_relayed_in_openai_shape(gw: Gateway) -> None:
    error = {"error": {"message": "bad input", "type": "invalid_request_error", "param": "input"}}
    broken(gw, "refuses", Reply(status=400, json=error))
    with pytest.raises(openai.BadRequestError) as caught:
        gw.openai().responses.create(model="refuses/m", input="hi")
    assert "bad input" in str(caught.value)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=500, json={"error": {"message": "boom", "type": "server_error"}}),
        Reply(json={"choices": []}),
        Reply(sse=[("error", {"type": "error", "code": "server_error", "message": "boom"})]),
    ],
    ids=["500", "not-a-response", "error-event"],
)
def test_a_broken_upstream_fails_over_to_the_next_target(
    gw: Gateway, stream: bool, reply: Reply
) -> None:
    failing = broken(gw, "failing", reply)
    gw.add_rule(
        "fo-*",
        [
            {"provider": gw.provider_ids["failing"], "model": "m"},
            {"provider": gw.provider_ids["responses"], "model": "echo-1"},
        ],
    )
    raw = gw.openai().responses.with_raw_response.create(model="fo-1", input="hi", stream=stream)
    assert raw.headers["x-mlx-manager-provider"] == "up-responses"
    parsed = raw.parse()
    final = list(parsed)[-1].response if stream else parsed
    assert final.output_text == "system=[] user=[hi] images=0"
    assert failing.received


def test_a_stream_cut_after_its_start_ends_with_an_error_event(gw: Gateway) -> None:
    created = {"type": "response.created", "response": {"id": "resp_c", "output": []}}
    delta = {"type": "response.output_text.delta", "output_index": 0, "delta": "hi"}
    broken(
        gw,
        "cut",
        Reply(sse=[("response.created", created), (None, delta), (None, delta)], cut_after=2),
    )
    events = list(gw.openai().responses.create(model="cut/m", input="hi", stream=True))
    assert events[-1].type == "error"


# Chat Completions and Anthropic callers: translated.


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_chat_completions_callers_are_translated(gw: Gateway, stream: bool) -> None:
    client = gw.openai()
    messages: Any = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}]
    if stream:
        chunks = list(
            client.chat.completions.create(
                model=MODEL,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        usage = chunks[-1].usage
        finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
    else:
        completion = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=50)
        text, usage = completion.choices[0].message.content, completion.usage
        finish = completion.choices[0].finish_reason
        assert sent(gw)["max_output_tokens"] == 50
    assert text == "system=[sys] user=[hello] images=0" and finish == "stop"
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (2, 3)
    body = sent(gw)
    assert body["instructions"] == "sys" and body["store"] is False
    assert body["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]}
    ]


CHAT_TOOL: Any = {
    "type": "function",
    "function": {"name": "search", "parameters": {"type": "object", "properties": {}}},
}


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_chat_completions_tools_round_trip(gw: Gateway, stream: bool) -> None:
    client = gw.openai()
    messages: Any = [{"role": "user", "content": "find owls"}]
    if stream:
        chunks = list(
            client.chat.completions.create(
                model=MODEL, messages=messages, tools=[CHAT_TOOL], stream=True
            )
        )
        calls: dict[int, dict[str, str]] = {}
        for chunk in chunks:
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] += call.id or ""
                entry["name"] += (call.function.name if call.function else None) or ""
                entry["arguments"] += (call.function.arguments if call.function else None) or ""
        [got] = calls.values()
        finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
    else:
        completion = client.chat.completions.create(
            model=MODEL, messages=messages, tools=[CHAT_TOOL]
        )
        [tool_call] = completion.choices[0].message.tool_calls or []
        function = tool_call.function  # type: ignore[union-attr]
        got = {"id": tool_call.id, "name": function.name, "arguments": function.arguments}
        finish = completion.choices[0].finish_reason
    assert finish == "tool_calls"
    assert (got["id"], got["name"]) == ("call_0", "search")
    assert json.loads(got["arguments"]) == {"query": "find owls", "n": 0}
    messages += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": got["id"], "type": "function", "function": got}],
        },
        {"role": "tool", "tool_call_id": got["id"], "content": "two owls"},
    ]
    followed = client.chat.completions.create(model=MODEL, messages=messages, tools=[CHAT_TOOL])
    content = followed.choices[0].message.content
    assert content == "system=[] user=[find owls] images=0 tool=[two owls]"
    assert [i["type"] for i in sent(gw)["input"]] == [
        "message",
        "function_call",
        "function_call_output",
    ]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_anthropic_callers_are_translated_tools_included(gw: Gateway, stream: bool) -> None:
    client = gw.anthropic()
    tool: Any = {"name": "search", "input_schema": {"type": "object", "properties": {}}}
    messages: Any = [{"role": "user", "content": "find bats"}]
    if stream:
        with client.messages.stream(
            model=MODEL, max_tokens=100, system="sys", messages=messages, tools=[tool]
        ) as events:
            message = events.get_final_message()
    else:
        message = client.messages.create(
            model=MODEL, max_tokens=100, system="sys", messages=messages, tools=[tool]
        )
    assert message.stop_reason == "tool_use"
    [use] = [block for block in message.content if block.type == "tool_use"]
    assert (use.name, use.input) == ("search", {"query": "find bats", "n": 0})
    assert message.usage.input_tokens + (message.usage.cache_read_input_tokens or 0) == 3
    messages += [
        {"role": "assistant", "content": [use.model_dump(exclude_none=True)]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "one bat"}],
        },
    ]
    answer = client.messages.create(
        model=MODEL, max_tokens=100, system="sys", messages=messages, tools=[tool]
    )
    assert answer.content[0].text == "system=[sys] user=[find bats] images=0 tool=[one bat]"  # type: ignore[union-attr]
    assert sent(gw)["instructions"] == "sys"


def test_anthropic_stop_sequences_are_refused_in_anthropic_shape(gw: Gateway) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        gw.anthropic().messages.create(
            model=MODEL,
            max_tokens=10,
            messages=[{"role": "user", "content": "hi"}],
            stop_sequences=["END"],
        )
    assert "stop" in str(caught.value)
