"""An echo model behind the fake upstream, speaking real OpenAI and Anthropic wire shapes.

It answers from what it received, so a test can see what survived the gateway's translation:
the reply text names the system prompt, the last user text, the image count and any tool result.
With tools offered (and no tool result yet) it calls them, two at once when two are offered.
Stop sequences, max_tokens and usage behave as a provider's would. Written against the public
API references only, never against the gateway's codecs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.fakes.upstream import FakeUpstream, Reply


@dataclass
class Heard:
    system: str
    user: str
    images: int
    tool_result: str | None
    tools: list[str]


@dataclass
class Answer:
    text: str
    tool_calls: list[tuple[str, str, str]]  # id, name, JSON arguments
    stop: str  # end_turn | max_tokens | stop_sequence | tool_use
    stop_sequence: str | None
    input_tokens: int
    output_tokens: int


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    out: list[str] = []
    for part in content or []:
        if part.get("type") == "text":
            out.append(part["text"])
    return out


def _images(content: Any) -> int:
    if isinstance(content, str):
        return 0
    return sum(1 for p in content or [] if p.get("type") in ("image", "image_url"))


def hear_openai(body: dict[str, Any]) -> Heard:
    system = [
        t
        for m in body["messages"]
        if m["role"] in ("system", "developer")
        for t in _texts(m["content"])
    ]
    users = [m for m in body["messages"] if m["role"] == "user"]
    last = body["messages"][-1]
    result = None
    if last["role"] == "tool":
        result = " + ".join(
            "".join(_texts(m["content"])) for m in body["messages"] if m["role"] == "tool"
        )
    tools = [t["function"]["name"] for t in body.get("tools", [])]
    user = " ".join(_texts(users[-1]["content"])) if users else ""
    return Heard(
        " ".join(system), user, _images(users[-1]["content"]) if users else 0, result, tools
    )


def hear_anthropic(body: dict[str, Any]) -> Heard:
    system = " ".join(_texts(body.get("system", "")))
    last = body["messages"][-1]
    result = None
    blocks = last["content"] if isinstance(last["content"], list) else []
    results = [b for b in blocks if b.get("type") == "tool_result"]
    if results:
        result = " + ".join("".join(_texts(b.get("content", ""))) for b in results)
    # The last user turn that says something (tool results travel in user turns too).
    users = [m for m in body["messages"] if m["role"] == "user" and _texts(m["content"])]
    user = " ".join(_texts(users[-1]["content"])) if users else ""
    tools = [t["name"] for t in body.get("tools", [])]
    return Heard(system, user, _images(users[-1]["content"]) if users else 0, result, tools)


def answer(heard: Heard, *, stop: list[str], max_tokens: int | None) -> Answer:
    input_tokens = len(f"{heard.system} {heard.user}".split())
    if heard.tools and heard.tool_result is None:
        calls = [
            (f"call_{i}", name, f'{{"query": "{heard.user}", "n": {i}}}')
            for i, name in enumerate(heard.tools[:2])
        ]
        return Answer("", calls, "tool_use", None, input_tokens, 7)
    text = f"system=[{heard.system}] user=[{heard.user}] images={heard.images}"
    if heard.tool_result is not None:
        text += f" tool=[{heard.tool_result}]"
    reason, sequence = "end_turn", None
    for s in stop:
        if s in text:
            text, reason, sequence = text[: text.index(s)], "stop_sequence", s
            break
    words = text.split(" ")
    if max_tokens is not None and len(words) > max_tokens:
        text, reason, sequence = " ".join(words[:max_tokens]), "max_tokens", None
    return Answer(text, [], reason, sequence, input_tokens, len(text.split()))


def _stop_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}


def openai_reply(body: dict[str, Any]) -> Reply:
    a = answer(
        hear_openai(body),
        stop=_stop_list(body.get("stop")),
        max_tokens=body.get("max_completion_tokens", body.get("max_tokens")),
    )
    return render_openai(body, a)


def render_openai(body: dict[str, Any], a: Answer) -> Reply:
    """An answer as a Chat Completions reply: one JSON body, or chunks when ``stream`` is set."""
    usage = {
        "prompt_tokens": a.input_tokens,
        "completion_tokens": a.output_tokens,
        "total_tokens": a.input_tokens + a.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 2},
    }
    calls = [
        {"id": i, "type": "function", "function": {"name": n, "arguments": args}}
        for i, n, args in a.tool_calls
    ]
    head = {"id": "chatcmpl-up1", "created": 1700000000, "model": body["model"]}
    if not body.get("stream"):
        message: dict[str, Any] = {"role": "assistant", "content": a.text or None}
        if calls:
            message["tool_calls"] = calls
        return Reply(
            json={
                **head,
                "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": FINISH[a.stop]}],
                "usage": usage,
            }
        )
    chunk = {**head, "object": "chat.completion.chunk"}
    events: list[tuple[str | None, Any]] = [
        (
            None,
            {
                **chunk,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ""},
                        "finish_reason": None,
                    }
                ],
            },
        )
    ]
    for i, word in enumerate(a.text.split(" ") if a.text else []):
        piece = word if i == 0 else " " + word
        events.append(
            (
                None,
                {
                    **chunk,
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                },
            )
        )
    for index, (id_, name, args) in enumerate(a.tool_calls):
        half = len(args) // 2
        events.append(
            (
                None,
                {
                    **chunk,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {
                                "tool_calls": [
                                    {
                                        "index": index,
                                        "id": id_,
                                        "type": "function",
                                        "function": {"name": name, "arguments": args[:half]},
                                    }
                                ]
                            },
                            "finish_reason": None,
                        }
                    ],
                },
            )
        )
        events.append(
            (
                None,
                {
                    **chunk,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {
                                "tool_calls": [
                                    {"index": index, "function": {"arguments": args[half:]}}
                                ]
                            },
                            "finish_reason": None,
                        }
                    ],
                },
            )
        )
    events.append(
        (None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": FINISH[a.stop]}]})
    )
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append((None, {**chunk, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return Reply(sse=events)


def anthropic_reply(body: dict[str, Any]) -> Reply:
    a = answer(
        hear_anthropic(body),
        stop=_stop_list(body.get("stop_sequences")),
        max_tokens=body["max_tokens"],
    )
    return render_anthropic(body, a)


def render_anthropic(body: dict[str, Any], a: Answer) -> Reply:
    """An answer as a Messages reply: one JSON body, or events when ``stream`` is set."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": a.text}] if a.text else []
    blocks += [
        {
            "type": "tool_use",
            "id": i.replace("call_", "toolu_"),
            "name": n,
            "input": json.loads(args),
        }
        for i, n, args in a.tool_calls
    ]
    usage = {
        "input_tokens": a.input_tokens,
        "output_tokens": a.output_tokens,
        "cache_read_input_tokens": 2,
        "cache_creation_input_tokens": 0,
    }
    message = {
        "id": "msg_up1",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": blocks,
        "stop_reason": a.stop,
        "stop_sequence": a.stop_sequence,
        "usage": usage,
    }
    if not body.get("stream"):
        return Reply(json=message)
    events: list[tuple[str | None, Any]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    **message,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {**usage, "output_tokens": 1},
                },
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            for i, word in enumerate(block["text"].split(" ")):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "text_delta", "text": word if i == 0 else " " + word},
                        },
                    )
                )
        else:
            args = json.dumps(block["input"])
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {**block, "input": {}},
                    },
                )
            )
            for piece in (args[: len(args) // 2], args[len(args) // 2 :]):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
                )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": a.stop, "stop_sequence": a.stop_sequence},
                "usage": {"output_tokens": a.output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return Reply(sse=events)


def serve_echo_model(upstream: FakeUpstream) -> None:
    upstream.reply("/v1/chat/completions", Reply(compute=openai_reply))
    upstream.reply("/v1/messages", Reply(compute=anthropic_reply))
    upstream.reply(
        "/v1/models",
        Reply(
            json={
                "object": "list",
                "data": [{"id": "echo-1", "object": "model"}, {"id": "echo-2", "object": "model"}],
            }
        ),
    )
