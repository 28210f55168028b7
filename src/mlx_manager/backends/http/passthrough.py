"""The same-protocol fast path: the caller's body goes upstream with only ``model`` rewritten.

No IR, no re-encoding: unknown fields survive, and a stream is relayed chunk by chunk as bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import httpx

from mlx_manager.backends.http.errors import error_from_status, mapped_transport_errors


@dataclass(slots=True)
class Relay:
    """An upstream reply whose status was OK, with its first chunk already read."""

    status: int
    content_type: str
    # Set when the upstream compressed the reply although asked not to; relayed as it is.
    content_encoding: str | None
    first: bytes
    rest: AsyncIterator[bytes]


# Client headers that describe the request to the upstream API and are safe to pass along.
FORWARDED_HEADERS = ("anthropic-version", "anthropic-beta", "openai-beta")


async def forward(
    client: httpx.AsyncClient,
    *,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    provider: str,
) -> Relay:
    """Send ``body`` to ``path``; errors before the first chunk raise, so failover can go on."""
    request = client.build_request(
        "POST",
        path,
        content=body,
        # Uncompressed, so the relayed bytes need no decoding and no re-encoding.
        headers={"content-type": "application/json", "accept-encoding": "identity", **headers},
    )
    with mapped_transport_errors(provider):
        upstream = await client.send(request, stream=True)
    chunks = upstream.aiter_raw()
    try:
        with mapped_transport_errors(provider):
            if upstream.status_code >= 400:
                raise error_from_status(upstream, await upstream.aread(), provider=provider)
            first = await anext(chunks, b"")
    except BaseException:
        await upstream.aclose()
        raise
    return Relay(
        status=upstream.status_code,
        content_type=upstream.headers.get("content-type", "application/json"),
        content_encoding=upstream.headers.get("content-encoding"),
        first=first,
        rest=_rest(upstream, chunks, provider),
    )


async def _rest(
    upstream: httpx.Response, chunks: AsyncIterator[bytes], provider: str
) -> AsyncIterator[bytes]:
    try:
        with mapped_transport_errors(provider):
            async for chunk in chunks:
                yield chunk
    finally:
        await upstream.aclose()
