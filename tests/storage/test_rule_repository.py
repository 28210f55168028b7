"""Routing rules in storage on SQLite and PostgreSQL: migration 0003, queries, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from mlx_manager.app import create_app
from mlx_manager.settings import Settings, to_async_url, to_sync_url
from mlx_manager.storage import rule_repository as repo
from mlx_manager.storage.database import create_engine, session_factory
from mlx_manager.storage.migrate import upgrade_to, upgrade_to_head
from mlx_manager.storage.tables import RuleRow
from tests.conftest import ADMIN_TOKEN

API = "/api/settings/rules"


@asynccontextmanager
async def _client(url: str, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key="test-secret", admin_token=ADMIN_TOKEN
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


def _columns(url: str) -> set[str]:
    engine = sa.create_engine(to_sync_url(url))
    with engine.connect() as conn:
        names = {c["name"] for c in sa.inspect(conn).get_columns("routing_rules")}
    engine.dispose()
    return names


async def test_migration_0003_adds_the_rules_table(database_url: str) -> None:
    upgrade_to(database_url, "0002")
    upgrade_to_head(database_url)
    assert _columns(database_url) == {
        "id",
        "pattern",
        "pattern_type",
        "targets",
        "strategy",  # from 0006
        "enabled",
        "priority",
        "description",
        "created_at",
        "updated_at",
    }


async def test_rules_survive_a_restart_after_upgrading_from_0002(
    database_url: str, data_dir: Path
) -> None:
    upgrade_to(database_url, "0002")
    engine = sa.create_engine(to_sync_url(database_url))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO providers (id, name, backend_type, api_type, base_url,"
                " encrypted_api_key, key_last4, created_at, updated_at)"
                " VALUES (4, 'vllm', 'openai_compatible', 'openai', 'http://h', NULL, NULL, :c, :c)"
            ),
            {"c": datetime.now(UTC)},
        )
    engine.dispose()
    async with _client(database_url, data_dir) as client:
        body = {"pattern_type": "exact", "description": "ü ✓"}
        first = await client.post(
            API,
            json={
                **body,
                "pattern": "a",
                "targets": [{"provider": 4, "model": "m"}, {"provider": "local"}],
            },
        )
        assert first.status_code == 201, first.text
        second = await client.post(
            API, json={**body, "pattern": "b", "enabled": False, "targets": [{"provider": "local"}]}
        )
        order = await client.put(
            f"{API}/order", json={"ids": [second.json()["id"], first.json()["id"]]}
        )
        assert order.status_code == 200
        before = (await client.get(API)).json()["rules"]
    async with _client(database_url, data_dir) as client:
        after = (await client.get(API)).json()["rules"]
        assert after == before
        assert [(r["pattern"], r["enabled"], r["priority"]) for r in after] == [
            ("b", False, 0),
            ("a", True, 1),
        ]
        target = after[1]["targets"][0]
        assert {k: target[k] for k in ("provider", "model", "provider_name", "usable")} == {
            "provider": 4,
            "model": "m",
            "provider_name": "vllm",
            "usable": True,
        }
        # Rules from before strategies fail over in order, with weight 1 and default timeouts.
        assert after[1]["strategy"] == "ordered"
        assert (target["weight"], target["first_byte_timeout"]) == (1, None)
        assert after[1]["targets"][1]["provider"] == "local"
        assert after[1]["description"] == "ü ✓"


async def test_repository_order_and_next_priority(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_engine(to_async_url(database_url))
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            assert await repo.next_priority(session) == 0
            rows = [
                await repo.save(
                    session,
                    RuleRow(
                        pattern=p,
                        pattern_type="exact",
                        targets=[{"provider": "local"}],
                        priority=await repo.next_priority(session),
                    ),
                )
                for p in ("x", "y", "z")
            ]
            assert [r.priority for r in rows] == [0, 1, 2]
            assert rows[0].enabled is True
            assert rows[0].description == ""
            await repo.set_order(session, [rows[2].id, rows[0].id, rows[1].id])
            listed = await repo.list_all(session)
            assert [r.pattern for r in listed] == ["z", "x", "y"]
            assert await repo.next_priority(session) == 3
            await repo.delete(session, listed[0])
            assert [r.pattern for r in await repo.list_all(session)] == ["x", "y"]
    finally:
        await engine.dispose()
