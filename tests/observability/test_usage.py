"""Token counts read from relayed bytes: whole bodies, and streams cut anywhere; the usage-only
chunk that the gateway asked for on a caller's behalf taken out again."""

from __future__ import annotations

import orjson
import pytest

from mlx_manager.observability.usage import (
    TokenCounts,
    UsageCut,
    UsageScan,
    read_document_usage,
)


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
        piece = stream[start : start + size]
        assert scanner.feed(piece) is piece  # relayed as it came
    assert scanner.flush() == b""
    return counts


def cut(stream: bytes, size: int) -> tuple[bytes, TokenCounts]:
    """What ``UsageCut`` relays of ``stream`` fed in pieces of ``size``, and the counts."""
    counts = TokenCounts()
    cutter = UsageCut(counts)
    relayed = b""
    for start in range(0, len(stream), size):
        relayed += cutter.feed(stream[start : start + size])
    return relayed + cutter.flush(), counts


WITHOUT_USAGE = (
    sse(
        (None, {"choices": [{"delta": {"content": "hi"}}], "usage": None}),
        (None, {"choices": [{"delta": {"content": ' "usage": {'}}], "usage": None}),
    )
    + b"data: [DONE]\n\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64, 10_000])
def test_openai_stream_usage_survives_any_chunking(size: int) -> None:
    assert scan(OPENAI_STREAM, size) == TokenCounts(input_tokens=11, output_tokens=7)


@pytest.mark.parametrize("size", [1, 5, 13, 100, 10_000])
def test_anthropic_stream_usage_adds_cache_tokens_and_takes_the_last_output(size: int) -> None:
    assert scan(ANTHROPIC_STREAM, size) == TokenCounts(
        input_tokens=8, output_tokens=9, cache_read_tokens=2, cache_write_tokens=1
    )


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


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64, 10_000])
def test_the_usage_only_chunk_is_cut_out_however_the_stream_comes(size: int) -> None:
    assert cut(OPENAI_STREAM, size) == (
        WITHOUT_USAGE,
        TokenCounts(input_tokens=11, output_tokens=7),
    )


@pytest.mark.parametrize("size", [1, 2, 5, 10_000])
def test_a_usage_only_chunk_with_crlf_line_ends_is_cut_out_whole(size: int) -> None:
    relayed, counts = cut(OPENAI_STREAM.replace(b"\n", b"\r\n"), size)
    assert relayed == WITHOUT_USAGE.replace(b"\n", b"\r\n")
    assert counts == TokenCounts(input_tokens=11, output_tokens=7)


def test_usage_on_a_chunk_with_content_is_counted_and_kept() -> None:
    # Some providers put the usage on the last chunk that has choices; it is not the extra one.
    stream = (
        sse(
            (
                None,
                {
                    "choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 2, "completion_tokens": 1},
                },
            ),
        )
        + b"data: [DONE]\n\n"
    )
    assert cut(stream, 6) == (stream, TokenCounts(input_tokens=2, output_tokens=1))


def test_a_stream_that_ends_without_a_line_end_is_relayed_whole() -> None:
    stream = WITHOUT_USAGE + b'data: {"choices"'
    assert cut(stream, 4)[0] == stream


def test_a_line_longer_than_any_usage_chunk_is_not_held_back() -> None:
    cutter = UsageCut(TokenCounts())
    long_line = b"data: " + b"x" * 70_000
    assert cutter.feed(long_line) == long_line
    assert cutter.feed(b"\n\n") == b"\n\n"
