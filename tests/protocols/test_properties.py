"""Property tests: random valid requests survive translation; random junk raises only
``InvalidRequest``."""

from __future__ import annotations

import contextlib

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlx_manager.core import (
    ChatRequest,
    ContentPart,
    ImagePart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols import anthropic, openai

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
name = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
ids = st.from_regex(r"(call|toolu)_[A-Za-z0-9]{1,8}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(name, inner, max_size=3),
    max_leaves=6,
)
image_url = st.one_of(
    st.builds(
        lambda d: f"data:image/png;base64,{d}",
        st.from_regex(r"[A-Za-z0-9+/]{4,12}", fullmatch=True),
    ),
    st.builds(lambda p: f"https://img.test/{p}.jpg", name),
)
user_part = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, text),
    st.builds(lambda u: {"type": "image_url", "image_url": {"url": u}}, image_url),
)
user_message = st.builds(
    lambda c: {"role": "user", "content": c}, text | st.lists(user_part, min_size=1, max_size=3)
)
tool_call = st.builds(
    lambda i, n, a: {
        "id": i,
        "type": "function",
        "function": {"name": n, "arguments": orjson.dumps(a).decode()},
    },
    ids,
    name,
    st.dictionaries(name, json_values, max_size=3),
)


@st.composite
def turn(draw: st.DrawFn) -> list[dict[str, object]]:
    """A user message, or an assistant message with calls followed by their results."""
    if draw(st.booleans()):
        return [draw(user_message)]
    calls = draw(st.lists(tool_call, min_size=0, max_size=3, unique_by=lambda c: c["id"]))
    content = draw(st.none() | text) if calls else draw(text)
    turn: list[dict[str, object]] = [
        {"role": "assistant", "content": content, **({"tool_calls": calls} if calls else {})}
    ]
    turn += [{"role": "tool", "tool_call_id": c["id"], "content": draw(text)} for c in calls]
    return turn


@st.composite
def openai_requests(draw: st.DrawFn) -> dict[str, object]:
    messages: list[dict[str, object]] = []
    if draw(st.booleans()):
        messages.append(
            {"role": draw(st.sampled_from(["system", "developer"])), "content": draw(text)}
        )
    for chunk in draw(st.lists(turn(), min_size=1, max_size=4)):
        messages += chunk
    body: dict[str, object] = {
        "model": draw(name),
        "messages": messages,
        "max_tokens": draw(st.integers(1, 100_000)),
    }
    tools = draw(st.lists(name, max_size=3, unique=True))
    if tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t,
                    "description": "d",
                    "parameters": {"type": "object", "properties": {}},
                },
            }
            for t in tools
        ]
        body["tool_choice"] = draw(
            st.sampled_from(
                ["auto", "required", "none", {"type": "function", "function": {"name": tools[0]}}]
            )
        )
        body["parallel_tool_calls"] = draw(st.booleans())
    optional = {
        "temperature": st.floats(0, 1),
        "top_p": st.floats(0, 1),
        "stop": st.lists(text, min_size=1, max_size=4),
        "user": text,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body


def normalised(request: ChatRequest) -> list[tuple[str, list[object]]]:
    """Messages with consecutive roles merged, adjacent text joined, empty text dropped and
    arguments parsed: what a round trip must keep."""
    out: list[tuple[str, list[object]]] = []
    for message in request.messages:
        if not out or out[-1][0] != message.role:
            out.append((message.role, []))
        parts = out[-1][1]
        for part in message.content:
            if isinstance(part, TextPart) and parts and isinstance(parts[-1], str):
                parts[-1] += part.text  # OpenAI assistant content is one string
            elif not (isinstance(part, TextPart) and not part.text):
                parts.append(_part(part))
    return out


def _part(part: ContentPart) -> object:
    if isinstance(part, ToolCallPart):
        return ("call", part.id, part.name, orjson.loads(part.arguments))
    if isinstance(part, ToolResultPart):
        return (
            "result",
            part.tool_call_id,
            [p.text for p in part.content if isinstance(p, TextPart)],
        )
    if isinstance(part, ImagePart):
        return ("image", part.url, part.media_type, part.data)
    if isinstance(part, TextPart):
        return part.text
    return part


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(openai_requests())
def test_openai_to_anthropic_and_back_keeps_meaning(body: dict[str, object]) -> None:
    first = openai.decode_request(body)
    wire = anthropic.encode_request(first, model="claude", default_max_tokens=1024)
    second = anthropic.decode_request(orjson.loads(orjson.dumps(wire)))
    assert normalised(second) == normalised(first)
    assert second.system == first.system
    assert second.tools == first.tools
    assert second.tool_choice == first.tool_choice
    for field in ("max_tokens", "temperature", "top_p", "stop", "user"):
        assert getattr(second, field) == getattr(first, field), field
    back = openai.decode_request(openai.encode_request(second, model="gpt"))
    assert normalised(back) == normalised(first)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(openai_requests())
def test_openai_round_trip_is_stable(body: dict[str, object]) -> None:
    first = openai.decode_request(body)
    again = openai.decode_request(openai.encode_request(first, model=first.model))
    assert normalised(again) == normalised(first)
    assert again.tools == first.tools
    assert again.max_tokens == first.max_tokens


def _mutations(valid: st.SearchStrategy[dict[str, object]]) -> st.SearchStrategy[object]:
    """Valid requests with one value somewhere replaced by junk, plus plain junk."""

    @st.composite
    def mutate(draw: st.DrawFn) -> object:
        body = orjson.loads(orjson.dumps(draw(valid)))
        node: object = body
        for _ in range(draw(st.integers(0, 5))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
                if draw(st.booleans()) or not isinstance(node[key], dict | list):
                    node[key] = draw(json_values)
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                index = draw(st.integers(0, len(node) - 1))
                if draw(st.booleans()):
                    node[index] = draw(json_values)
                    break
                node = node[index]
        return body

    return mutate() | json_values | st.dictionaries(text, json_values)


@st.composite
def anthropic_requests(draw: st.DrawFn) -> dict[str, object]:
    request = openai.decode_request(draw(openai_requests()))
    return anthropic.encode_request(request, model="c", default_max_tokens=1024)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(openai_requests()))
def test_openai_junk_raises_only_invalid_request(body: object) -> None:
    with contextlib.suppress(InvalidRequest):
        openai.decode_request(body)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(anthropic_requests()))
def test_anthropic_junk_raises_only_invalid_request(body: object) -> None:
    with contextlib.suppress(InvalidRequest):
        anthropic.decode_request(body)
