"""``GET /health`` and ``GET /ready``: ready only when storage answers at the latest schema."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from mlx_manager.storage.database import create_engine
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.upstream import free_port


async def test_health_and_ready_need_no_token(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as anonymous:
        assert (await anonymous.get("/health")).json() == {"status": "ok"}
        ready = await anonymous.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_not_ready_when_storage_is_unreachable(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    readiness = app.state.mm.observer.readiness
    unreachable = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    readiness.engine, working = unreachable, readiness.engine
    try:
        response = await client.get("/ready")
    finally:
        readiness.engine = working
        await unreachable.dispose()
    assert response.status_code == 503
    assert response.json()["detail"] == "The database is unreachable (OperationalError)."
    assert (await client.get("/ready")).status_code == 200


async def test_not_ready_when_the_schema_is_behind(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with app.state.mm.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '0004'"))
    response = await client.get("/ready")
    assert response.status_code == 503
    assert "schema is at 0004" in response.json()["detail"]
    assert "mlx-manager migrate" in response.json()["detail"]


@pytest.mark.slow
async def test_ready_answers_within_a_second_while_the_database_is_frozen(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # A server that accepts connections and never answers: no PostgreSQL behind it at all.
    frozen = TcpProxy(("127.0.0.1", free_port())).start()
    frozen.freeze()
    readiness = app.state.mm.observer.readiness
    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{frozen.port}/none", timeout=1)
    readiness.engine, working = engine, readiness.engine
    try:
        started = time.monotonic()
        answers = await asyncio.gather(*(client.get("/ready") for _ in range(5)))
        took = time.monotonic() - started
        # One check at a time: the five probes joined the one in flight.
        assert frozen.accepted == 1
        await asyncio.sleep(2.5)  # the check gives up (libpq's least connect timeout, 2 s)
        later = await client.get("/ready")
    finally:
        readiness.engine = working
        await engine.dispose()
        frozen.close()
    # The 0.8 s bound, with slack for a loaded machine's scheduling.
    assert took < 1.25, took
    for response in [*answers, later]:
        assert response.status_code == 503
        assert response.json()["detail"] == "The database has not answered within 0.8 s."
    assert frozen.accepted == 2
    # Back on the working database: ready again once the check still bound for the frozen one
    # has given up.
    for _ in range(50):
        if (await client.get("/ready")).status_code == 200:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("not ready again within 5 s of the database coming back")
