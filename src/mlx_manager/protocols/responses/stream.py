"""IR events -> the Responses API's event stream.

Every event is an SSE event named by its ``type`` and numbered by ``sequence_number`` from 0:
``response.created`` and ``response.in_progress``; then per output item
``response.output_item.added``, its parts and deltas, and ``response.output_item.done``:

- text: ``content_part.added``, ``output_text.delta`` …, ``output_text.done``,
  ``content_part.done``;
- reasoning: ``reasoning_summary_part.added``, ``reasoning_summary_text.delta`` …,
  ``reasoning_summary_text.done``, ``reasoning_summary_part.done``;
- a tool call: ``function_call_arguments.delta`` …, ``function_call_arguments.done``.

Text and reasoning items end when another item starts; tool calls (whose deltas may
interleave) end with the reply. The call of the tool standing for ``text.format`` is streamed
as a message's text. Last comes ``response.completed`` (``response.incomplete``
when the token cap or a content filter cut it), carrying the whole ``response``. A
``GatewayError`` before the first event propagates (the caller can still be answered with an
HTTP error); after it, it becomes ``response.failed`` and the stream ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator

import orjson

from mlx_manager.core import (
    ChatRequest,
    MessageEnd,
    MessageStart,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageUpdate,
)
from mlx_manager.errors import GatewayError
from mlx_manager.protocols.responses.request import ResponsesChat
from mlx_manager.protocols.responses.response import (
    function_call_item,
    is_structured,
    message_item,
    opaque_of,
    output_text,
    reasoning_item,
    reply_id,
    shell,
    status_of,
)
from mlx_manager.protocols.sse import encode_event
from mlx_manager.protocols.wire import new_id


class _Item:
    """An output item being streamed: its place, kind and what it has gathered so far."""

    __slots__ = ("call_id", "id", "index", "kind", "name", "opaque", "text")

    def __init__(self, *, index: int, kind: str, id_: str) -> None:
        self.index = index
        self.kind = kind
        self.id = id_
        self.text = ""
        self.opaque: str | None = None
        self.call_id = ""
        self.name = ""


class _Encoder:
    def __init__(self, request: ChatRequest, start: MessageStart, *, created_at: int) -> None:
        self._request = request
        self._id = reply_id(request, start.id)
        self._model = start.model
        self._created_at = created_at
        self._sequence = 0
        self._done: list[tuple[int, dict[str, object]]] = []
        self._open: _Item | None = None  # the text or reasoning item being written
        self._calls: dict[int, _Item] = {}  # open tool calls, by IR index
        # The IR index of the call standing for ``text.format``, streamed as message text.
        self._structured: int | None = None
        self._count = 0
        self.usage = Usage()

    def emit(self, kind: str, body: dict[str, object]) -> bytes:
        data = {"type": kind, **body, "sequence_number": self._sequence}
        self._sequence += 1
        return encode_event(orjson.dumps(data), event=kind)

    def response(self, status: str, *, usage: Usage | None = None) -> dict[str, object]:
        output = [item for _, item in sorted(self._done, key=lambda pair: pair[0])]
        return shell(
            self._request,
            id_=self._id,
            model=self._model,
            created_at=self._created_at,
            status=status,
            output=output,
            usage=usage,
        )

    def begin(self) -> bytes:
        response = self.response("in_progress")
        return self.emit("response.created", {"response": response}) + self.emit(
            "response.in_progress", {"response": response}
        )

    def event(self, event: StreamEvent) -> bytes:
        match event:
            case TextDelta(text=text):
                return self._text(text)
            case ThinkingDelta(text=text, signature=signature, redacted_data=redacted):
                return self._thinking(text, signature, redacted)
            case ToolCallStart(index=index, id=id_, name=name) if is_structured(
                self._request, name
            ):
                out = self._close_open()
                self._structured = index
                return out + self._open_message("structured")
            case ToolCallDelta(index=index, arguments=arguments) if index == self._structured:
                return self._text(arguments, kind="structured")
            case ToolCallStart(index=index, id=id_, name=name):
                out = self._close_open()
                item = self._new("function_call", "fc_")
                item.call_id, item.name = id_, name
                self._calls[index] = item
                added = self._function_call(item, status="in_progress")
                return out + self._added(item, added)
            case ToolCallDelta(index=index, arguments=arguments):
                item = self._calls[index]
                item.text += arguments
                delta = {"item_id": item.id, "output_index": item.index, "delta": arguments}
                return self.emit("response.function_call_arguments.delta", delta)
            case UsageUpdate(usage=usage):
                self.usage = usage
            case MessageEnd(stop_reason=reason):
                out = self._close_all()
                status, incomplete = status_of(reason)
                response = self.response(status, usage=self.usage)
                response["incomplete_details"] = incomplete
                kind = "response.completed" if status == "completed" else "response.incomplete"
                out += self.emit(kind, {"response": response})
                request = self._request
                if isinstance(request, ResponsesChat) and request.keep is not None:
                    request.keep(response)
                return out
        return b""

    def fail(self, exc: GatewayError) -> bytes:
        response = self.response("failed", usage=self.usage)
        response["error"] = {"code": exc.code, "message": exc.message}
        return self.emit("response.failed", {"response": response})

    def _new(self, kind: str, prefix: str) -> _Item:
        item = _Item(index=self._count, kind=kind, id_=new_id(prefix))
        self._count += 1
        return item

    def _added(self, item: _Item, body: dict[str, object]) -> bytes:
        return self.emit("response.output_item.added", {"output_index": item.index, "item": body})

    def _item_done(self, item: _Item, body: dict[str, object]) -> bytes:
        self._done.append((item.index, body))
        return self.emit("response.output_item.done", {"output_index": item.index, "item": body})

    def _open_message(self, kind: str) -> bytes:
        item = self._open = self._new(kind, "msg_")
        out = self._added(item, message_item(item.id, None, status="in_progress"))
        return out + self.emit(
            "response.content_part.added",
            {**self._place(item), "content_index": 0, "part": output_text("")},
        )

    def _text(self, text: str, *, kind: str = "message") -> bytes:
        out = b""
        item = self._open
        if item is None or item.kind != kind:
            out = self._close_open() + self._open_message(kind)
            item = self._open
            assert item is not None
        item.text += text
        delta = {**self._place(item), "content_index": 0, "delta": text, "logprobs": []}
        return out + self.emit("response.output_text.delta", delta)

    def _thinking(self, text: str, signature: str | None, redacted: str | None) -> bytes:
        out = b""
        item = self._open
        if redacted is not None or item is None or item.kind != "reasoning":
            out = self._close_open()
            item = self._open = self._new("reasoning", "rs_")
            added = reasoning_item(item.id, None, opaque=None, status="in_progress")
            out += self._added(item, added)
            if redacted is not None:
                item.opaque = opaque_of(None, redacted)
                return out + self._close_open()
        if text:
            if not item.text:
                part = {"type": "summary_text", "text": ""}
                summary = {**self._place(item), "summary_index": 0, "part": part}
                out += self.emit("response.reasoning_summary_part.added", summary)
            item.text += text
            delta = {**self._place(item), "summary_index": 0, "delta": text}
            out += self.emit("response.reasoning_summary_text.delta", delta)
        if signature is not None:
            item.opaque = opaque_of(signature, None)
        return out

    def _place(self, item: _Item) -> dict[str, object]:
        return {"item_id": item.id, "output_index": item.index}

    def _close_open(self) -> bytes:
        item, self._open = self._open, None
        if item is None:
            return b""
        place = self._place(item)
        if item.kind in ("message", "structured"):
            part = output_text(item.text)
            return (
                self.emit(
                    "response.output_text.done",
                    {**place, "content_index": 0, "text": item.text, "logprobs": []},
                )
                + self.emit(
                    "response.content_part.done", {**place, "content_index": 0, "part": part}
                )
                + self._item_done(item, message_item(item.id, item.text, status="completed"))
            )
        out = b""
        if item.text:
            out = self.emit(
                "response.reasoning_summary_text.done",
                {**place, "summary_index": 0, "text": item.text},
            ) + self.emit(
                "response.reasoning_summary_part.done",
                {**place, "summary_index": 0, "part": {"type": "summary_text", "text": item.text}},
            )
        done = reasoning_item(item.id, item.text, opaque=item.opaque, status="completed")
        return out + self._item_done(item, done)

    def _function_call(self, item: _Item, *, status: str) -> dict[str, object]:
        return function_call_item(
            self._request,
            item.id,
            call_id=item.call_id,
            name=item.name,
            arguments=item.text,
            status=status,
        )

    def _close_all(self) -> bytes:
        out = self._close_open()
        for item in self._calls.values():
            done = {**self._place(item), "arguments": item.text}
            out += self.emit("response.function_call_arguments.done", done)
            out += self._item_done(item, self._function_call(item, status="completed"))
        self._calls.clear()
        return out


async def encode_stream(
    events: AsyncIterable[StreamEvent], request: ChatRequest, *, created_at: int | None = None
) -> AsyncIterator[bytes]:
    """IR events as Responses SSE bytes, one write per IR event."""
    encoder: _Encoder | None = None
    try:
        async for event in events:
            head = b""
            if encoder is None:
                start = event if isinstance(event, MessageStart) else MessageStart(id="", model="")
                encoder = _Encoder(request, start, created_at=created_at or int(time.time()))
                head = encoder.begin()
                if event is start:
                    yield head
                    continue
            data = encoder.event(event)
            if head or data:
                yield head + data
    except GatewayError as exc:
        if encoder is None:
            raise
        yield encoder.fail(exc)
