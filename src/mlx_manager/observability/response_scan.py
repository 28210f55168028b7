"""A relayed Responses stream read for its last event, which carries the whole ``response``.

The usage of a Responses stream is only in its final event (``response.completed`` or
``response.incomplete``), and that event holds the whole response, output included: as long as
the reply itself, so it may span many chunks. Every chunk costs a substring search for the final
event's name; that event's ``data`` line is gathered (however many chunks it spans) and parsed
once, for the request log's token counts and for ``keep`` (a stored response).
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from mlx_manager.observability.usage import TokenCounts

# The names of the events that end a reply whole; a ``failed`` one is not kept.
_MARKERS = (b"response.completed", b"response.incomplete")
_FINAL = frozenset({"response.completed", "response.incomplete"})
# The start of an unfinished line kept for the next chunk: a final event's line begins with its
# name (``event: ...``) or its type (``data: {"type": ...``), well within this.
_HEAD = 256
# The largest final event gathered; anything longer is relayed unread.
_MAX_EVENT = 64 * 1024 * 1024


class ResponseScan:
    """Feed it the relayed SSE chunks in order; chunks come back unchanged."""

    __slots__ = ("_gathered", "_head", "_size", "_want_data", "counts", "keep")

    def __init__(
        self, counts: TokenCounts, keep: Callable[[dict[str, object]], None] | None
    ) -> None:
        self.counts = counts
        self.keep = keep
        self._head = b""
        # The final event's data line so far, once its start has been seen.
        self._gathered: list[bytes] | None = None
        self._size = 0
        # An ``event:`` line named the final event: its data line comes next.
        self._want_data = False

    def feed(self, chunk: bytes) -> bytes:
        data = chunk
        while data:
            if self._gathered is not None:
                data = self._gather(data)
                continue
            if self._want_data:
                data = data.lstrip(b"\r\n")
                if not data:
                    break
                self._want_data = False
                if data.startswith(b"data:"):
                    self._gathered = []
                    continue
            scanned = self._head + data if self._head else data
            self._head = b""
            found = _find_marker(scanned)
            if found < 0:
                rest = scanned[scanned.rfind(b"\n") + 1 :]
                self._head = rest if len(rest) <= _HEAD else b""
                break
            line_start = scanned.rfind(b"\n", 0, found) + 1
            line_end = scanned.find(b"\n", found)
            after = b"" if line_end < 0 else scanned[line_end + 1 :]
            if scanned.startswith(b"event:", line_start):
                self._want_data = True
                data = after
            elif scanned.startswith(b"data:", line_start):
                self._gathered = []
                data = scanned[line_start:]
            else:
                # The name in a line of another kind (or one whose start is gone): not the event.
                data = after
        return chunk

    def flush(self) -> bytes:
        """The stream ended: a final event not ended by a line break is read as it is."""
        if self._gathered:
            self._finish(b"".join(self._gathered))
        return b""

    def _gather(self, data: bytes) -> bytes:
        """Add to the data line being gathered; what follows its end is returned."""
        assert self._gathered is not None
        end = data.find(b"\n")
        piece = data if end < 0 else data[:end]
        self._size += len(piece)
        if self._size > _MAX_EVENT:
            self._gathered, self._size = None, 0
        elif end < 0:
            self._gathered.append(piece)
        else:
            line = b"".join([*self._gathered, piece])
            self._gathered, self._size = None, 0
            self._finish(line)
        return b"" if end < 0 else data[end + 1 :]

    def _finish(self, line: bytes) -> None:
        try:
            document = orjson.loads(line[5:])
        except orjson.JSONDecodeError:
            return
        if not isinstance(document, dict) or document.get("type") not in _FINAL:
            return
        response = document.get("response")
        if not isinstance(response, dict):
            return
        self.counts.update(response.get("usage"))
        if self.keep is not None:
            self.keep(response)


def _find_marker(data: bytes) -> int:
    for marker in _MARKERS:
        found = data.find(marker)
        if found >= 0:
            return found
    return -1
