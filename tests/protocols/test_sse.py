"""SSE framing: encoding, and parsing split at every possible byte boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlx_manager.protocols.sse import SSEEvent, SSEParser, aiter_events, encode_event

STREAM = (
    b": keep-alive comment\r\n"
    b"event: message_start\r\n"
    b'data: {"a": 1}\r\n'
    b"\r\n"
    b"data: line one\n"
    b"data: line two\n"
    b"id: 7\n"
    b"retry: 100\n"
    b"\n"
    b"data\r"
    b"\r"
    b"event: ping\n"
    b"\n"
    b"data:no-space\n\n"
    b"data: unterminated"
)
EXPECTED = [
    SSEEvent("message_start", '{"a": 1}'),
    SSEEvent(None, "line one\nline two"),
    SSEEvent(None, ""),
    SSEEvent(None, "no-space"),
]


def parse(chunks: list[bytes]) -> list[SSEEvent]:
    parser = SSEParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


def test_parses_a_whole_stream() -> None:
    assert parse([STREAM]) == EXPECTED


def test_event_without_data_is_not_dispatched() -> None:
    # ``event: ping`` followed by a blank line has no data: the spec drops it.
    assert SSEEvent("ping", "") not in parse([STREAM])


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_any_chunk_boundary_gives_the_same_events(cut: int) -> None:
    assert parse([STREAM[:cut], STREAM[cut:]]) == EXPECTED


def test_byte_by_byte_and_empty_chunks() -> None:
    chunks = [STREAM[i : i + 1] for i in range(len(STREAM))]
    assert parse([b"", *chunks, b""]) == EXPECTED


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    assert parse([b"data: a\r", b"\n\r", b"\n"]) == [SSEEvent(None, "a")]


def test_invalid_utf8_is_replaced() -> None:
    assert parse([b"data: \xff\n\n"]) == [SSEEvent(None, "\ufffd")]


def test_encode_event() -> None:
    assert encode_event(b'{"x":1}') == b'data: {"x":1}\n\n'
    assert encode_event("hi", event="ping") == b"event: ping\ndata: hi\n\n"
    assert encode_event("a\r\nb\nc") == b"data: a\ndata: b\ndata: c\n\n"


def _chars(excluded: str) -> st.SearchStrategy[str]:
    return st.characters(blacklist_categories=("Cs",), blacklist_characters=excluded)


@given(
    st.lists(
        st.tuples(
            st.none() | st.text(alphabet=_chars("\r\n"), min_size=1),
            st.text(alphabet=_chars("")),
        ),
        max_size=5,
    ),
    st.data(),
)
def test_encode_then_parse_round_trips(
    events: list[tuple[str | None, str]], data: st.DataObject
) -> None:
    raw = b"".join(encode_event(d, event=e) for e, d in events)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=4)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    normalised = [(e, d.replace("\r\n", "\n").replace("\r", "\n")) for e, d in events]
    assert [tuple(e) for e in parse(chunks)] == normalised


_LINE = st.sampled_from(
    [
        b"",
        b"data: x",
        b"data:y",
        b'data: {"a": 1}',
        b"data",
        b"event: e",
        b"event:f",
        b": c",
        b"id: 1",
    ]
)


@given(st.lists(_LINE, max_size=12), st.data())
def test_whole_events_and_lines_one_by_one_agree(lines: list[bytes], data: st.DataObject) -> None:
    # Chunks of whole events take a shortcut; byte by byte never does. Both must agree.
    raw = b"".join(line + b"\n" for line in lines) + b"\n"
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=3)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert parse(chunks) == parse([raw[i : i + 1] for i in range(len(raw))])


async def test_aiter_events() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"event: a\nda"
        yield b"ta: 1\n\n"

    assert [e async for e in aiter_events(chunks())] == [SSEEvent("a", "1")]
