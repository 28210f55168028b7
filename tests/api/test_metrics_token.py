"""``/metrics`` behind a token: scrapers that present it are served, anyone else gets a 401 that
says what to send, and the default stays open (documented in docs/security.md)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from mlx_manager.app import create_app
from mlx_manager.settings import Settings

TOKEN = "scrape-me-0123456789"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})


async def test_metrics_need_the_token_when_one_is_set(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}):
        refused = await client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        assert "MLX_MANAGER_METRICS_TOKEN" in refused.json()["detail"]
        assert TOKEN not in refused.text
    served = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert served.status_code == 200
    assert "mlx_manager_requests_total" in served.text


async def test_metrics_are_open_by_default(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"metrics_token": None}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            assert (await c.get("/metrics")).status_code == 200
