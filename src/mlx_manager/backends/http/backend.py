"""``HttpBackend``: an IR chat request served by one provider credential over HTTP, in the
provider's protocol (its row of ``protocols.table``)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import orjson

from mlx_manager.backends.base import Capabilities
from mlx_manager.backends.http.clients import ProviderClient
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS, IdleWatch, UpstreamTimeouts
from mlx_manager.backends.http.transport import UpstreamResponse
from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.protocols.table import PROTOCOLS, EncodeOptions

_MAX_HEAD = 256 * 1024


class HttpBackend:
    capabilities = Capabilities()

    def __init__(
        self,
        *,
        client: ProviderClient,
        options: EncodeOptions,
        timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        self._client = client
        self._protocol = PROTOCOLS[client.provider.api_type]
        self._options = options
        self._timeouts = timeouts

    @property
    def name(self) -> str:
        return self._client.name

    def _body(self, request: ChatRequest, model: str, *, stream: bool) -> bytes:
        request = dataclasses.replace(request, stream=stream)
        return orjson.dumps(
            self._protocol.encode_request(request, model=model, options=self._options)
        )

    async def complete(self, request: ChatRequest, *, model: str) -> ChatResponse:
        client = self._client
        upstream = await client.post(
            self._protocol.chat_path,
            self._body(request, model, stream=False),
            timeouts=self._timeouts,
            model=model,
        )
        try:
            with client.errors:
                body = await upstream.read()
        finally:
            upstream.release()
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise client.errors.from_status(502, upstream.headers, body) from None
        with client.errors:
            return self._protocol.decode_response(parsed, provider=self.name)

    async def stream(self, request: ChatRequest, *, model: str) -> AsyncIterator[StreamEvent]:
        client = self._client
        upstream = await client.post(
            self._protocol.chat_path,
            self._body(request, model, stream=True),
            timeouts=self._timeouts,
            model=model,
        )
        watch: IdleWatch | None = None
        try:
            with client.errors:
                if not upstream.headers.get("content-type", "").startswith("text/event-stream"):
                    body = await upstream.content.read(_MAX_HEAD)
                    raise client.errors.from_status(502, upstream.headers, body)
                watch = IdleWatch(upstream, idle=self._timeouts.idle, provider=self.name)
                async for event in self._protocol.decode_stream(
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


async def _touching(upstream: UpstreamResponse, watch: IdleWatch) -> AsyncIterator[bytes]:
    async for chunk in upstream.content.iter_any():
        watch.touch()
        yield chunk
