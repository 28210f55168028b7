"""Which models a provider offers, from its ``/v1/models``, cached for a while."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson

from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.timeouts import UpstreamTimeouts
from mlx_manager.providers.directory import ResolvedProvider

TTL_SECONDS = 300.0
FETCH_TIMEOUT = UpstreamTimeouts(connect=5.0, first_byte=5.0)


class ProviderModelLists:
    """Model ids per provider; a provider that fails to answer simply lists nothing."""

    def __init__(self, clients: ProviderClients) -> None:
        self._clients = clients
        self._cache: dict[int, tuple[ResolvedProvider, float, list[str]]] = {}

    async def models(self, providers: list[ResolvedProvider]) -> dict[str, list[str]]:
        lists = await asyncio.gather(*(self._models_of(p) for p in providers))
        return {p.name: models for p, models in zip(providers, lists, strict=True)}

    async def _models_of(self, provider: ResolvedProvider) -> list[str]:
        cached = self._cache.get(provider.id)
        now = time.monotonic()
        if cached is not None and cached[0] == provider and now - cached[1] < TTL_SECONDS:
            return cached[2]
        models = await self._fetch(provider)
        self._cache[provider.id] = (provider, now, models)
        return models

    async def _fetch(self, provider: ResolvedProvider) -> list[str]:
        if provider.key_unreadable:
            return []
        client = self._clients.get(provider)
        try:
            response = await client.transport.request(
                "GET",
                client.url("/v1/models"),
                body=None,
                headers=client.headers,
                timeouts=FETCH_TIMEOUT,
            )
            try:
                body = await response.read()
            finally:
                response.release()
            data = orjson.loads(body) if response.status == 200 else {}
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
            return []
        items = data.get("data", []) if isinstance(data, dict) else []
        return sorted(str(m["id"]) for m in items if isinstance(m, dict) and "id" in m)
