"""Provider clients over an in-memory transport: no socket, a handler answers each request."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import orjson

from mlx_manager.backends.http.clients import ProviderClient, ProviderClients
from mlx_manager.backends.http.transport import MockRequest, MockResponse, MockTransport
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType
from tests.routing.factories import provider

KEY = "sk-canary-0123456789abcdef0123"
SSE = {"content-type": "text/event-stream"}
JSON = {"content-type": "application/json"}

Handler = Callable[[MockRequest], MockResponse]


def client_for(
    handler: Handler, *, api_type: ApiType = ApiType.OPENAI
) -> tuple[ProviderClient, MockTransport]:
    transports: list[MockTransport] = []

    def transport() -> MockTransport:
        transports.append(MockTransport(handler))
        return transports[-1]

    resolved = dataclasses.replace(
        provider(1, "up", backend_type=BackendType(api_type.value)),
        api_type=api_type,
        base_url="https://up.example",
        _api_key=KEY,
    )
    return ProviderClients(transport=transport).get(resolved), transports[0]


def json_reply(document: object, status: int = 200) -> MockResponse:
    return MockResponse(status=status, headers=JSON, chunks=[orjson.dumps(document)])


def sse(*events: object, split: int | None = None) -> MockResponse:
    data = b"".join(b"data: " + orjson.dumps(e) + b"\n\n" for e in events) + b"data: [DONE]\n\n"
    chunks = [data] if split is None else [data[:split], data[split:]]
    return MockResponse(headers=SSE, chunks=chunks)
