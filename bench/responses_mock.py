#!/usr/bin/env python3
"""A fast fake upstream speaking OpenAI's Responses API, for ``make bench``'s Responses fast path.

The shared harness's mock (``../shared/bench/mock_upstream.py``) serves chat completions and
Anthropic messages only; this one serves what a Responses-only provider does:

  POST /v1/responses   a JSON ``response`` object, or with ``"stream": true`` the documented event
                       order: response.created, response.in_progress, output_item.added,
                       content_part.added, output_text.delta x N, output_text.done,
                       content_part.done, output_item.done, response.completed (with usage)
  GET  /v1/models      a model listing; GET /health

Bare ASGI on uvicorn + uvloop + httptools like the shared mock, with every reply built once at
start-up: a request costs the mock a parse of its body and one bytes substitution per event (a
fresh response id), so the gateway, not the mock, is what the bench measures. Timing knobs as
the shared mock's: --latency-ms, --tokens, --token-delay-ms.

    python bench/responses_mock.py --port 18001
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MODELS = ["bench-responses"]
PROMPT_TOKENS = 8  # reported in usage; the mock tokenizes nothing
# Fixed-width stand-ins, replaced per request: bytes.replace on a prebuilt event is cheap.
ID_MARK = b"resp_MOCKID000000000000"
MODEL_MARK = b"MOCKMODEL"


def compact(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def token(i: int) -> str:
    return f"tok{i} "


@dataclass(frozen=True)
class Timing:
    latency: float = 0.0
    tokens: int = 16
    token_delay: float = 0.0


def _response(
    status: str, output: list[dict[str, Any]], usage: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": ID_MARK.decode(),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": MODEL_MARK.decode(),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "store": False,
        "usage": usage,
    }


def build_replies(tokens: int) -> tuple[bytes, list[bytes]]:
    """The non-stream body and the stream's events, with ``ID_MARK``/``MODEL_MARK`` to fill in."""
    text = "".join(token(i) for i in range(tokens))
    msg_id = "msg_" + ID_MARK.decode()[5:]
    part = {"type": "output_text", "text": text, "annotations": []}
    message = {"id": msg_id, "type": "message", "status": "completed", "role": "assistant",
               "content": [part]}
    usage = {"input_tokens": PROMPT_TOKENS, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": tokens, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": PROMPT_TOKENS + tokens}
    body = compact(_response("completed", [message], usage))

    seq = itertools.count()
    where = {"item_id": msg_id, "output_index": 0, "content_index": 0}

    def event(kind: str, **fields: Any) -> bytes:
        data = {"type": kind, "sequence_number": next(seq), **fields}
        return b"event: " + kind.encode() + b"\ndata: " + compact(data) + b"\n\n"

    started = _response("in_progress", [], None)
    events = [
        event("response.created", response=started),
        event("response.in_progress", response=started),
        event("response.output_item.added", output_index=0,
              item={**message, "status": "in_progress", "content": []}),
        event("response.content_part.added", **where, part={**part, "text": ""}),
        *(event("response.output_text.delta", **where, delta=token(i), logprobs=[])
          for i in range(tokens)),
        event("response.output_text.done", **where, text=text, logprobs=[]),
        event("response.content_part.done", **where, part=part),
        event("response.output_item.done", output_index=0, item=message),
        event("response.completed", response=_response("completed", [message], usage)),
    ]
    return body, events


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        msg = await receive()
        if msg["type"] != "http.request":
            break
        chunks.append(msg.get("body", b""))
        if not msg.get("more_body", False):
            break
    return b"".join(chunks)


async def send_json(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def error(message: str) -> bytes:
    return compact({"error": {"type": "invalid_request_error", "message": message, "param": None,
                              "code": None}})


class ResponsesMock:
    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self.body, self.events = build_replies(timing.tokens)
        self._ids = itertools.count(1)
        self.models = compact({"object": "list", "data": [
            {"id": m, "object": "model", "created": int(time.time()), "owned_by": "mock"}
            for m in MODELS]})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        raw = await read_body(receive)
        if method == "POST" and path in ("/v1/responses", "/responses"):
            try:
                req = json.loads(raw) if raw else {}
                if not isinstance(req, dict):
                    raise ValueError("body must be a JSON object")
            except ValueError as exc:
                await send_json(send, 400, error(f"bad JSON: {exc}"))
                return
            await self.respond(req, send)
        elif method == "GET" and path in ("/v1/models", "/models"):
            await send_json(send, 200, self.models)
        elif method == "GET" and path in ("/", "/health"):
            await send_json(send, 200, b'{"status":"ok"}')
        else:
            await send_json(send, 404, error(f"no route for {method} {path}"))

    async def respond(self, req: dict[str, Any], send: Send) -> None:
        t = self.timing
        rid = f"resp_{next(self._ids):018d}".encode()  # as wide as ID_MARK: lengths stay right
        model = json.dumps(str(req.get("model") or "bench-responses"))[1:-1].encode()

        def fill(b: bytes) -> bytes:
            return b.replace(ID_MARK[5:], rid[5:]).replace(MODEL_MARK, model)

        if not req.get("stream"):
            await asyncio.sleep(t.latency + t.tokens * t.token_delay)
            await send_json(send, 200, fill(self.body))
            return
        if t.latency:
            await asyncio.sleep(t.latency)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream; charset=utf-8"),
                                (b"cache-control", b"no-cache")]})
        last = len(self.events) - 1
        for i, ev in enumerate(self.events):
            if t.token_delay and ev.startswith(b"event: response.output_text.delta"):
                await asyncio.sleep(t.token_delay)
            await send({"type": "http.response.body", "body": fill(ev), "more_body": i < last})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18001)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay before the first byte")
    ap.add_argument("--tokens", type=int, default=16, help="text deltas per stream")
    ap.add_argument("--token-delay-ms", type=float, default=0.0, help="delay between deltas")
    args = ap.parse_args()
    app = ResponsesMock(Timing(args.latency_ms / 1000.0, max(0, args.tokens),
                               args.token_delay_ms / 1000.0))

    import uvicorn  # here, so that --help works without it

    uvicorn.run(app, host=args.host, port=args.port, loop="uvloop", http="httptools",
                lifespan="off", access_log=False, log_level="warning", timeout_keep_alive=120,
                backlog=4096)


if __name__ == "__main__":
    main()
