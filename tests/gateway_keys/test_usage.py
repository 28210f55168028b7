"""Token counts from replies of both protocols, JSON and streamed in arbitrary chunks."""

from __future__ import annotations

import orjson

from mlx_manager.gateway_keys.usage import StreamUsage, reply_tokens


def test_json_replies_of_both_protocols() -> None:
    openai = {"usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12}}
    anthropic = {"usage": {"input_tokens": 7, "output_tokens": 5, "cache_read_input_tokens": 3}}
    assert reply_tokens(orjson.dumps(openai)) == 12
    assert reply_tokens(orjson.dumps(anthropic)) == 15
    assert reply_tokens(b'{"choices": []}') == 0
    assert reply_tokens(b"not json") == 0


def _sse(events: list[dict[str, object]]) -> bytes:
    return b"".join(b"data: " + orjson.dumps(e) + b"\n\n" for e in events)


def test_an_anthropic_stream_split_anywhere_counts_the_same() -> None:
    stream = _sse(
        [
            {
                "type": "message_start",
                "message": {"usage": {"input_tokens": 10, "output_tokens": 1}},
            },
            {"type": "content_block_delta", "delta": {"text": 'say "usage" here'}},
            {"type": "message_delta", "usage": {"output_tokens": 4}},
            {"type": "message_delta", "usage": {"output_tokens": 9}},
        ]
    )
    for size in (1, 7, 64, len(stream)):
        usage = StreamUsage()
        for i in range(0, len(stream), size):
            usage.feed(stream[i : i + size])
        assert usage.tokens == 19


def test_an_openai_stream_counts_its_usage_chunk_or_nothing() -> None:
    with_usage = (
        _sse(
            [
                {"choices": [{"delta": {"content": "hi"}}]},
                {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
            ]
        )
        + b"data: [DONE]\n\n"
    )
    usage = StreamUsage()
    usage.feed(with_usage)
    assert usage.tokens == 5
    without = StreamUsage()
    without.feed(_sse([{"choices": [{"delta": {"content": "hi"}}]}]))
    assert without.tokens == 0
