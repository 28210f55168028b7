"""Accounts and gateway keys on each database: the 0004 tables, sessions, last-used writes."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from mlx_manager.app import create_app
from mlx_manager.settings import Settings, to_sync_url
from mlx_manager.storage.migrate import upgrade_to, upgrade_to_head
from tests.accounts.helpers import client_as, sign_in, sign_up
from tests.conftest import ADMIN_TOKEN


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(to_sync_url(url))
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    return names


def test_0004_adds_the_tables_to_a_0003_database(database_url: str) -> None:
    upgrade_to(database_url, "0003")
    assert "users" not in _tables(database_url)
    upgrade_to_head(database_url)
    assert {"users", "user_sessions", "gateway_keys"} <= _tables(database_url)


async def test_accounts_and_keys_work_on_each_database(database_url: str, data_dir: Path) -> None:
    settings = Settings(
        data_dir=data_dir, database_url=database_url, secret_key="s", admin_token=ADMIN_TOKEN
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_as(app, ADMIN_TOKEN) as admin:
        async with client_as(app) as anonymous:
            assert (await sign_up(anonymous, "alice"))["role"] == "admin"
            assert (await sign_up(anonymous, "bob"))["status"] == "pending"
            token = await sign_in(anonymous, "alice")
        async with client_as(app, token) as alice:
            assert (await alice.get("/api/users")).status_code == 200
            assert (await alice.post("/api/auth/logout")).status_code == 204
            assert (await alice.get("/api/users")).status_code == 401
        key = (await admin.post("/api/keys", json={"name": "ci"})).json()
        state = app.state.mm
        assert state.keys.table.find(key["key"]) is not None
        await state.keys.admit(state.keys.table.find(key["key"]))
        await state.keys.flush()
        await state.keys.load()
        listed = (await admin.get("/api/keys")).json()["keys"]
        assert listed[0]["last_used_at"] is not None
        assert (await admin.delete("/api/users/2")).status_code == 204
        assert (await admin.delete("/api/users/1")).status_code == 409
