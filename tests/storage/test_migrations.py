"""Schema upgrades on SQLite and PostgreSQL, from empty and from the first (legacy) schema."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from mlx_manager.app import create_app
from mlx_manager.providers.secrets import KeyCipher
from mlx_manager.settings import Settings, to_sync_url
from mlx_manager.storage.migrate import head_revision, upgrade_to, upgrade_to_head
from tests.conftest import ADMIN_TOKEN

SECRET = "test-secret"
LEGACY_ROWS = [
    (1, "groq", "gsk_legacy_key_1111", None),
    (2, "openai_compatible", None, "http://vllm.internal:8000"),
    (5, "anthropic", "sk-ant-legacy-2222", None),
]


def _insert_legacy(url: str) -> None:
    cipher = KeyCipher(SECRET)
    now = datetime.now(UTC)
    engine = sa.create_engine(to_sync_url(url))
    with engine.begin() as conn:
        for row_id, backend_type, key, base_url in LEGACY_ROWS:
            conn.execute(
                sa.text(
                    "INSERT INTO cloud_credentials (id, backend_type, encrypted_api_key, base_url,"
                    " created_at, updated_at) VALUES (:id, :t, :k, :u, :c, :c)"
                ),
                {
                    "id": row_id,
                    "t": backend_type,
                    "k": cipher.encrypt(key) if key else None,
                    "u": base_url,
                    "c": now,
                },
            )
    engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(to_sync_url(url))
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    return names


@asynccontextmanager
async def _client(url: str, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key=SECRET, admin_token=ADMIN_TOKEN
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as client,
    ):
        yield client


async def _check_legacy_rows_survive(url: str, data_dir: Path) -> None:
    async with _client(url, data_dir) as client:
        listed = (await client.get("/api/settings/providers")).json()["providers"]
        assert [(p["id"], p["name"], p["backend_type"], p["api_type"]) for p in listed] == [
            (1, "groq", "groq", "openai"),
            (2, "openai_compatible", "openai_compatible", "openai"),
            (5, "anthropic", "anthropic", "anthropic"),
        ]
        assert [p["key_last4"] for p in listed] == ["1111", None, "2222"]
        assert listed[1]["base_url"] == "http://vllm.internal:8000"
        state = client._transport.app.state.mm  # type: ignore[attr-defined]
        assert state.providers.directory.get(1).api_key() == "gsk_legacy_key_1111"
        # The old unique backend_type is gone: a second Groq credential now fits beside the first.
        second = await client.post(
            "/api/settings/providers", json={"name": "groq-2", "backend_type": "groq"}
        )
        assert second.status_code == 201, second.text
        assert second.json()["id"] not in (1, 2, 5)


async def test_empty_database_upgrades_to_head(database_url: str) -> None:
    upgrade_to_head(database_url)
    assert {"providers", "alembic_version"} <= _tables(database_url)
    assert "cloud_credentials" not in _tables(database_url)
    upgrade_to_head(database_url)  # idempotent


async def test_legacy_schema_upgrades_in_place(database_url: str, data_dir: Path) -> None:
    upgrade_to(database_url, "0001")
    _insert_legacy(database_url)
    await _check_legacy_rows_survive(database_url, data_dir)


async def test_legacy_schema_without_version_table_upgrades(
    database_url: str, data_dir: Path
) -> None:
    upgrade_to(database_url, "0001")
    engine = sa.create_engine(to_sync_url(database_url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    engine.dispose()
    _insert_legacy(database_url)
    await _check_legacy_rows_survive(database_url, data_dir)


async def test_credentials_crud_on_each_database(database_url: str, data_dir: Path) -> None:
    async with _client(database_url, data_dir) as client:
        api = "/api/settings/providers"
        a = (
            await client.post(
                api, json={"name": "a", "backend_type": "groq", "api_key": "gsk_aaaaaaaa1234"}
            )
        ).json()
        b = await client.post(api, json={"name": "b", "backend_type": "groq"})
        assert b.status_code == 201
        assert (
            await client.post(api, json={"name": "a", "backend_type": "mistral"})
        ).status_code == 409
        renamed = await client.patch(f"{api}/{a['id']}", json={"name": "a2"})
        assert renamed.json()["key_last4"] == "1234"
        assert (await client.delete(f"{api}/{b.json()['id']}")).status_code == 204
    # A restart reads everything back from storage.
    async with _client(database_url, data_dir) as client:
        listed = (await client.get("/api/settings/providers")).json()["providers"]
        assert [(p["name"], p["has_key"]) for p in listed] == [("a2", True)]


def test_head_revision_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "mlx_manager.storage:migrations")
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


async def test_replicas_migrating_together_do_not_race(postgres_url: str) -> None:
    # Four starts at once on an empty database: one migrates, the rest wait and find it done.
    await asyncio.gather(*(asyncio.to_thread(upgrade_to_head, postgres_url) for _ in range(4)))
    assert {"providers", "request_log"} <= _tables(postgres_url)


def test_0008_keeps_rows_and_adds_costs(database_url: str) -> None:
    # Rows from before costs were kept: nothing is priced, nothing is estimated, no overrides.
    upgrade_to(database_url, "0007")
    engine = sa.create_engine(to_sync_url(database_url))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO providers (name, backend_type, created_at, updated_at)"
                " VALUES ('p', 'groq', :c, :c)"
            ),
            {"c": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO request_log (created_at, request_id, endpoint, protocol, attempts,"
                " stream, status, latency_ms, input_tokens, output_tokens)"
                " VALUES (:c, 'r1', '/v1/chat/completions', 'openai', 1, false, 200, 1.5, 3, 4)"
            ),
            {"c": now},
        )
    upgrade_to_head(database_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT input_tokens, cache_read_tokens, tokens_estimated, cost_usd, priced"
                " FROM request_log"
            )
        ).one()
        prices = conn.execute(sa.text("SELECT prices FROM providers")).scalar_one()
    engine.dispose()
    assert tuple(row) == (3, None, False, None, None)
    assert prices is None
