"""A relayed Responses stream read for its final event: however it is chunked, however long
the response it carries, with or without ``event:`` lines."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mlx_manager.observability.response_scan import ResponseScan
from mlx_manager.observability.usage import TokenCounts

USAGE = {
    "input_tokens": 11,
    "output_tokens": 7,
    "input_tokens_details": {"cached_tokens": 3},
    "output_tokens_details": {"reasoning_tokens": 2},
}


def stream(final: str, *, text: str, event_lines: bool) -> bytes:
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "r", "error": None, "usage": None}},
        {"type": "response.output_text.delta", "delta": text},
        {
            "type": final,
            "response": {"id": "r", "output": [{"type": "message", "text": text}], "usage": USAGE},
        },
    ]
    out = b""
    for event in events:
        head = b"event: " + event["type"].encode() + b"\n" if event_lines else b""
        out += head + b"data: " + orjson.dumps(event) + b"\n\n"
    return out


def scan(raw: bytes, size: int) -> tuple[TokenCounts, list[dict[str, object]]]:
    kept: list[dict[str, object]] = []
    counts = TokenCounts()
    scanner = ResponseScan(counts, kept.append)
    relayed = b"".join(scanner.feed(raw[i : i + size]) for i in range(0, len(raw), size))
    assert scanner.flush() == b"" and relayed == raw
    return counts, kept


@pytest.mark.parametrize("event_lines", [True, False], ids=["event-lines", "data-only"])
@pytest.mark.parametrize("size", [1, 5, 97, 4096, 10**7])
@pytest.mark.parametrize("final", ["response.completed", "response.incomplete"])
def test_the_final_event_is_read_however_it_is_chunked(
    final: str, size: int, event_lines: bool
) -> None:
    # Longer than any one line a usage scan keeps, and naming the final event in its text.
    text = "response.completed says " + "x" * 200_000
    counts, kept = scan(stream(final, text=text, event_lines=event_lines), size)
    assert (counts.input_tokens, counts.output_tokens) == (11, 7)
    assert (counts.cache_read_tokens, counts.reasoning_tokens) == (3, 2)
    [response] = kept
    assert response["output"] == [{"type": "message", "text": text}]


def test_a_failed_response_is_not_kept() -> None:
    counts, kept = scan(stream("response.failed", text="hi", event_lines=True), 64)
    assert kept == [] and counts.input_tokens is None
