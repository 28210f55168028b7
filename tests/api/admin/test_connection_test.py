"""Connection tests against a fake upstream on loopback: OK, 401, 403, unreachable, timeout,
a redirect, and a stored key that must not follow a changed base URL."""

from __future__ import annotations

import sqlite3

import httpx
from fastapi import FastAPI

from mlx_manager.settings import Settings
from tests.fakes.upstream import FakeUpstream, Reply, closed_port_url

API = "/api/settings/providers"
MODELS = {"object": "list", "data": [{"id": "llama-3.1-8b"}, {"id": "gemma-2"}]}


async def saved(client: httpx.AsyncClient, **body: object) -> int:
    response = await client.post(API, json=body)
    assert response.status_code == 201, response.text
    provider_id: int = response.json()["id"]
    return provider_id


async def test_openai_type_ok_with_bearer_auth(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply("/v1/models", Reply(json=MODELS))
    pid = await saved(
        client,
        name="vllm",
        backend_type="openai_compatible",
        base_url=upstream.base_url + "/v1/",
        api_key="sk-test-1234567890",
    )
    result = (await client.post(f"{API}/{pid}/test")).json()
    assert result["ok"] is True
    assert result["status"] == 200
    assert result["models"] == ["gemma-2", "llama-3.1-8b"]
    assert result["error"] is None
    assert result["latency_ms"] >= 0
    request = upstream.received[-1]
    assert request.path == "/v1/models"
    assert request.headers["authorization"] == "Bearer sk-test-1234567890"
    assert "x-api-key" not in request.headers


async def test_anthropic_type_sends_x_api_key_and_version(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply("/v1/models", Reply(json={"data": [{"id": "claude-x"}], "has_more": False}))
    pid = await saved(
        client,
        name="claude-proxy",
        backend_type="anthropic_compatible",
        base_url=upstream.base_url,
        api_key="sk-ant-123456789",
    )
    result = (await client.post(f"{API}/{pid}/test")).json()
    assert result["ok"] is True and result["models"] == ["claude-x"]
    headers = upstream.received[-1].headers
    assert headers["x-api-key"] == "sk-ant-123456789"
    assert headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers


async def test_no_key_sends_no_auth_header(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply("/v1/models", Reply(json=MODELS))
    pid = await saved(
        client, name="open", backend_type="openai_compatible", base_url=upstream.base_url
    )
    assert (await client.post(f"{API}/{pid}/test")).json()["ok"] is True
    assert "authorization" not in upstream.received[-1].headers


async def test_bad_key_and_forbidden_have_human_messages(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply(
        "/v1/models",
        Reply(status=401, json={"error": {"message": "bad key"}}),
        Reply(status=403, json={"error": {"message": "nope"}}),
    )
    pid = await saved(
        client,
        name="u",
        backend_type="openai_compatible",
        base_url=upstream.base_url,
        api_key="k" * 12,
    )
    unauthorized = (await client.post(f"{API}/{pid}/test")).json()
    assert unauthorized["ok"] is False and unauthorized["status"] == 401
    assert "rejected the API key" in unauthorized["error"]
    forbidden = (await client.post(f"{API}/{pid}/test")).json()
    assert forbidden["status"] == 403 and "Forbidden" in forbidden["error"]


async def test_unreachable(client: httpx.AsyncClient) -> None:
    url = closed_port_url()
    result = (
        await client.post(
            f"{API}/test", json={"backend_type": "openai_compatible", "base_url": url}
        )
    ).json()
    assert result == {
        "ok": False,
        "status": None,
        "latency_ms": result["latency_ms"],
        "models": [],
        "error": f"Could not connect to {url}: unreachable.",
    }


async def test_timeout(client: httpx.AsyncClient, upstream: FakeUpstream) -> None:
    upstream.reply("/v1/models", Reply(json=MODELS, delay=3))
    result = (
        await client.post(
            f"{API}/test",
            json={"backend_type": "anthropic_compatible", "base_url": upstream.base_url},
        )
    ).json()
    assert result["ok"] is False
    assert "timeout" in result["error"]
    assert 900 <= result["latency_ms"] < 3000


async def test_unsaved_test_is_validated_like_a_save(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/test", json={"backend_type": "openai_compatible"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "base_url"]
    assert (await client.get(API)).json()["providers"] == []


async def test_a_stored_key_is_not_sent_to_a_new_host(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    """The attack: point a saved provider elsewhere without its key, then test it."""
    elsewhere = FakeUpstream().start()
    try:
        upstream.reply("/v1/models", Reply(json=MODELS))
        elsewhere.reply("/v1/models", Reply(json=MODELS))
        pid = await saved(
            client,
            name="vllm",
            backend_type="openai_compatible",
            base_url=upstream.base_url,
            api_key="sk-stored-0123456789",
        )
        moved = await client.patch(f"{API}/{pid}", json={"base_url": elsewhere.base_url})
        assert moved.status_code == 422
        assert moved.json()["detail"][0]["loc"] == ["body", "api_key"]
        assert (await client.post(f"{API}/{pid}/test")).json()["ok"] is True
        assert elsewhere.received == []
        assert upstream.received[-1].headers["authorization"] == "Bearer sk-stored-0123456789"
    finally:
        elsewhere.stop()


async def test_a_redirect_is_reported_not_followed(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply(
        "/v1/models", Reply(status=302, json={}, headers={"location": "http://127.0.0.1:9/x"})
    )
    result = (
        await client.post(
            f"{API}/test",
            json={
                "backend_type": "openai_compatible",
                "base_url": upstream.base_url,
                "api_key": "sk-stored-0123456789",
            },
        )
    ).json()
    assert result["ok"] is False and result["status"] == 302
    assert "redirects are not followed" in result["error"]
    assert [r.path for r in upstream.received] == ["/v1/models"]


async def test_a_stored_url_that_cannot_be_called_is_reported(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Rows saved before such URLs were refused answer a report, not a 500."""
    pid = await saved(client, name="old", backend_type="openai_compatible", base_url="http://h")
    with sqlite3.connect(settings.sqlite_path) as db:
        db.execute("UPDATE providers SET base_url = ? WHERE id = ?", ("http://h\r\nx", pid))
    await app.state.mm.providers.load()
    response = await client.post(f"{API}/{pid}/test")
    assert response.status_code == 200
    assert response.json()["ok"] is False and "InvalidURL" in response.json()["error"]
