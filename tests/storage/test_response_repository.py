"""Stored Responses API responses on SQLite and PostgreSQL: migration 0007, the queries by id
and owner, pruning, and the store that writes them off the request path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.gateway.stored_responses import ResponseStore, Stored
from mlx_manager.settings import to_async_url, to_sync_url
from mlx_manager.storage import response_repository as repo
from mlx_manager.storage.database import create_engine, session_factory
from mlx_manager.storage.migrate import upgrade_to, upgrade_to_head
from mlx_manager.storage.tables import StoredResponseRow

RESPONSE: dict[str, object] = {
    "id": "resp_1",
    "object": "response",
    "model": "m",
    "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text"}]}],
    "usage": {"input_tokens": 3, "output_tokens": 2},
}


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    upgrade_to_head(database_url)
    engine = create_engine(to_async_url(database_url))
    yield session_factory(engine)
    await engine.dispose()


def _row(id_: str, owner: str, *, age: timedelta = timedelta()) -> StoredResponseRow:
    return StoredResponseRow(
        id=id_,
        owner=owner,
        created_at=datetime.now(UTC) - age,
        model="m",
        response={**RESPONSE, "id": id_},
        input_items=[{"id": "msg_1", "type": "message", "role": "user", "content": "hi"}],
        history=[],
    )


def test_migration_0007_adds_the_table(database_url: str) -> None:
    upgrade_to(database_url, "0006")
    upgrade_to_head(database_url)
    engine = sa.create_engine(to_sync_url(database_url))
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("stored_responses")}
    engine.dispose()
    assert columns == {
        "id",
        "owner",
        "created_at",
        "model",
        "response",
        "input_items",
        "history",
    }


async def test_a_response_is_its_owners_alone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await repo.insert(session, _row("resp_a", "key:1"))
    async with sessions() as session:
        row = await repo.get(session, "resp_a", owner="key:1")
        assert row is not None and row.response["usage"] == RESPONSE["usage"]
        assert row.input_items[0] == {
            "id": "msg_1",
            "type": "message",
            "role": "user",
            "content": "hi",
        }
        assert await repo.get(session, "resp_a", owner="key:2") is None
        assert await repo.get(session, "resp_a", owner="") is None
        assert await repo.delete_one(session, "resp_a", owner="key:2") is False
        assert await repo.delete_one(session, "resp_a", owner="key:1") is True
        assert await repo.get(session, "resp_a", owner="key:1") is None
        assert await repo.delete_one(session, "resp_a", owner="key:1") is False


async def test_prune_deletes_only_the_expired(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await repo.insert(session, _row("resp_old", "", age=timedelta(days=40)))
        await repo.insert(session, _row("resp_new", "", age=timedelta(days=1)))
        deleted = await repo.prune(session, before=datetime.now(UTC) - timedelta(days=30))
        assert deleted == 1
        assert await repo.get(session, "resp_old", owner="") is None
        assert await repo.get(session, "resp_new", owner="") is not None


async def _written(store: ResponseStore, id_: str) -> None:
    """Wait until the store's writer has written ``id_``."""
    for _ in range(500):
        if id_ not in store._writing:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{id_} was never written")


async def test_the_store_serves_a_response_before_and_after_its_write(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = ResponseStore(sessions, retention_days=30.0)
    async with sessions() as session:
        await repo.insert(session, _row("resp_expired", "", age=timedelta(days=31)))
    items: list[object] = [{"id": "msg_2", "type": "message", "role": "user", "content": "q"}]
    history: list[object] = [{"id": "msg_0", "type": "message", "role": "user", "content": "h"}]
    store.put("resp_b", Stored("key:7", {**RESPONSE, "id": "resp_b"}, items, history))
    pending = await store.get("resp_b", "key:7")
    assert pending is not None and await store.get("resp_b", "key:8") is None
    await _written(store, "resp_b")
    again = ResponseStore(sessions, retention_days=30.0)
    written = await again.get("resp_b", "key:7")
    assert written is not None
    assert written.conversation() == [*history, *items, *RESPONSE["output"]]  # type: ignore[misc]
    # The writer pruned what the retention had outlived.
    assert await again.get("resp_expired", "") is None
    assert await again.delete("resp_b", "key:8") is False
    assert await again.delete("resp_b", "key:7") is True
    assert await again.get("resp_b", "key:7") is None


async def test_a_delete_during_the_write_waits_for_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = ResponseStore(sessions, retention_days=None)
    store.put("resp_c", Stored("", {**RESPONSE, "id": "resp_c"}, [], []))
    assert await store.delete("resp_c", "") is True
    await _written(store, "resp_c")
    assert await store.get("resp_c", "") is None


async def test_closing_the_store_waits_for_the_responses_still_being_written(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = ResponseStore(sessions, retention_days=None)
    for n in range(5):
        store.put(f"resp_close{n}", Stored("", {**RESPONSE, "id": f"resp_close{n}"}, [], []))
    await store.aclose()
    again = ResponseStore(sessions, retention_days=None)
    for n in range(5):
        assert await again.get(f"resp_close{n}", "") is not None
