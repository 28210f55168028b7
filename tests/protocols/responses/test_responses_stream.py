"""IR replies as Responses objects and event streams: the golden event sequence, failures,
and streamed and whole replies agreeing."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlx_manager.core import (
    ChatResponse,
    MessageEnd,
    MessageStart,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolCallStart,
    Usage,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import UpstreamUnavailable
from mlx_manager.protocols.responses import (
    decode_request,
    encode_response,
    encode_stream,
    encode_stream_error,
)
from mlx_manager.protocols.sse import SSEParser
from tests.protocols.streams import collect, stream_of

REQUEST = decode_request(
    {
        "model": "m",
        "input": "hi",
        "tools": [{"type": "namespace", "name": "crm", "description": "", "tools": [
            {"type": "function", "name": "lookup"}]}],
    }
)  # fmt: skip
EVENTS: list[StreamEvent] = [
    MessageStart(id="chatcmpl-up1", model="echo-1"),
    ThinkingDelta(text="let me "),
    ThinkingDelta(text="think"),
    ThinkingDelta(signature="sig"),
    TextDelta(text="Hello"),
    TextDelta(text=" there"),
    ToolCallStart(index=0, id="call_a", name="crm__lookup"),
    ToolCallDelta(index=0, arguments='{"q":'),
    ToolCallDelta(index=0, arguments='"x"}'),
    UsageUpdate(Usage(input_tokens=10, output_tokens=4, cached_tokens=3)),
    MessageEnd(stop_reason="tool_use"),
]


def parsed(frames: list[bytes]) -> list[dict[str, Any]]:
    events = SSEParser().feed(b"".join(frames))
    out = []
    for event in events:
        data = orjson.loads(event.data)
        assert event.event == data["type"]
        out.append(data)
    return out


async def test_the_golden_event_sequence() -> None:
    events = parsed(await collect(encode_stream(stream_of(EVENTS), REQUEST, created_at=7)))
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    created = events[0]["response"]
    assert created["id"] == "resp_up1" and created["status"] == "in_progress"
    assert created["output"] == [] and created["created_at"] == 7
    assert [e["output_index"] for e in events[2:21] if "output_index" in e] == (
        [0] * 7 + [1] * 7 + [2] * 5
    )
    assert events[13]["text"] == "Hello there"
    assert events[19]["arguments"] == '{"q":"x"}'
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["usage"] == {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 3, "cache_write_tokens": 0},
        "output_tokens": 4,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 14,
    }
    reasoning, message, call = done["output"]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "let me think"}]
    assert reasoning["encrypted_content"] == "sig"
    assert message["content"][0]["text"] == "Hello there"
    assert (call["namespace"], call["name"], call["call_id"]) == ("crm", "lookup", "call_a")
    assert re.fullmatch(r"rs_[0-9a-f]{24}", reasoning["id"])
    assert [e["item"] for e in events if e["type"] == "response.output_item.done"] == done["output"]


async def test_a_failure_mid_stream_is_response_failed_and_the_end() -> None:
    error = UpstreamUnavailable("upstream went away", provider="p")
    events = parsed(await collect(encode_stream(stream_of(EVENTS[:5], error), REQUEST)))
    assert [e["type"] for e in events][-1] == "response.failed"
    failed = events[-1]["response"]
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": error.code, "message": "upstream went away"}
    assert [e["sequence_number"] for e in events] == list(range(len(events)))


async def test_a_failure_before_the_first_event_propagates() -> None:
    with pytest.raises(UpstreamUnavailable):
        await collect(encode_stream(stream_of([], UpstreamUnavailable("x", provider="p")), REQUEST))


def test_the_stream_error_event_is_the_apis_error_event() -> None:
    (event,) = SSEParser().feed(encode_stream_error(UpstreamUnavailable("gone", provider="p")))
    assert event.event == "error"
    assert orjson.loads(event.data)["message"] == "gone"


async def test_a_cut_reply_is_incomplete() -> None:
    events: list[StreamEvent] = [
        MessageStart(id="", model="m"),
        TextDelta(text="a"),
        MessageEnd("max_tokens"),
    ]
    last = parsed(await collect(encode_stream(stream_of(events), REQUEST)))[-1]
    assert last["type"] == "response.incomplete"
    assert last["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    whole = encode_response(await accumulate(stream_of(events)), REQUEST)
    assert whole["status"] == "incomplete"


def test_a_whole_reply_has_the_items_and_the_requests_settings() -> None:
    reply = ChatResponse(
        id="msg_up2",
        model="echo-1",
        content=[
            ThinkingPart(redacted_data="opaque"),
            TextPart(text="hi"),
            ToolCallPart(id="call_1", name="f", arguments="{}"),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=3, output_tokens=2),
    )
    body: Any = encode_response(reply, REQUEST, created_at=5)
    assert (body["id"], body["object"], body["status"], body["created_at"]) == (
        "resp_up2",
        "response",
        "completed",
        5,
    )
    thinking, message, call = body["output"]
    assert thinking["encrypted_content"] == "redacted:opaque" and thinking["summary"] == []
    assert message["content"] == [
        {"type": "output_text", "text": "hi", "annotations": [], "logprobs": []}
    ]
    assert call["name"] == "f" and "namespace" not in call
    assert body["parallel_tool_calls"] is True and body["tool_choice"] == "auto"
    assert body["tools"][0]["type"] == "namespace"


text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8)
delta = st.one_of(
    st.builds(TextDelta, text=text),
    st.builds(ThinkingDelta, text=text),
    st.builds(lambda s: ThinkingDelta(signature=s), text),
    st.builds(lambda s: ThinkingDelta(redacted_data=s), text),
)


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "created_at")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    deltas=st.lists(delta, max_size=8),
    calls=st.lists(st.lists(text, max_size=3), max_size=3),
    reason=st.sampled_from(["end_turn", "max_tokens", "tool_use"]),
)
async def test_streamed_and_whole_replies_agree(
    deltas: list[StreamEvent], calls: list[list[str]], reason: Any
) -> None:
    events: list[StreamEvent] = [MessageStart(id="x", model="m"), *deltas]
    for index, pieces in enumerate(calls):
        events.append(ToolCallStart(index=index, id=f"call_{index}", name="crm__lookup"))
        events.extend(ToolCallDelta(index=index, arguments=p) for p in pieces)
    events += [UsageUpdate(Usage(input_tokens=1, output_tokens=2)), MessageEnd(reason)]
    streamed = parsed(await collect(encode_stream(stream_of(events), REQUEST, created_at=1)))
    assert [e["sequence_number"] for e in streamed] == list(range(len(streamed)))
    whole = encode_response(await accumulate(stream_of(events)), REQUEST, created_at=1)
    assert _without_ids(streamed[-1]["response"]) == _without_ids(whole)


STRUCTURED = decode_request(
    {"model": "m", "input": "hi", "text": {"format": {"type": "json_object"}}}
)


async def test_structured_output_is_message_text() -> None:
    events: list[StreamEvent] = [
        MessageStart(id="x", model="m"),
        ToolCallStart(index=0, id="call_1", name="json_object"),
        ToolCallDelta(index=0, arguments='{"a":'),
        ToolCallDelta(index=0, arguments=" 1}"),
        MessageEnd("tool_use"),
    ]
    streamed = parsed(await collect(encode_stream(stream_of(events), STRUCTURED, created_at=1)))
    deltas = [e["delta"] for e in streamed if e["type"] == "response.output_text.delta"]
    assert deltas == ['{"a":', " 1}"]
    assert not any("function_call" in e["type"] for e in streamed)
    final = streamed[-1]["response"]
    assert final["status"] == "completed"
    assert final["output"][0]["content"][0]["text"] == '{"a": 1}'
    whole = encode_response(await accumulate(stream_of(events)), STRUCTURED, created_at=1)
    assert _without_ids(final) == _without_ids(whole)
