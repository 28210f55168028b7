"""The same-protocol fast path: the caller's body goes upstream with only ``model`` rewritten.

No IR, no re-encoding: unknown fields survive, and a stream is relayed chunk by chunk as bytes.
What comes back is read just far enough for the caller's codec to check that a success is one:
the whole body of a reply, the first event of a stream. Redirects are never followed: a provider
is called at the address it was configured with, and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass

import orjson

from mlx_manager.backends.http.clients import ProviderClient
from mlx_manager.backends.http.errors import TransportErrors
from mlx_manager.backends.http.timeouts import IdleWatch, UpstreamTimeouts
from mlx_manager.backends.http.transport import UpstreamResponse
from mlx_manager.errors import InvalidUpstreamReply, UpstreamError
from mlx_manager.protocols.sse import SSEEvent, SSEParser
from mlx_manager.protocols.table import IsReply, StartsStream
from mlx_manager.providers.redaction import RelayRedaction

# The most of a stream read before its first event must have ended.
_MAX_HEAD = 256 * 1024


@dataclass(slots=True)
class Reply:
    """A whole upstream reply that is a success of its protocol."""

    status: int
    content_type: str
    body: bytes
    # ``body`` parsed, for its token counts.
    document: object


@dataclass(slots=True)
class Relay:
    """An upstream stream that started as its protocol's streams do."""

    status: int
    content_type: str
    # Everything read so far: up to the end of the first event that decided.
    first: bytes
    rest: AsyncIterator[bytes]


def _not_a_success(
    body: bytes, document: object, *, errors: TransportErrors, what: str
) -> UpstreamError:
    """A 200 that is no success: an error object keeps its message, anything else is named."""
    if isinstance(document, dict) and ("error" in document or document.get("type") == "error"):
        return errors.from_status(200, {}, body)
    provider = errors.provider
    return InvalidUpstreamReply(
        f"Provider '{provider}' answered 200 with {what}.", provider=provider
    )


async def forward(
    client: ProviderClient,
    *,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    timeouts: UpstreamTimeouts,
    is_reply: IsReply,
    model: str | None = None,
) -> Reply:
    """Send ``body`` (asking for ``model``, which deployment URLs name) to ``path`` and read the
    whole reply; an error status, or a body that ``is_reply`` refuses (truncated, not JSON, an
    error object), raises."""
    upstream = await client.post(path, body, timeouts=timeouts, headers=headers, model=model)
    try:
        with client.errors:
            content = await upstream.read()
    finally:
        upstream.release()
    try:
        document: object = orjson.loads(content)
    except orjson.JSONDecodeError:
        document = None
    if not is_reply(document):
        raise _not_a_success(
            content, document, errors=client.errors, what="a body that is not a reply of its API"
        )
    return Reply(
        status=upstream.status,
        content_type=upstream.headers.get("content-type", "application/json"),
        body=content,
        document=document,
    )


async def open_stream(
    client: ProviderClient,
    *,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    timeouts: UpstreamTimeouts,
    starts: StartsStream,
    model: str | None = None,
) -> Relay:
    """Send ``body`` and read the stream until an event that ``starts`` decides on (comments
    and pings decide nothing); errors until then raise, so failover can go on."""
    upstream = await client.post(path, body, timeouts=timeouts, headers=headers, model=model)
    try:
        content_type = upstream.headers.get("content-type", "")
        with client.errors:
            if not content_type.startswith("text/event-stream"):
                head = await upstream.content.read(_MAX_HEAD)
                raise _not_a_success(
                    head,
                    _json_or_none(head),
                    errors=client.errors,
                    what="a body that is not a stream",
                )
            first = await _read_start(upstream, starts, errors=client.errors)
    except BaseException:
        upstream.release()
        raise
    # Error events are relayed with the key taken out; the first read may already hold one.
    scrub = client.errors.redactor.relay()
    return Relay(
        status=upstream.status,
        content_type=content_type,
        first=scrub.chunk(first),
        rest=_rest(upstream, client.errors, scrub, timeouts.idle),
    )


async def _read_start(
    upstream: UpstreamResponse,
    starts: StartsStream,
    *,
    errors: TransportErrors,
) -> bytes:
    provider = errors.provider
    read = await upstream.content.readany()
    # What providers send almost always: a first chunk that opens with one plain event, which
    # decides. It is judged without a parser; anything else goes through one.
    first = _plain_first_event(read)
    if first is not None and starts(first):
        return read
    parser = SSEParser()
    chunk = read
    while chunk and len(read) <= _MAX_HEAD:
        for event in _first_events(parser, chunk):
            verdict = starts(event)
            if verdict:
                return read
            if verdict is False:
                data = event.data.encode()
                raise _not_a_success(
                    data,
                    _json_or_none(data),
                    errors=errors,
                    what=f"a stream that does not start as its API's streams do: {data[:80]!r}",
                )
        chunk = await upstream.content.readany()
        read += chunk
    problem = "ended before its first event" if len(read) <= _MAX_HEAD else "sent no event"
    raise InvalidUpstreamReply(
        f"Provider '{provider}' answered 200 with a stream that {problem}.", provider=provider
    )


def _plain_first_event(data: bytes) -> SSEEvent | None:
    """The event ``data`` opens with, when it is a plain one (``data:`` after an optional
    ``event:`` line, ``\n`` line ends); None for anything else."""
    end = data.find(b"\n\n")
    if end < 0 or data.find(b"\r", 0, end) >= 0:
        return None
    name = None
    block = data[:end]
    if block.startswith(b"event: "):
        head, _, block = block.partition(b"\n")
        name = head[7:].decode(errors="replace")
    if not block.startswith(b"data: ") or block.find(b"\n") >= 0:
        return None
    return SSEEvent(name, block[6:].decode(errors="replace"))


def _first_events(parser: SSEParser, chunk: bytes) -> Iterator[SSEEvent]:
    """The events ``chunk`` completes, parsed one ``\n\n``-ended event at a time: a stream that
    came whole in one chunk is parsed only as far as the event that decides (the rest goes on
    as bytes). Other line ends are fed whole; the parser takes any split."""
    while chunk:
        end = chunk.find(b"\n\n") + 2
        if end == 1:
            yield from parser.feed(chunk)
            return
        piece, chunk = chunk[:end], chunk[end:]
        yield from parser.feed(piece)


def _json_or_none(data: bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


async def _rest(
    upstream: UpstreamResponse,
    errors: TransportErrors,
    scrub: RelayRedaction,
    idle: float,
) -> AsyncIterator[bytes]:
    watch = IdleWatch(upstream, idle=idle, provider=errors.provider)
    try:
        with errors:
            async for chunk in upstream.content.iter_any():
                watch.touch()
                yield scrub.chunk(chunk)
    finally:
        watch.stop()
        upstream.release()
