"""The same-protocol fast path: the caller's body goes upstream with only ``model`` rewritten.

No IR, no re-encoding: unknown fields survive, and a stream is relayed chunk by chunk as bytes.
What comes back is read just far enough for the caller's codec to check that a success is one:
the whole body of a reply, the first event of a stream. Redirects are never followed: a provider
is called at the address it was configured with, and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import orjson

from mlx_manager.backends.http.clients import ProviderClient
from mlx_manager.backends.http.errors import TransportErrors
from mlx_manager.backends.http.timeouts import IdleWatch, UpstreamTimeouts
from mlx_manager.backends.http.transport import UpstreamResponse
from mlx_manager.errors import InvalidUpstreamReply, UpstreamError
from mlx_manager.protocols.sse import SSEParser
from mlx_manager.protocols.table import IsReply, StartsStream
from mlx_manager.providers.redaction import RelayRedaction

# Client headers that describe the request to the upstream API and are safe to pass along.
FORWARDED_HEADERS = ("anthropic-version", "anthropic-beta", "openai-beta")
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
) -> Reply:
    """Send ``body`` to ``path`` and read the whole reply; an error status, or a body that
    ``is_reply`` refuses (truncated, not JSON, an error object), raises."""
    upstream = await client.post(path, body, timeouts=timeouts, headers=headers)
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
) -> Relay:
    """Send ``body`` and read the stream until an event that ``starts`` decides on (comments
    and pings decide nothing); errors until then raise, so failover can go on."""
    upstream = await client.post(path, body, timeouts=timeouts, headers=headers)
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
    parser = SSEParser()
    read = b""
    while len(read) <= _MAX_HEAD:
        chunk = await upstream.content.readany()
        if not chunk:
            break
        read += chunk
        for event in parser.feed(chunk):
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
    problem = "ended before its first event" if len(read) <= _MAX_HEAD else "sent no event"
    raise InvalidUpstreamReply(
        f"Provider '{provider}' answered 200 with a stream that {problem}.", provider=provider
    )


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
