"""A stopped and a frozen PostgreSQL: every route that needs the database answers 503 in its own
shape within the database timeout, ``/ready`` answers within a second and says why, and all of
it recovers once the database is back. The database sits behind a TCP proxy of the test's own,
so only this test's connections are stopped or frozen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from mlx_manager.settings import Settings
from tests.accounts.helpers import client_as, sign_in, sign_up
from tests.fakes.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TIMEOUT = 1.0
# /ready's 0.8 s bound, with slack for a loaded machine's scheduling.
READY_WITHIN = 1.25
CHAT = {"model": "nowhere/x", "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {**CHAT, "max_tokens": 10}


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    server = TcpProxy(("127.0.0.1", 5432)).start()
    yield server
    server.close()


@pytest.fixture
def settings(settings: Settings, postgres_url: str, proxy: TcpProxy) -> Settings:
    url = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    return settings.model_copy(update={"database_url": url, "database_timeout": TIMEOUT})


@pytest.fixture
async def session_token(app: FastAPI, client: httpx.AsyncClient) -> str:
    """A UI session, with a gateway key in existence so ``/v1`` checks who is calling."""
    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        token = await sign_in(anonymous, "alice")
    assert (await client.post("/api/keys", json={"name": "ci"})).status_code == 201
    return token


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    async with asyncio.timeout(30):  # a hang fails the test instead of stalling the run
        response = await request
    return response, time.monotonic() - started


async def assert_unavailable(
    app: FastAPI, client: httpx.AsyncClient, token: str, *, within: float, every_route: bool
) -> None:
    admin, took = await timed(client.get("/api/users"))
    assert admin.status_code == 503, admin.text
    assert admin.json()["code"] == "database_unavailable"
    assert "try again" in admin.json()["detail"]
    assert admin.headers["retry-after"] == "5"
    assert took < within, took
    # The playground's calls: the session rides as the cookie, as in the browser.
    async with client_as(app, base_url="http://testserver") as browser:
        browser.cookies.set("mlx_manager_session", token)
        chat, took = await timed(browser.post("/v1/chat/completions", json=CHAT))
        assert chat.status_code == 503, chat.text
        assert chat.json()["error"]["code"] == "database_unavailable"
        assert chat.json()["error"]["type"] == "server_error"
        assert took < within, took
        if not every_route:
            return
        messages, _ = await timed(browser.post("/v1/messages", json=MESSAGES))
        assert messages.status_code == 503, messages.text
        assert messages.json()["type"] == "error"
        assert messages.json()["error"]["type"] == "overloaded_error"
        models, _ = await timed(browser.get("/v1/models"))
        assert models.status_code == 503, models.text
        assert models.json()["error"]["code"] == "database_unavailable"
    # A session as a bearer token, as scripts send it.
    async with client_as(app, token) as script:
        me, _ = await timed(script.get("/api/auth/me"))
        assert me.status_code == 503, me.text


async def assert_served(app: FastAPI, client: httpx.AsyncClient, token: str) -> None:
    assert (await client.get("/api/users")).status_code == 200
    async with client_as(app, token) as script:
        chat = await script.post("/v1/chat/completions", json=CHAT)
        assert chat.status_code == 404, chat.text  # served: no such model, not the database
    ready, _ = await timed(client.get("/ready"))
    assert ready.status_code == 200, ready.text


async def test_a_stopped_database(
    app: FastAPI, client: httpx.AsyncClient, proxy: TcpProxy, session_token: str
) -> None:
    await assert_served(app, client, session_token)
    proxy.stop()
    try:
        await assert_unavailable(app, client, session_token, within=TIMEOUT, every_route=True)
        ready, took = await timed(client.get("/ready"))
        assert took < READY_WITHIN, took
        assert ready.status_code == 503
        assert ready.json()["detail"] == "The database is unreachable (OperationalError)."
    finally:
        proxy.resume()
    await assert_served(app, client, session_token)


async def test_a_frozen_database(
    app: FastAPI, client: httpx.AsyncClient, proxy: TcpProxy, session_token: str
) -> None:
    await assert_served(app, client, session_token)
    proxy.freeze()
    try:
        ready, took = await timed(client.get("/ready"))
        assert took < READY_WITHIN, took
        assert ready.status_code == 503
        assert ready.json()["detail"] == "The database has not answered within 0.8 s."
        # A pooled connection's check, then a new connection: each bounded by the timeout
        # (connecting by libpq's least, 2 s) plus a second's grace.
        await assert_unavailable(
            app, client, session_token, within=TIMEOUT + 1 + 2 + 1, every_route=False
        )
        # While the first check still waits, the next /ready joins it instead of piling up.
        again, took = await timed(client.get("/ready"))
        assert (again.status_code, took < READY_WITHIN) == (503, True)
    finally:
        proxy.resume()
    await assert_served(app, client, session_token)
