"""Provider clients: one transport per credential, replaced ones closed once idle, and the one
place where a post's failure becomes an error of the tree (status mapped, key taken out)."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
import pytest

from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS
from mlx_manager.backends.http.transport import MockRequest, MockResponse, MockTransport
from mlx_manager.errors import UpstreamError, UpstreamRateLimited, UpstreamUnavailable
from mlx_manager.protocols.table import ApiType
from tests.backends.http.conftest import KEY, client_for, json_reply
from tests.routing.factories import provider


async def test_replaced_transports_are_closed_once_idle_and_kept_while_relaying() -> None:
    made: list[MockTransport] = []

    def transport() -> MockTransport:
        made.append(MockTransport(lambda _: MockResponse(chunks=[b"x"])))
        return made[-1]

    clients = ProviderClients(transport=transport)
    current = provider(1, "p")
    first = clients.get(current)
    assert clients.get(current) is first  # unchanged credential: the same client
    relaying = await first.post("/v1/slow", b"{}", timeouts=DEFAULT_TIMEOUTS)
    # The credential changes while the first transport is still relaying a reply.
    current = dataclasses.replace(current, name="p-2")
    clients.get(current)
    assert clients.retired == 1 and not made[0].closed
    relaying.release()
    for n in range(300):
        clients.get(dataclasses.replace(current, name=f"p-{n + 3}"))
    await asyncio.sleep(0)
    assert clients.retired == 0
    assert all(t.closed for t in made[:-1])
    await clients.aclose()
    assert made[-1].closed


@pytest.mark.parametrize(
    ("api_type", "expected"),
    [
        (ApiType.OPENAI, {"Authorization": f"Bearer {KEY}"}),
        (ApiType.ANTHROPIC, {"x-api-key": KEY, "anthropic-version": "2023-06-01"}),
    ],
)
async def test_each_protocol_sends_its_own_auth_headers(
    api_type: ApiType, expected: dict[str, str]
) -> None:
    client, transport = client_for(lambda _: json_reply({}), api_type=api_type)
    reply = await client.post(
        "/v1/x", b"{}", timeouts=DEFAULT_TIMEOUTS, headers={"anthropic-beta": "b1"}
    )
    reply.release()
    sent = transport.requests[0]
    assert (sent.method, str(sent.url)) == ("POST", "https://up.example/v1/x")
    assert {k: sent.headers[k] for k in expected} == expected
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["anthropic-beta"] == "b1"


async def test_an_error_status_is_mapped_with_the_key_taken_out_and_the_reply_released() -> None:
    # Fragments of 8 characters and more are the key's too (providers echo a key's end).
    echo = {"error": {"message": f"bad key Bearer {KEY} (…{KEY[-8:]})"}}
    client, transport = client_for(lambda _: json_reply(echo, status=401))
    with pytest.raises(UpstreamError) as raised:
        await client.post("/v1/x", b"{}", timeouts=DEFAULT_TIMEOUTS)
    assert raised.value.upstream_status == 401
    assert KEY not in raised.value.message and KEY[-8:] not in raised.value.message
    assert transport.responses[0].released


async def test_429_keeps_retry_after() -> None:
    limited = MockResponse(status=429, headers={"retry-after": "7"}, chunks=[b"{}"])
    client, _ = client_for(lambda _: limited)
    with pytest.raises(UpstreamRateLimited) as raised:
        await client.post("/v1/x", b"{}", timeouts=DEFAULT_TIMEOUTS)
    assert raised.value.retry_after == 7


async def test_a_network_failure_is_an_unavailable_upstream() -> None:
    def refuse(_request: MockRequest) -> MockResponse:
        raise aiohttp.ClientConnectionError(f"connection refused (key {KEY})")

    client, _ = client_for(refuse)
    with pytest.raises(UpstreamUnavailable) as raised:
        await client.post("/v1/x", b"{}", timeouts=DEFAULT_TIMEOUTS)
    assert KEY not in raised.value.message
