"""Fixtures that build real things: settings on a temp SQLite file, the app, clients, upstreams."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
import uvicorn
from fastapi import FastAPI

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from tests.fakes.hub import FakeHub
from tests.fakes.upstream import FakeUpstream, free_port
from tests.tiny_model import build_tiny_model

ADMIN_TOKEN = "test-admin-token"
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret",
        admin_token=ADMIN_TOKEN,
        provider_test_timeout=1.0,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    # ASGITransport does not run the lifespan, so the fixture does.
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ) as c:
        yield c


@dataclass
class LiveServer:
    base_url: str
    app: FastAPI

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The real app under uvicorn on a loopback port, as clients and SDKs reach it."""
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    yield LiveServer(base_url=f"http://127.0.0.1:{port}", app=app)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards. Fails instead of skipping in CI."""
    if not _postgres_reachable():
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_DSN}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"mlxm_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def _redis_reachable() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server of this machine. Tests namespace their keys with a prefix of their own
    (``MLX_MANAGER_REDIS_PREFIX``) instead of flushing it. Fails instead of skipping in CI."""
    if not _redis_reachable():
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{data_dir / 'mlx-manager.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


# The repository the fake Hub serves the tiny model as.
TINY_REPO = "mlx-community/tiny-llama"


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model, built once per session: tests copy it or serve it, never change it."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-llama")


@pytest.fixture
def hub(tiny_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A fake Hub on loopback serving the tiny model as ``TINY_REPO``, and the app pointed at it."""
    server = FakeHub().start()
    server.add_repo(TINY_REPO, tiny_model_path)
    server.use(monkeypatch)
    yield server
    server.stop()


def local_model_settings(data_dir: Path, tmp_path: Path, **extra: object) -> Settings:
    """Settings for tests of local models: a Hub cache of the test's own."""
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret",
        admin_token=ADMIN_TOKEN,
        hf_cache=tmp_path / "hf",
        **extra,  # type: ignore[arg-type]
    )
