"""Server-sent events framing: the only place ``event:`` / ``data:`` lines are written or read.

The parser follows the WHATWG event-stream rules that matter to LLM APIs: ``\\r\\n``, ``\\r`` and
``\\n`` line ends (a ``\\r\\n`` may be split across chunks), multi-line ``data``, ``:`` comments,
and a blank line dispatching the event. ``id`` and ``retry`` are read and ignored: no provider
relies on reconnection. An unterminated event at end of stream is discarded, as the spec says.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import NamedTuple

# Byte searches on the stream path use ``find``, not ``in``: for bytes, CPython's ``in`` first
# tries its operand as an int and builds and drops a TypeError, about twice the cost of a find.


class SSEEvent(NamedTuple):
    event: str | None
    data: str


def encode_event(data: bytes | str, *, event: str | None = None) -> bytes:
    """Frame one event. ``data`` with line breaks becomes several ``data:`` lines."""
    raw = data.encode() if isinstance(data, str) else data
    head = b"event: " + event.encode() + b"\n" if event is not None else b""
    if raw.find(b"\n") < 0 and raw.find(b"\r") < 0:
        return head + b"data: " + raw + b"\n\n"
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return head + b"".join(b"data: " + line + b"\n" for line in lines) + b"\n"


class SSEParser:
    """Incremental parser: ``feed`` bytes as they arrive, get back the completed events."""

    __slots__ = ("_buffer", "_data", "_event", "_skip_lf")

    def __init__(self) -> None:
        self._buffer = b""
        self._event: str | None = None
        self._data: list[str] = []
        # The previous chunk ended in '\r': a '\n' opening the next one belongs to that line end.
        self._skip_lf = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not chunk:
            return []
        if (
            chunk.endswith(b"\n\n")
            and not self._buffer
            and not self._data
            and self._event is None
            and chunk.find(b"\r") < 0
        ):
            return self._whole_events(chunk)
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        buffer = self._buffer + chunk if self._buffer else chunk
        lines = buffer.splitlines(keepends=True)
        if lines and not lines[-1].endswith((b"\n", b"\r")):
            self._buffer = lines.pop()
        else:
            self._buffer = b""
        # Only a '\r' that ends the whole buffer may be half of a '\r\n'.
        self._skip_lf = not self._buffer and buffer.endswith(b"\r")
        events: list[SSEEvent] = []
        for line in lines:
            event = self._line(line.rstrip(b"\r\n").decode(errors="replace"))
            if event is not None:
                events.append(event)
        return events

    def _whole_events(self, chunk: bytes) -> list[SSEEvent]:
        """What providers send almost always: whole events with ``\\n`` line ends, one ``data``
        line each, perhaps after an ``event`` line. Those are cut out directly; anything else in
        the chunk goes through the line-by-line rules."""
        events: list[SSEEvent] = []
        for block in chunk[:-2].split(b"\n\n"):
            if block.startswith(b"data: ") and block.find(b"\n") < 0:
                events.append(SSEEvent(None, block[6:].decode(errors="replace")))
                continue
            if block.startswith(b"event: "):
                name, _, data = block.partition(b"\n")
                if data.startswith(b"data: ") and data.find(b"\n") < 0:
                    events.append(
                        SSEEvent(
                            name[7:].decode(errors="replace"), data[6:].decode(errors="replace")
                        )
                    )
                    continue
            for line in [*block.split(b"\n"), b""]:
                event = self._line(line.decode(errors="replace"))
                if event is not None:
                    events.append(event)
        return events

    def _line(self, line: str) -> SSEEvent | None:
        if not line:
            if not self._data:
                self._event = None
                return None
            event = SSEEvent(self._event, "\n".join(self._data))
            self._event, self._data = None, []
            return event
        if line[0] == ":":
            return None
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]:
    """Parse a byte stream (a reply body's chunks) into events."""
    parser = SSEParser()
    async for chunk in chunks:
        for event in parser.feed(chunk):
            yield event
