"""The Responses API (``POST /v1/responses``) with the official ``openai`` SDK, translated to an
OpenAI-chat provider and an Anthropic provider: text, a function tool round trip, the event
sequence, hosted tools left out and named, and bad input refused in OpenAI's shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.upstream import Reply

UPSTREAMS = list(PROVIDERS)
TOOLS: list[Any] = [
    {
        "type": "function",
        "name": "search",
        "description": "Search",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
    {
        "type": "namespace",
        "name": "crm",
        "description": "Customer records",
        "tools": [{"type": "function", "name": "lookup", "description": "Look up"}],
    },
]


def model(up: str) -> str:
    return f"{PROVIDERS[up]}/echo-1"


def respond(gw: Gateway, up: str, stream: bool, **kwargs: Any) -> Any:
    """The final ``Response``, and the stream's events when streaming."""
    client = gw.openai()
    if not stream:
        return client.responses.create(model=model(up), **kwargs), []
    events = list(client.responses.create(model=model(up), stream=True, **kwargs))
    assert events[-1].type == "response.completed"
    return events[-1].response, events


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_text_with_instructions_and_history(gateway: Gateway, up: str, stream: bool) -> None:
    response, events = respond(
        gateway,
        up,
        stream,
        instructions="be brief",
        input=[
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": [{"type": "input_text", "text": "second question"}]},
        ],
        max_output_tokens=100,
        store=False,
        include=["reasoning.encrypted_content"],
        prompt_cache_key="session-1",
        extra_body={"client_metadata": {"x": "y"}},
    )
    assert response.output_text == "system=[be brief] user=[second question] images=0"
    assert response.status == "completed" and response.object == "response"
    assert response.id.startswith("resp_")
    assert response.usage.output_tokens == len(response.output_text.split())
    assert response.usage.input_tokens == 4 + (2 if up == "anthropic" else 0)
    assert response.usage.input_tokens_details.cached_tokens == 2
    if stream:
        types = [e.type for e in events]
        assert types[:2] == ["response.created", "response.in_progress"]
        assert "response.output_text.delta" in types and "response.content_part.done" in types
        assert [e.sequence_number for e in events] == list(range(len(events)))
    sent = gateway.upstream.received[-1].json()
    assert sent["max_tokens"] == 100


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_function_tool_round_trip(gateway: Gateway, up: str, stream: bool) -> None:
    response, events = respond(gateway, up, stream, input="find cats", tools=TOOLS)
    calls = [item for item in response.output if item.type == "function_call"]
    assert [(c.name, c.namespace) for c in calls] == [("search", None), ("lookup", "crm")]
    assert [json.loads(c.arguments) for c in calls] == [
        {"query": "find cats", "n": 0},
        {"query": "find cats", "n": 1},
    ]
    if stream:
        done = [e for e in events if e.type == "response.function_call_arguments.done"]
        assert [e.arguments for e in done] == [c.arguments for c in calls]
    sent = gateway.upstream.received[-1].json()
    names = [t["function"]["name"] if up == "openai" else t["name"] for t in sent["tools"]]
    assert names == ["search", "crm__lookup"]
    follow_up: list[Any] = [{"role": "user", "content": "find cats"}]
    follow_up += [
        {
            "type": "function_call",
            "call_id": c.call_id,
            "name": c.name,
            "arguments": c.arguments,
            **({"namespace": c.namespace} if c.namespace else {}),
        }
        for c in calls
    ]
    follow_up += [
        {"type": "function_call_output", "call_id": c.call_id, "output": f"result {i}"}
        for i, c in enumerate(calls)
    ]
    response, _ = respond(gateway, up, stream, input=follow_up, tools=TOOLS)
    assert response.output_text == "system=[] user=[find cats] images=0 tool=[result 0 + result 1]"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("up", UPSTREAMS)
def test_structured_output_through_a_forced_tool(gateway: Gateway, up: str, stream: bool) -> None:
    schema = {
        "type": "object",
        "properties": {"query": {"type": "string"}, "n": {"type": "integer"}},
    }
    text_format: Any = {"format": {"type": "json_schema", "name": "answer", "schema": schema}}
    response, events = respond(gateway, up, stream, input="find owls", text=text_format)
    assert json.loads(response.output_text) == {"query": "find owls", "n": 0}
    assert [item.type for item in response.output] == ["message"]
    assert response.status == "completed"
    if stream:
        assert not any("function_call" in e.type for e in events)
    sent = gateway.upstream.received[-1].json()
    if up == "openai":
        assert sent["tool_choice"] == {"type": "function", "function": {"name": "answer"}}
        assert sent["tools"][0]["function"]["parameters"] == schema
    else:
        assert sent["tool_choice"]["name"] == "answer"
        assert sent["tools"][0]["input_schema"] == schema


def test_hosted_tools_are_left_out_and_named(gateway: Gateway) -> None:
    raw = gateway.openai().responses.with_raw_response.create(
        model=model("anthropic"),
        input="hi",
        tools=[{"type": "web_search"}, TOOLS[0]],
    )
    assert raw.headers["x-mlx-manager-dropped-tools"] == "web_search"
    assert raw.headers["x-mlx-manager-provider"] == PROVIDERS["anthropic"]
    assert [t["name"] for t in gateway.upstream.received[-1].json()["tools"]] == ["search"]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"extra_body": {"conversation": "conv_abc"}}, "conversation"),
        ({"text": {"format": {"type": "json_object"}}, "tools": TOOLS}, "text.format"),
        ({"extra_body": {"input": [{"type": "item_reference", "id": "x"}]}}, "input[0].type"),
        ({"extra_body": {"temperature": "hot"}}, "temperature"),
    ],
)
def test_bad_input_is_a_400_in_openai_shape(
    gateway: Gateway, kwargs: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        gateway.openai().responses.create(model=model("openai"), input="hi", **kwargs)
    assert caught.value.body["param"] == param  # type: ignore[index]
    assert caught.value.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_unknown_model_and_bad_json_are_openai_errors(gateway: Gateway) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        gateway.openai().responses.create(model="no-such-model", input="hi")
    assert caught.value.body["code"] == "model_not_found"  # type: ignore[index]
    reply = httpx.post(
        gateway.server.base_url + "/v1/responses",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["type"] == "invalid_request_error"


def test_a_failure_mid_stream_is_response_failed(gateway: Gateway) -> None:
    broken = gateway.add_upstream("broken", "openai")
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    broken.reply(
        "/v1/chat/completions",
        Reply(
            sse=[
                (None, {**chunk, "choices": [{"index": 0, "delta": {"content": "hi"}}]}),
                (None, {**chunk, "choices": [{"index": 0, "delta": {"content": " there"}}]}),
            ],
            cut_after=1,
        ),
    )
    events = list(gateway.openai().responses.create(model="broken/m", input="hi", stream=True))
    assert events[-1].type == "response.failed"
    assert events[-1].response.error is not None
    assert [e.sequence_number for e in events] == list(range(len(events)))


def anthropic_thinking_stream() -> Reply:
    def event(kind: str, **body: Any) -> tuple[str, Any]:
        return kind, {"type": kind, **body}

    message = {
        "id": "msg_think1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    thinking = {"type": "thinking", "thinking": "", "signature": ""}

    def delta(index: int, **body: Any) -> tuple[str, Any]:
        return event("content_block_delta", index=index, delta=body)

    return Reply(
        sse=[
            event("message_start", message=message),
            event("content_block_start", index=0, content_block=thinking),
            delta(0, type="thinking_delta", thinking="I"),
            delta(0, type="thinking_delta", thinking=" think"),
            delta(0, type="signature_delta", signature="sig-1"),
            event("content_block_stop", index=0),
            event("content_block_start", index=1, content_block={"type": "text", "text": ""}),
            delta(1, type="text_delta", text="Done."),
            event("content_block_stop", index=1),
            event("message_delta", delta={"stop_reason": "end_turn", "stop_sequence": None},
                  usage={"output_tokens": 5}),
            event("message_stop"),
        ]
    )  # fmt: skip


def test_thinking_is_reasoning_with_summary_events_and_goes_back_signed(gateway: Gateway) -> None:
    thinker = gateway.add_upstream("thinker", "anthropic")
    done = {
        "id": "msg_think2",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 9, "output_tokens": 1},
    }
    thinker.reply("/v1/messages", anthropic_thinking_stream(), Reply(json=done))
    client = gateway.openai()
    events = list(
        client.responses.create(
            model="thinker/m",
            input="why?",
            reasoning={"effort": "high", "summary": "auto"},
            stream=True,
        )
    )
    types = [e.type for e in events]
    assert types.count("response.reasoning_summary_text.delta") == 2
    assert "response.reasoning_summary_part.done" in types
    assert thinker.received[-1].json()["thinking"]["type"] in ("enabled", "adaptive")
    reasoning, message = events[-1].response.output
    assert reasoning.type == "reasoning" and message.type == "message"
    assert [s.text for s in reasoning.summary] == ["I think"]
    assert reasoning.encrypted_content == "sig-1"
    follow_up: list[Any] = [
        {"role": "user", "content": "why?"},
        reasoning.model_dump(exclude_none=True),
        message.model_dump(exclude_none=True),
        {"role": "user", "content": "and then?"},
    ]
    reply = client.responses.create(
        model="thinker/m", input=follow_up, reasoning={"effort": "high"}
    )
    assert reply.output_text == "ok"
    assistant = thinker.received[-1].json()["messages"][1]
    assert assistant["role"] == "assistant"
    assert assistant["content"][0] == {
        "type": "thinking",
        "thinking": "I think",
        "signature": "sig-1",
    }
