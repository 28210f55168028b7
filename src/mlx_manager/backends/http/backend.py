"""``HttpBackend``: an IR chat request served by one provider credential over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import orjson

from mlx_manager.backends.base import Capabilities
from mlx_manager.backends.http.dialects import Dialect
from mlx_manager.backends.http.errors import error_from_status, mapped_transport_errors
from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.providers.catalogue import spec_for
from mlx_manager.providers.directory import ResolvedProvider

JSON_HEADERS = {"content-type": "application/json"}


class HttpBackend:
    capabilities = Capabilities()

    def __init__(
        self, *, provider: ResolvedProvider, client: httpx.AsyncClient, dialect: Dialect
    ) -> None:
        self._provider = provider
        self._client = client
        self._dialect = dialect
        self._spec = spec_for(provider.backend_type)

    @property
    def name(self) -> str:
        return self._provider.name

    def _body(self, request: ChatRequest, model: str, *, stream: bool) -> bytes:
        request = dataclasses.replace(request, stream=stream)
        return orjson.dumps(self._dialect.encode(request, model, self._spec))

    async def complete(self, request: ChatRequest, *, model: str) -> ChatResponse:
        content = self._body(request, model, stream=False)
        with mapped_transport_errors(self.name):
            response = await self._client.post(
                self._dialect.chat_path, content=content, headers=JSON_HEADERS
            )
        if response.status_code >= 400:
            raise error_from_status(response, response.content, provider=self.name)
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise error_from_status(response, response.content, provider=self.name) from None
        return self._dialect.decode_response(body, provider=self.name)

    async def stream(self, request: ChatRequest, *, model: str) -> AsyncIterator[StreamEvent]:
        content = self._body(request, model, stream=True)
        with mapped_transport_errors(self.name):
            upstream = await self._client.send(
                self._client.build_request(
                    "POST", self._dialect.chat_path, content=content, headers=JSON_HEADERS
                ),
                stream=True,
            )
        try:
            if upstream.status_code >= 400:
                with mapped_transport_errors(self.name):
                    body = await upstream.aread()
                raise error_from_status(upstream, body, provider=self.name)
            with mapped_transport_errors(self.name):
                async for event in self._dialect.decode_stream(
                    upstream.aiter_bytes(), provider=self.name
                ):
                    yield event
        finally:
            await upstream.aclose()

    async def aclose(self) -> None:
        # The client belongs to ProviderClients, which outlives this backend.
        return None
