"""Which models a provider offers, from its ``/v1/models``, cached for a while."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson

from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.providers.directory import ResolvedProvider

TTL_SECONDS = 300.0
FETCH_TIMEOUT = 5.0


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
        try:
            response = await self._clients.get(provider).get("/v1/models", timeout=FETCH_TIMEOUT)
            data = orjson.loads(response.content) if response.status_code == 200 else {}
        except (httpx.HTTPError, orjson.JSONDecodeError):
            return []
        items = data.get("data", []) if isinstance(data, dict) else []
        return sorted(str(m["id"]) for m in items if isinstance(m, dict) and "id" in m)
