"""``HttpBackend``: an IR chat request served by one provider credential over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import aiohttp
import orjson

from mlx_manager.backends.base import Capabilities
from mlx_manager.backends.http.clients import ProviderClient
from mlx_manager.backends.http.dialects import Dialect
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS, IdleWatch, UpstreamTimeouts
from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.providers.catalogue import spec_for

JSON = "application/json"


class HttpBackend:
    capabilities = Capabilities()

    def __init__(
        self,
        *,
        client: ProviderClient,
        dialect: Dialect,
        timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        self._client = client
        self._dialect = dialect
        self._timeouts = timeouts
        self._spec = spec_for(client.provider.backend_type)
        self._headers = {**client.headers, "content-type": JSON}

    @property
    def name(self) -> str:
        return self._client.name

    def _body(self, request: ChatRequest, model: str, *, stream: bool) -> bytes:
        request = dataclasses.replace(request, stream=stream)
        return orjson.dumps(self._dialect.encode(request, model, self._spec))

    async def complete(self, request: ChatRequest, *, model: str) -> ChatResponse:
        content = self._body(request, model, stream=False)
        url = self._client.url(self._dialect.chat_path)
        with self._client.errors:
            async with self._client.session.post(
                url,
                data=content,
                headers=self._headers,
                timeout=self._timeouts.aiohttp,
                allow_redirects=False,
            ) as r:
                body = await r.read()
        if r.status >= 300:
            raise self._client.errors.from_status(r.status, r.headers, body)
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise self._client.errors.from_status(502, r.headers, body) from None
        with self._client.errors:
            return self._dialect.decode_response(parsed, provider=self.name)

    async def stream(self, request: ChatRequest, *, model: str) -> AsyncIterator[StreamEvent]:
        content = self._body(request, model, stream=True)
        url = self._client.url(self._dialect.chat_path)
        with self._client.errors:
            upstream = await self._client.session.post(
                url,
                data=content,
                headers=self._headers,
                timeout=self._timeouts.aiohttp,
                allow_redirects=False,
            )
        watch: IdleWatch | None = None
        try:
            with self._client.errors:
                if upstream.status >= 300:
                    body = await upstream.read()
                    raise self._client.errors.from_status(upstream.status, upstream.headers, body)
                if not upstream.headers.get("content-type", "").startswith("text/event-stream"):
                    body = await upstream.content.read(256 * 1024)
                    raise self._client.errors.from_status(502, upstream.headers, body)
                watch = IdleWatch(upstream, idle=self._timeouts.idle, provider=self.name)
                async for event in self._dialect.decode_stream(
                    _touching(upstream, watch), provider=self.name
                ):
                    yield event
        finally:
            if watch is not None:
                watch.stop()
            upstream.release()

    async def aclose(self) -> None:
        # The client belongs to ProviderClients, which outlives this backend.
        return None


async def _touching(upstream: aiohttp.ClientResponse, watch: IdleWatch) -> AsyncIterator[bytes]:
    async for chunk in upstream.content.iter_any():
        watch.touch()
        yield chunk
