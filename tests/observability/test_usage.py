"""Token counts read from relayed bytes: whole bodies, and streams cut anywhere."""

from __future__ import annotations

import orjson
import pytest

from mlx_manager.observability.usage import TokenCounts, UsageScan, read_document_usage


def sse(*events: tuple[str | None, object]) -> bytes:
    out = b""
    for name, data in events:
        head = f"event: {name}\n".encode() if name else b""
        out += head + b"data: " + orjson.dumps(data) + b"\n\n"
    return out


OPENAI_STREAM = (
    sse(
        (None, {"choices": [{"delta": {"content": "hi"}}], "usage": None}),
        (None, {"choices": [{"delta": {"content": ' "usage": {'}}], "usage": None}),
        (None, {"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 7}}),
    )
    + b"data: [DONE]\n\n"
)

ANTHROPIC_STREAM = sse(
    (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "usage": {
                    "input_tokens": 5,
                    "cache_read_input_tokens": 2,
                    "cache_creation_input_tokens": 1,
                    "output_tokens": 1,
                },
            },
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": 'say "usage": 1'},
        },
    ),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 9},
        },
    ),
    ("message_stop", {"type": "message_stop"}),
)


def scan(stream: bytes, size: int) -> TokenCounts:
    counts = TokenCounts()
    scanner = UsageScan(counts)
    for start in range(0, len(stream), size):
        scanner.feed(stream[start : start + size])
    return counts


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64, 10_000])
def test_openai_stream_usage_survives_any_chunking(size: int) -> None:
    assert scan(OPENAI_STREAM, size) == TokenCounts(input_tokens=11, output_tokens=7)


@pytest.mark.parametrize("size", [1, 5, 13, 100, 10_000])
def test_anthropic_stream_usage_adds_cache_tokens_and_takes_the_last_output(size: int) -> None:
    assert scan(ANTHROPIC_STREAM, size) == TokenCounts(input_tokens=8, output_tokens=9)


def test_a_stream_without_usage_leaves_the_counts_unknown() -> None:
    stream = sse((None, {"choices": [{"delta": {"content": "usage"}}]})) + b"data: [DONE]\n\n"
    assert scan(stream, 10_000) == TokenCounts()


def test_crlf_line_ends_are_read() -> None:
    stream = OPENAI_STREAM.replace(b"\n", b"\r\n")
    assert scan(stream, 9) == TokenCounts(input_tokens=11, output_tokens=7)


def test_bodies_of_each_protocol() -> None:
    counts = TokenCounts()
    read_document_usage({"usage": {"prompt_tokens": 3, "total_tokens": 3}}, counts)
    assert counts == TokenCounts(input_tokens=3)  # embeddings: no output
    counts = TokenCounts()
    read_document_usage({"usage": {"input_tokens": 4, "output_tokens": 2}}, counts)
    assert counts == TokenCounts(input_tokens=4, output_tokens=2)
    counts = TokenCounts()
    read_document_usage({"usage": "broken"}, counts)
    read_document_usage([], counts)
    assert counts == TokenCounts()
