"""The request log writer on SQLite and PostgreSQL: batches, outages, bounds, pruning."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.request_log import BATCH_SIZE, RequestLog, Retention
from mlx_manager.settings import to_async_url
from mlx_manager.storage import request_log_repository as repository
from mlx_manager.storage.database import create_engine, session_factory
from mlx_manager.storage.migrate import upgrade_to_head
from mlx_manager.storage.request_log_repository import LogFilter


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    upgrade_to_head(database_url)
    engine = create_engine(to_async_url(database_url))
    yield session_factory(engine)
    await engine.dispose()


def make_log(
    sessions: async_sessionmaker[AsyncSession], *, queue_size: int = 100, **retention: object
) -> RequestLog:
    return RequestLog(
        sessions=sessions,
        queue_size=queue_size,
        flush_interval=0.02,
        retention=Retention(**retention),  # type: ignore[arg-type]
    )


def record(n: int, **fields: object) -> RequestRecord:
    values: dict[str, object] = {
        "endpoint": "/v1/chat/completions",
        "protocol": "openai",
        "created_at": time.time(),
        "request_id": f"req-{n}",
        "status": 200,
        "latency": 0.25,
    }
    return RequestRecord(**{**values, **fields})  # type: ignore[arg-type]


def failing(exc: Exception) -> object:
    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        raise exc
        yield  # pragma: no cover

    return session


DOWN = OperationalError("INSERT", {}, ConnectionRefusedError("connection refused"))


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        rows = await repository.page(session, LogFilter(), before_id=None, limit=1000)
    return [row.request_id for row in reversed(rows)]


async def test_rows_are_written_as_recorded(sessions: async_sessionmaker[AsyncSession]) -> None:
    log = make_log(sessions)
    full = record(1, stream=True, first_byte=0.05, model_requested="a\x00b" + "x" * 300)
    full.tokens.input_tokens, full.tokens.output_tokens = 12, 34
    log.submit(full)
    log.submit(record(2, error="upstream_timeout", status=504))
    assert log.depth == 2
    assert await log.flush()
    assert (log.depth, log.written, log.dropped) == (0, 2, 0)
    async with sessions() as session:
        second, first = await repository.page(session, LogFilter(), before_id=None, limit=10)
    assert first.request_id == "req-1" and first.stream and first.ttft_ms == 50.0
    assert (first.input_tokens, first.output_tokens, first.latency_ms) == (12, 34, 250.0)
    # NUL cannot be stored in PostgreSQL text, and over-long values are cut to the column.
    assert first.model_requested == "ab" + "x" * 198
    assert first.prompt is None and first.completion is None
    assert (second.status, second.error, second.ttft_ms) == (504, "upstream_timeout", None)


async def test_an_outage_keeps_rows_until_the_database_is_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    log = make_log(sessions)
    log.sessions = failing(DOWN)  # type: ignore[assignment]
    for n in range(5):
        log.submit(record(n))
    assert not await log.flush()
    assert (log.depth, log.written, log.dropped) == (5, 0, 0)
    log.sessions = sessions
    assert await log.flush()
    assert await stored(sessions) == [f"req-{n}" for n in range(5)]


async def test_a_long_outage_drops_the_oldest_rows_and_counts_them(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    log = make_log(sessions, queue_size=3)
    log.sessions = failing(DOWN)  # type: ignore[assignment]
    for n in range(2):
        log.submit(record(n))
    assert not await log.flush()
    for n in range(2, 6):
        log.submit(record(n))
    assert (log.depth, log.dropped) == (3, 3)
    assert sum("dropping rows" in r.message for r in caplog.records) == 1
    log.sessions = sessions
    assert await log.flush()
    assert await stored(sessions) == ["req-3", "req-4", "req-5"]


async def test_rows_the_database_refuses_are_dropped_not_retried(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    log = make_log(sessions)
    log.sessions = failing(IntegrityError("INSERT", {}, ValueError("bad row")))  # type: ignore[assignment]
    log.submit(record(1))
    assert await log.flush()
    assert (log.depth, log.dropped) == (0, 1)


async def test_the_writer_task_drains_in_the_background_and_close_flushes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    log = make_log(sessions, prune_interval=3600)
    log.start()
    log.submit(record(1))
    for _ in range(500):
        if log.written:
            break
        await asyncio.sleep(0.01)
    assert log.written == 1
    log.submit(record(2))
    await log.aclose()  # before the next flush interval: close writes it
    assert await stored(sessions) == ["req-1", "req-2"]


async def test_a_trickle_of_rows_is_written_once_per_interval_not_row_by_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Rows arriving while a batch is written wait for the next interval (or a full batch):
    # draining until empty used to commit every few rows.
    commits = 0

    def count(_connection: object) -> None:
        nonlocal commits
        commits += 1

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "commit", count)
    log = RequestLog(sessions=sessions, queue_size=1000, flush_interval=0.25, retention=Retention())
    log.start()
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < 1.0:
        n += 1
        log.submit(record(n))
        await asyncio.sleep(0.0005)
    await log.aclose()
    assert log.written == n > 100
    # One commit per full batch, about one per interval (four in the second), the last at close.
    assert commits <= n // BATCH_SIZE + 6, (commits, n)


async def test_close_gives_up_on_a_dead_database_and_counts_the_rows(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mlx_manager.observability.request_log.EXIT_FLUSH_TIMEOUT", 0.2)
    log = make_log(sessions)
    log.sessions = failing(DOWN)  # type: ignore[assignment]
    log.submit(record(1))
    await log.aclose()
    assert (log.depth, log.dropped) == (0, 1)


async def test_pruning_by_age_and_by_row_count(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    old = (datetime.now(UTC) - timedelta(days=10)).timestamp()
    log = make_log(sessions, max_age_days=7, max_rows=3)
    for n in range(2):
        log.submit(record(n, created_at=old))
    for n in range(2, 7):
        log.submit(record(n))
    assert await log.flush()
    assert await log.prune() == 4  # two too old, then two beyond the newest three
    assert await stored(sessions) == ["req-4", "req-5", "req-6"]
    assert await make_log(sessions, max_age_days=None, max_rows=None).prune() == 0
