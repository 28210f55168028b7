"""The same-protocol fast path: the caller's body goes upstream with only ``model`` rewritten.

No IR, no re-encoding: unknown fields survive, and a stream is relayed chunk by chunk as bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp

from mlx_manager.backends.http.clients import ProviderClient
from mlx_manager.backends.http.errors import TransportErrors, error_from_status


@dataclass(slots=True)
class Relay:
    """An upstream reply whose status was OK, with its first chunk already read."""

    status: int
    content_type: str
    first: bytes
    rest: AsyncIterator[bytes]


# Client headers that describe the request to the upstream API and are safe to pass along.
FORWARDED_HEADERS = ("anthropic-version", "anthropic-beta", "openai-beta")


async def forward(
    client: ProviderClient, *, path: str, body: bytes, headers: Mapping[str, str]
) -> Relay:
    """Send ``body`` to ``path``; errors before the first chunk raise, so failover can go on."""
    sent = {**client.headers, "content-type": "application/json", **headers}
    with TransportErrors(client.name):
        upstream = await client.session.post(client.url(path), data=body, headers=sent)
    try:
        with TransportErrors(client.name):
            if upstream.status >= 400:
                content = await upstream.read()
                raise error_from_status(
                    upstream.status, upstream.headers, content, provider=client.name
                )
            first = await upstream.content.readany()
    except BaseException:
        upstream.release()
        raise
    return Relay(
        status=upstream.status,
        content_type=upstream.headers.get("content-type", "application/json"),
        first=first,
        rest=_rest(upstream, client.name),
    )


async def read_all(relay: Relay) -> bytes:
    """The whole body of a non-streamed reply."""
    chunks = [relay.first]
    async for chunk in relay.rest:
        chunks.append(chunk)
    return b"".join(chunks)


async def _rest(upstream: aiohttp.ClientResponse, provider: str) -> AsyncIterator[bytes]:
    try:
        with TransportErrors(provider):
            async for chunk in upstream.content.iter_any():
                yield chunk
    finally:
        upstream.release()
