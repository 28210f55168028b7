"""Token counts read cheaply from relayed wire bytes, for the same-protocol fast path.

A non-streaming body is parsed once, by the fast path's check that it is a reply. A stream is
scanned, not parsed: only an SSE line whose JSON has a ``"usage"`` object (OpenAI's last chunk,
Anthropic's ``message_start`` and ``message_delta``) is decoded; every other chunk costs a
substring search. Inside JSON strings quotes are escaped, so ``"usage"`` with bare quotes only
ever matches a key.

An OpenAI stream whose caller did not ask for usage is still counted: the fast path asks the
upstream for it, and ``UsageCut`` takes the extra usage-only chunk out of what the caller gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

_MARKER = b'"usage"'
_MAX_LINE = 64 * 1024
_ANTHROPIC_INPUT = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


@dataclass(slots=True)
class TokenCounts:
    # Every prompt token, cached ones included, and every output token, reasoning included.
    input_tokens: int | None = None
    output_tokens: int | None = None
    # Parts of those: prompt tokens read from and written to the provider's cache; reasoning.
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    # The provider sent no usage: the counts are the gateway's tokenizer estimate.
    estimated: bool = False
    # The relayed reply while no usage has been seen in it, for that estimate (``estimate``).
    unmetered: list[bytes] | None = field(default=None, compare=False, repr=False)

    def update(self, usage: object) -> None:
        """Take the counts of an OpenAI, Anthropic or Responses ``usage`` object; later values
        are totals."""
        if not isinstance(usage, dict):
            return
        if "prompt_tokens" in usage:  # OpenAI
            self.input_tokens = _int(usage.get("prompt_tokens"))
            output = _int(usage.get("completion_tokens"))
            self.cache_read_tokens = _detail(usage.get("prompt_tokens_details"), "cached_tokens")
            self.reasoning_tokens = _detail(
                usage.get("completion_tokens_details"), "reasoning_tokens"
            )
        else:
            if "input_tokens" in usage:
                # Anthropic counts cached prompt tokens apart; the IR's input_tokens includes them.
                self.input_tokens = sum(_int(usage.get(k)) or 0 for k in _ANTHROPIC_INPUT)
                self.cache_read_tokens = _int(usage.get("cache_read_input_tokens")) or 0
                self.cache_write_tokens = _int(usage.get("cache_creation_input_tokens")) or 0
            if "input_tokens_details" in usage or "output_tokens_details" in usage:
                # The Responses API: input_tokens counts cached ones too; the parts are details.
                details = usage.get("input_tokens_details")
                self.cache_read_tokens = _detail(details, "cached_tokens")
                self.reasoning_tokens = _detail(
                    usage.get("output_tokens_details"), "reasoning_tokens"
                )
            output = _int(usage.get("output_tokens"))
        if output is not None:
            self.output_tokens = output


def _detail(details: object, key: str) -> int:
    return (_int(details.get(key)) or 0) if isinstance(details, dict) else 0


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


def _keep_unmetered(counts: TokenCounts, chunk: bytes) -> None:
    """Keep the reply while it has shown no usage; drop it once it has."""
    unmetered = counts.unmetered
    if unmetered is not None:
        if counts.input_tokens is None and counts.output_tokens is None:
            unmetered.append(chunk)
        else:
            counts.unmetered = None


class UsageScan:
    """Feed it the relayed SSE chunks in order; it updates ``counts`` from usage-bearing lines."""

    __slots__ = ("_tail", "counts")

    def __init__(self, counts: TokenCounts) -> None:
        self.counts = counts
        counts.unmetered = []
        # The unfinished last line of the previous chunk (SSE chunks mostly end on a line end).
        self._tail = b""

    def feed(self, chunk: bytes) -> bytes:
        """Scan ``chunk``; it is returned as it came, to be relayed."""
        _keep_unmetered(self.counts, chunk)
        scanned = self._tail + chunk if self._tail else chunk
        start = 0
        while (found := scanned.find(_MARKER, start)) >= 0:
            line_end = scanned.find(b"\n", found)
            if line_end < 0:
                break
            if _has_value(scanned, found):
                self.counts.update(_usage_of(_data(scanned, found, line_end)))
            start = line_end
        rest = scanned[scanned.rfind(b"\n") + 1 :]
        # A line longer than any usage event is not one worth keeping.
        self._tail = rest if len(rest) <= _MAX_LINE else b""
        return chunk

    def flush(self) -> bytes:
        """What is left to relay once the stream has ended."""
        return b""


class UsageCut(UsageScan):
    """A ``UsageScan`` for an OpenAI stream whose caller did not ask for usage but whose upstream
    was asked: ``feed`` returns the chunk without the usage-only chunk (empty ``choices`` and a
    ``usage`` object), whose counts it keeps. So that a line is judged whole, the unfinished last
    line of a chunk is held back until the next one completes it."""

    __slots__ = ("_blank_due",)

    def __init__(self, counts: TokenCounts) -> None:
        super().__init__(counts)
        # The usage chunk was cut at the end of a chunk: the blank line that ends it comes next.
        self._blank_due = False

    def feed(self, chunk: bytes) -> bytes:
        _keep_unmetered(self.counts, chunk)
        if self._tail:
            chunk = self._tail + chunk
        end = chunk.rfind(b"\n") + 1
        if end == len(chunk) or len(chunk) - end > _MAX_LINE:
            # A line longer than any usage chunk goes on as it comes.
            self._tail = b""
        else:
            chunk, self._tail = chunk[:end], chunk[end:]
        if self._blank_due and chunk:
            self._blank_due = False
            chunk = chunk[_blank_line(chunk, 0) :]
        start = 0
        while (found := chunk.find(_MARKER, start)) >= 0:
            line_end = chunk.find(b"\n", found)
            if line_end < 0:
                break
            start = line_end
            if not _has_value(chunk, found):
                continue
            document = _data(chunk, found, line_end)
            self.counts.update(_usage_of(document))
            if isinstance(document, dict) and document.get("choices") == []:
                line_start = chunk.rfind(b"\n", 0, found) + 1
                after = line_end + 1
                self._blank_due = after == len(chunk)
                chunk = chunk[:line_start] + chunk[after + _blank_line(chunk, after) :]
                start = line_start
        return chunk

    def flush(self) -> bytes:
        tail, self._tail = self._tail, b""
        return tail


def _blank_line(chunk: bytes, at: int) -> int:
    """The length of the blank line that starts at ``at``, if one does (0 if not)."""
    if chunk.startswith(b"\n", at):
        return 1
    return 2 if chunk.startswith(b"\r\n", at) else 0


def _has_value(chunk: bytes, found: int) -> bool:
    # OpenAI sends ``"usage":null`` on every chunk but the last when usage is asked for.
    return chunk[found + len(_MARKER) : found + 16].lstrip(b" \t:")[:1] != b"n"


def _data(chunk: bytes, found: int, line_end: int) -> object:
    """The JSON of the ``data:`` line that holds ``found``; None for any other line."""
    line = chunk[chunk.rfind(b"\n", 0, found) + 1 : line_end]
    if not line.startswith(b"data:"):
        return None
    try:
        return orjson.loads(line[5:])
    except orjson.JSONDecodeError:
        return None
