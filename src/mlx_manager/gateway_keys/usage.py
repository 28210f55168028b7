"""How many tokens a reply used, read from the ``usage`` it carries, for tokens-per-minute limits.

Both protocols are read the same way: input is ``prompt_tokens`` (OpenAI) or ``input_tokens`` plus
cache tokens (Anthropic); output is ``completion_tokens`` or ``output_tokens``. A stream is counted
from what it says: Anthropic streams always carry usage; OpenAI streams only when the caller asked
for ``stream_options.include_usage`` — otherwise the stream counts as zero tokens.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

_INPUT_FIELDS = (
    "prompt_tokens",
    "input_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)
_OUTPUT_FIELDS = ("completion_tokens", "output_tokens")


def _sum(usage: Mapping[str, object], fields: tuple[str, ...]) -> int:
    return sum(v for f in fields if isinstance(v := usage.get(f), int) and v > 0)


def _usage_of(event: object) -> Mapping[str, object] | None:
    if not isinstance(event, dict):
        return None
    usage = event.get("usage")
    if usage is None and isinstance(message := event.get("message"), dict):
        usage = message.get("usage")  # Anthropic's message_start
    return usage if isinstance(usage, dict) else None


def reply_tokens(body: bytes) -> int:
    """Tokens of a JSON reply; 0 when it carries no usage."""
    try:
        usage = _usage_of(orjson.loads(body))
    except orjson.JSONDecodeError:
        return 0
    if usage is None:
        return 0
    return _sum(usage, _INPUT_FIELDS) + _sum(usage, _OUTPUT_FIELDS)


class StreamUsage:
    """Fed an SSE stream's bytes in whatever chunks they come; ``tokens`` is the count so far.

    Counts are cumulative within a stream (Anthropic's ``message_delta`` repeats the running
    output count), so the largest value seen of each side is the total.
    """

    def __init__(self) -> None:
        self._partial = b""
        self._input = 0
        self._output = 0

    @property
    def tokens(self) -> int:
        return self._input + self._output

    def feed(self, chunk: bytes) -> None:
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > 1_000_000:
            self._partial = b""  # no usage line is that long
        for line in lines:
            if line.startswith(b"data:") and b'"usage"' in line:
                self._read(line[5:])

    def _read(self, payload: bytes) -> None:
        try:
            usage = _usage_of(orjson.loads(payload))
        except orjson.JSONDecodeError:
            return
        if usage is not None:
            self._input = max(self._input, _sum(usage, _INPUT_FIELDS))
            self._output = max(self._output, _sum(usage, _OUTPUT_FIELDS))
