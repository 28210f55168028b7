"""The echo model of ``llm.py`` speaking OpenAI's Responses API (``POST /v1/responses``): the
same answers (its text names the instructions, the last user text, the image count and any
tool output; offered tools are called), as a ``response`` object or the full event stream.
Written against the public API reference only, never against the gateway's codecs.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.fakes.llm import Answer, Heard, answer
from tests.fakes.upstream import FakeUpstream, Reply

_TEXT = ("input_text", "output_text", "text")
_ids = itertools.count(1)


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    return [p["text"] for p in content or [] if p.get("type") in _TEXT]


def _images(content: Any) -> int:
    return 0 if isinstance(content, str) else sum(p.get("type") == "input_image" for p in content)


def hear_responses(body: dict[str, Any]) -> Heard:
    items = body["input"]
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    messages = [i for i in items if i.get("type", "message") == "message"]
    system = [body["instructions"]] if body.get("instructions") else []
    system += [
        t for m in messages if m["role"] in ("system", "developer") for t in _texts(m["content"])
    ]
    users = [m for m in messages if m["role"] == "user"]
    outputs: list[str] = []
    for item in reversed(items):
        if item.get("type") != "function_call_output":
            break
        output = item["output"]
        outputs.insert(0, output if isinstance(output, str) else "".join(_texts(output)))
    tools = [t["name"] for t in body.get("tools", []) if t.get("type") == "function"]
    return Heard(
        " ".join(system),
        " ".join(_texts(users[-1]["content"])) if users else "",
        _images(users[-1]["content"]) if users else 0,
        " + ".join(outputs) if outputs else None,
        tools,
    )


def responses_reply(body: dict[str, Any]) -> Reply:
    a = answer(hear_responses(body), stop=[], max_tokens=body.get("max_output_tokens"))
    return render_responses(body, a)


def render_responses(body: dict[str, Any], a: Answer) -> Reply:
    """An answer as a ``response`` object, or as its event stream when ``stream`` is set."""
    n = next(_ids)
    items: list[dict[str, Any]] = []
    if a.text:
        part = {"type": "output_text", "text": a.text, "annotations": [], "logprobs": []}
        items.append(
            {
                "id": f"msg_up{n}",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [part],
            }
        )
    for i, (call_id, name, args) in enumerate(a.tool_calls):
        items.append(
            {
                "id": f"fc_up{n}_{i}",
                "type": "function_call",
                "status": "completed",
                "call_id": call_id,
                "name": name,
                "arguments": args,
            }
        )
    incomplete = a.stop == "max_tokens"
    response: dict[str, Any] = {
        "id": f"resp_up{n}",
        "object": "response",
        "created_at": 1700000000,
        "status": "incomplete" if incomplete else "completed",
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "model": body["model"],
        "output": items,
        "store": body.get("store", True),
        "usage": {
            "input_tokens": a.input_tokens,
            "input_tokens_details": {"cached_tokens": 2},
            "output_tokens": a.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": a.input_tokens + a.output_tokens,
        },
    }
    if not body.get("stream"):
        return Reply(json=response)
    return Reply(sse=_events(response, incomplete=incomplete))


def _events(response: dict[str, Any], *, incomplete: bool) -> list[tuple[str | None, Any]]:
    events: list[tuple[str | None, Any]] = []

    def emit(kind: str, **body: Any) -> None:
        events.append((kind, {"type": kind, **body, "sequence_number": len(events)}))

    shell = {**response, "status": "in_progress", "output": [], "usage": None}
    emit("response.created", response=shell)
    emit("response.in_progress", response=shell)
    for index, item in enumerate(response["output"]):
        place = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            emit("response.output_item.added", output_index=index, item={**item, "content": []})
            empty = {"type": "output_text", "text": "", "annotations": []}
            emit("response.content_part.added", **place, content_index=0, part=empty)
            text = item["content"][0]["text"]
            for i, word in enumerate(text.split(" ")):
                delta = word if i == 0 else " " + word
                emit("response.output_text.delta", **place, content_index=0, delta=delta)
            emit("response.output_text.done", **place, content_index=0, text=text)
            emit("response.content_part.done", **place, content_index=0, part=item["content"][0])
        else:
            emit("response.output_item.added", output_index=index, item={**item, "arguments": ""})
            args = item["arguments"]
            for piece in (args[: len(args) // 2], args[len(args) // 2 :]):
                emit("response.function_call_arguments.delta", **place, delta=piece)
            emit("response.function_call_arguments.done", **place, arguments=args)
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.incomplete" if incomplete else "response.completed", response=response)
    return events


def serve_responses_model(upstream: FakeUpstream) -> None:
    upstream.reply("/v1/responses", Reply(compute=responses_reply))
