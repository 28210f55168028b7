"""One long-lived HTTP client per credential, rebuilt only when the credential changes."""

from __future__ import annotations

import httpx

from mlx_manager.providers.connection_test import auth_headers
from mlx_manager.providers.directory import ResolvedProvider

# Generation can take minutes before the last token; connecting should not.
TIMEOUT = httpx.Timeout(connect=10.0, read=600.0, write=60.0, pool=30.0)
LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=128, keepalive_expiry=60)


class ProviderClients:
    """Clients keyed by provider id. ``transport`` is the test seam (``httpx.MockTransport``)."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._clients: dict[int, tuple[ResolvedProvider, httpx.AsyncClient]] = {}
        # Replaced clients may still be relaying a stream, so they are closed at shutdown only.
        self._retired: list[httpx.AsyncClient] = []

    def get(self, provider: ResolvedProvider) -> httpx.AsyncClient:
        entry = self._clients.get(provider.id)
        if entry is not None and entry[0] == provider:
            return entry[1]
        client = httpx.AsyncClient(
            base_url=provider.base_url,
            headers=auth_headers(provider.api_type, provider.api_key()),
            timeout=TIMEOUT,
            limits=LIMITS,
            transport=self._transport,
            follow_redirects=False,
        )
        self._clients[provider.id] = (provider, client)
        if entry is not None:
            self._retired.append(entry[1])
        return client

    async def aclose(self) -> None:
        for client in [c for _, c in self._clients.values()] + self._retired:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
