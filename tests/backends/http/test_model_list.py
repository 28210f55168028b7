"""Provider model lists against fake upstreams on loopback: what is read from each list shape,
what a provider without a list and one that is down report, and the cache's refresh rules."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest

from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.model_list import ListStatus, Price, ProviderModelLists
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.directory import ResolvedProvider
from tests.fakes.upstream import FakeUpstream, Reply, closed_port_url

KEY = "sk-list-canary-0123456789abcdef"


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture
async def lists() -> AsyncIterator[ProviderModelLists]:
    clients = ProviderClients()
    model_lists = ProviderModelLists(clients)
    yield model_lists
    await model_lists.aclose()
    await clients.aclose()


def provider(
    base_url: str,
    *,
    provider_id: int = 1,
    backend_type: BackendType = BackendType.OPENAI_COMPATIBLE,
    api_type: ApiType = ApiType.OPENAI,
) -> ResolvedProvider:
    return ResolvedProvider(
        id=provider_id,
        name=f"p{provider_id}",
        backend_type=backend_type,
        api_type=api_type,
        base_url=base_url,
        has_key=True,
        key_unreadable=False,
        _api_key=KEY,
    )


def listing_calls(upstream: FakeUpstream) -> int:
    return sum(1 for r in upstream.received if r.path == "/v1/models")


async def test_an_openai_list_is_read_with_context_length_and_price(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    upstream.reply(
        "/v1/models",
        Reply(
            json={
                "object": "list",
                "data": [
                    {"id": "b-model", "created": 1700000000, "context_length": 131072},
                    # OpenRouter's prices: USD per token, as strings.
                    {
                        "id": "a-model",
                        "name": "A Model",
                        "pricing": {"prompt": "0.000003", "completion": "0.000015"},
                        "context_window": 8192,
                    },
                    # Together's: USD per million tokens.
                    {"id": "c-model", "pricing": {"input": 0.2, "output": 0.6}},
                    {"id": "variable", "pricing": {"prompt": "-1", "completion": "-1"}},
                    {"id": ""},
                    {"no": "id"},
                    "junk",
                ],
            }
        ),
    )
    listing = await lists.get(provider(upstream.base_url))
    assert listing.status is ListStatus.OK
    by_id = {m.id: m for m in listing.models}
    assert list(by_id) == ["a-model", "b-model", "c-model", "variable"]
    assert by_id["a-model"].display_name == "A Model"
    assert by_id["a-model"].context_length == 8192
    assert by_id["a-model"].price == Price(3.0, 15.0)
    assert by_id["b-model"].created == 1700000000
    assert by_id["b-model"].context_length == 131072
    assert by_id["c-model"].price == Price(0.2, 0.6)
    assert by_id["variable"].price is None
    sent = upstream.received[-1]
    assert sent.method == "GET"
    assert sent.headers["authorization"] == f"Bearer {KEY}"


async def test_an_anthropic_list_is_read_page_after_page(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    def page(received: object) -> Reply:
        assert hasattr(received, "query")
        if "after_id=claude-b" in received.query:
            return Reply(json={"data": [{"id": "claude-c"}], "has_more": False})
        return Reply(
            json={
                "data": [
                    {
                        "type": "model",
                        "id": "claude-a",
                        "display_name": "Claude A",
                        "created_at": "2025-02-19T00:00:00Z",
                    },
                    {"type": "model", "id": "claude-b"},
                ],
                "has_more": True,
                "first_id": "claude-a",
                "last_id": "claude-b",
            }
        )

    upstream.reply("/v1/models", Reply(respond=page))
    resolved = provider(
        upstream.base_url, backend_type=BackendType.ANTHROPIC_COMPATIBLE, api_type=ApiType.ANTHROPIC
    )
    listing = await lists.get(resolved)
    assert [m.id for m in listing.models] == ["claude-a", "claude-b", "claude-c"]
    assert listing.models[0].display_name == "Claude A"
    assert listing.models[0].created == 1739923200
    assert listing_calls(upstream) == 2
    assert upstream.received[0].headers["x-api-key"] == KEY
    assert "anthropic-version" in upstream.received[0].headers


async def test_a_provider_whose_protocol_has_no_list_is_never_asked(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    # DeepSeek lists models over OpenAI's protocol, not over Anthropic's.
    resolved = provider(
        upstream.base_url, backend_type=BackendType.DEEPSEEK, api_type=ApiType.ANTHROPIC
    )
    listing = await lists.get(resolved)
    assert listing.status is ListStatus.UNLISTED
    assert listing.models == ()
    assert listing.error is not None and "DeepSeek" in listing.error
    assert upstream.received == []


async def test_a_provider_answering_404_has_no_list(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    listing = await lists.get(provider(upstream.base_url))  # nothing scripted: a 404
    assert listing.status is ListStatus.UNLISTED
    assert listing.error is not None and "404" in listing.error


async def test_a_provider_that_is_down_is_unavailable_and_keeps_what_it_listed(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    down = await lists.get(provider(closed_port_url()))
    assert down.status is ListStatus.UNAVAILABLE
    assert down.models == ()
    assert down.error
    upstream.reply(
        "/v1/models",
        Reply(json={"data": [{"id": "m1"}]}),
        Reply(status=500, json={"error": {"message": f"boom, key {KEY}"}}),
    )
    resolved = provider(upstream.base_url, provider_id=2)
    assert [m.id for m in (await lists.get(resolved)).models] == ["m1"]
    failed = await lists.get(resolved, refresh=True)
    assert failed.status is ListStatus.UNAVAILABLE
    assert [m.id for m in failed.models] == ["m1"]
    assert failed.error is not None and KEY not in failed.error


async def test_a_list_that_is_not_json_is_unavailable(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    upstream.reply("/v1/models", Reply(text="<html>proxy error</html>"))
    listing = await lists.get(provider(upstream.base_url))
    assert listing.status is ListStatus.UNAVAILABLE
    assert listing.error is not None and "not JSON" in listing.error


async def test_a_list_is_cached_until_refreshed_and_askers_share_one_fetch(
    upstream: FakeUpstream, lists: ProviderModelLists
) -> None:
    upstream.reply(
        "/v1/models",
        Reply(json={"data": [{"id": "old"}]}, delay=0.2),
        Reply(json={"data": [{"id": "new"}]}),
    )
    resolved = provider(upstream.base_url)
    together = await asyncio.gather(*(lists.get(resolved) for _ in range(5)))
    assert {t.models[0].id for t in together} == {"old"}
    assert listing_calls(upstream) == 1
    assert (await lists.get(resolved)).models[0].id == "old"
    assert listing_calls(upstream) == 1
    assert (await lists.get(resolved, refresh=True)).models[0].id == "new"
    assert listing_calls(upstream) == 2
    # A changed credential is another list.
    changed = dataclasses.replace(resolved, _api_key="sk-other")
    assert lists.cached(changed) is None


async def test_current_serves_stale_lists_and_waits_only_briefly_for_a_first_one(
    upstream: FakeUpstream,
) -> None:
    now = [0.0]
    clients = ProviderClients()
    lists = ProviderModelLists(clients, ttl=10, clock=lambda: now[0])
    try:
        upstream.reply(
            "/v1/models",
            Reply(json={"data": [{"id": "first"}]}),
            Reply(json={"data": [{"id": "second"}]}, delay=0.5),
        )
        resolved = provider(upstream.base_url)
        found = await lists.current([resolved], wait=2)
        assert found[resolved.id].models[0].id == "first"
        now[0] = 11.0  # stale: served as it is, fetched again behind
        found = await lists.current([resolved], wait=2)
        assert found[resolved.id].models[0].id == "first"
        await asyncio.sleep(0.8)
        assert (await lists.current([resolved], wait=2))[resolved.id].models[0].id == "second"
        slow = FakeUpstream().start()
        try:
            slow.reply("/v1/models", Reply(json={"data": [{"id": "late"}]}, delay=0.5))
            cold = provider(slow.base_url, provider_id=2)
            found = await lists.current([resolved, cold], wait=0.05)
            assert cold.id not in found  # left out, not waited for
            await asyncio.sleep(0.8)
            assert lists.cached(cold) is not None
        finally:
            slow.stop()
        # A provider gone from the directory is forgotten.
        lists.retain([cold.id])
        assert lists.cached(resolved) is None
        assert lists.cached(cold) is not None
    finally:
        await lists.aclose()
        await clients.aclose()
