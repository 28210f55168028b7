"""Property tests: random Responses requests keep every text, call and result, in order, in the
IR; random junk raises only ``InvalidRequest``."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlx_manager.core import TextPart, ThinkingPart, ToolCallPart, ToolResultPart
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.responses import decode_request
from tests.protocols.test_properties import _mutations

text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)
name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
call_id = st.from_regex(r"call_[A-Za-z0-9]{1,8}", fullmatch=True)

user = st.builds(
    lambda t, parts: {
        "role": "user",
        "content": t if not parts else [{"type": "input_text", "text": t}],
    },
    text,
    st.booleans(),
)
assistant = st.builds(
    lambda t: {"role": "assistant", "content": [{"type": "output_text", "text": t}]}, text
)
call = st.builds(
    lambda i, n, a: {"type": "function_call", "call_id": i, "name": n, "arguments": a},
    call_id,
    name,
    text,
)
result = st.builds(
    lambda i, t: {"type": "function_call_output", "call_id": i, "output": t}, call_id, text
)
reasoning = st.builds(
    lambda t, s: {
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": t}],
        "encrypted_content": s,
    },
    text,
    text,
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    items = draw(st.lists(st.one_of(user, assistant, call, result, reasoning), max_size=8))
    body: dict[str, Any] = {"model": "m", "input": items}
    if draw(st.booleans()):
        body["instructions"] = draw(text)
    if draw(st.booleans()):
        body["tools"] = [{"type": "function", "name": draw(name)}, {"type": "web_search"}]
    return body


def _wire_view(body: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in body["input"]:
        kind = item.get("type", "message")
        if kind == "message":
            content = item["content"]
            out.append((item["role"], content if isinstance(content, str) else content[0]["text"]))
        elif kind == "function_call":
            out.append(("call", f"{item['call_id']} {item['name']} {item['arguments']}"))
        elif kind == "function_call_output":
            out.append(("result", f"{item['call_id']} {item['output']}"))
        else:
            out.append(("thinking", f"{item['summary'][0]['text']} {item['encrypted_content']}"))
    return out


def _ir_view(body: dict[str, Any]) -> list[tuple[str, str]]:
    request = decode_request(body)
    out: list[tuple[str, str]] = []
    for message in request.messages:
        for part in message.content:
            if isinstance(part, TextPart):
                out.append((message.role, part.text))
            elif isinstance(part, ToolCallPart):
                out.append(("call", f"{part.id} {part.name} {part.arguments}"))
            elif isinstance(part, ToolResultPart):
                texts = "".join(p.text for p in part.content if isinstance(p, TextPart))
                out.append(("result", f"{part.tool_call_id} {texts}"))
            elif isinstance(part, ThinkingPart):
                out.append(("thinking", f"{part.text} {part.signature}"))
    return out


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_item_reaches_the_ir_in_order(body: dict[str, Any]) -> None:
    assert _ir_view(body) == _wire_view(body)
    request = decode_request(body)
    system = [body["instructions"]] if "instructions" in body else []
    assert [p.text for p in request.system] == system
    # Turns alternate: the items of one assistant turn are gathered into one message.
    roles = [m.role for m in request.messages]
    assert all(a != b for a, b in itertools.pairwise(roles) if a == "assistant")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(requests()))
def test_junk_raises_only_invalid_request(body: object) -> None:
    with contextlib.suppress(InvalidRequest):
        decode_request(body)
