"""Token counts read cheaply from relayed wire bytes, for the same-protocol fast path.

A non-streaming body is parsed once, by the fast path's check that it is a reply. A stream is
scanned, not parsed: only an SSE line whose JSON has a ``"usage"`` object (OpenAI's last chunk,
Anthropic's ``message_start`` and ``message_delta``) is decoded; every other chunk costs a
substring search. Inside JSON strings quotes are escaped, so ``"usage"`` with bare quotes only
ever matches a key.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

_MARKER = b'"usage"'
_MAX_LINE = 64 * 1024
_ANTHROPIC_INPUT = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


@dataclass(slots=True)
class TokenCounts:
    input_tokens: int | None = None
    output_tokens: int | None = None

    def update(self, usage: object) -> None:
        """Take the counts of an OpenAI or Anthropic ``usage`` object; later values are totals."""
        if not isinstance(usage, dict):
            return
        if "prompt_tokens" in usage:  # OpenAI
            self.input_tokens = _int(usage.get("prompt_tokens"))
            output = _int(usage.get("completion_tokens"))
        else:
            if "input_tokens" in usage:
                # Anthropic counts cached prompt tokens apart; the IR's input_tokens includes them.
                self.input_tokens = sum(_int(usage.get(k)) or 0 for k in _ANTHROPIC_INPUT)
            output = _int(usage.get("output_tokens"))
        if output is not None:
            self.output_tokens = output


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage_of(document: object) -> object:
    if not isinstance(document, dict):
        return None
    usage = document.get("usage")
    if usage is None and isinstance(document.get("message"), dict):
        usage = document["message"].get("usage")  # Anthropic's message_start
    return usage


def read_document_usage(document: object, counts: TokenCounts) -> None:
    """The ``usage`` of a reply already parsed (the fast path parses it to check it)."""
    counts.update(_usage_of(document))


class UsageScan:
    """Feed it the relayed SSE chunks in order; it updates ``counts`` from usage-bearing lines."""

    __slots__ = ("_tail", "counts")

    def __init__(self, counts: TokenCounts) -> None:
        self.counts = counts
        # The unfinished last line of the previous chunk (SSE chunks mostly end on a line end).
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if self._tail:
            chunk = self._tail + chunk
        start = 0
        while (found := chunk.find(_MARKER, start)) >= 0:
            line_end = chunk.find(b"\n", found)
            if line_end < 0:
                break
            # OpenAI sends ``"usage":null`` on every chunk but the last when usage is asked for.
            if chunk[found + len(_MARKER) : found + 16].lstrip(b" \t:")[:1] != b"n":
                self._read_line(chunk[chunk.rfind(b"\n", 0, found) + 1 : line_end])
            start = line_end
        rest = chunk[chunk.rfind(b"\n") + 1 :]
        # A line longer than any usage event is not one worth keeping.
        self._tail = rest if len(rest) <= _MAX_LINE else b""

    def _read_line(self, line: bytes) -> None:
        if not line.startswith(b"data:"):
            return
        try:
            document = orjson.loads(line[5:])
        except orjson.JSONDecodeError:
            return
        self.counts.update(_usage_of(document))
