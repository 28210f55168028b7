"""The request log writer: a bounded in-memory queue drained into the database in batches.

``submit`` is all a request pays: an append to a deque. A background task writes up to
``BATCH_SIZE`` rows at a time, every ``flush_interval`` seconds or as soon as a batch is full.
When the database fails, the batch goes back to the queue and the writer backs off; once the
queue is full the oldest rows are dropped and counted (``dropped``), with one warning per outage.
A row the database refuses as data (not as an outage) is dropped at once, so it cannot block the
rows behind it. A second task prunes by age and row count.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.observability.record import RequestRecord
from mlx_manager.storage import request_log_repository as repository

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# A write that takes longer counts as a failure: the batch is kept and tried again.
WRITE_TIMEOUT = 10.0
MAX_BACKOFF = 10.0
# At shutdown, how long the last rows may take to write before they are given up.
EXIT_FLUSH_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Retention:
    # None: no limit of that kind.
    max_age_days: float | None = 30.0
    max_rows: int | None = 1_000_000
    prune_interval: float = 300.0


def _outage(exc: BaseException) -> bool:
    """Whether the database itself failed (retry later), rather than refused these rows."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class RequestLog:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        queue_size: int,
        flush_interval: float,
        retention: Retention,
    ) -> None:
        self.sessions = sessions
        self._queue: deque[RequestRecord] = deque(maxlen=queue_size)
        self._flush_interval = flush_interval
        self._retention = retention
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._failures = 0
        # One warning per outage (or per burst of a full queue), not one per row.
        self._drop_warned = False
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight = 0
        self.written = 0
        self.dropped = 0

    @property
    def depth(self) -> int:
        """Rows not yet stored: queued, and the batch being written."""
        return len(self._queue) + self._in_flight

    def submit(self, record: RequestRecord) -> None:
        """Queue a finished record; never blocks, never raises."""
        queue = self._queue
        if len(queue) == queue.maxlen:
            self._drop(1)  # the append below pushes out the oldest row
        queue.append(record)
        if len(queue) >= BATCH_SIZE:
            self._wake.set()

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._write_loop(), name="request log writer"),
            asyncio.create_task(self._prune_loop(), name="request log pruning"),
        ]

    async def aclose(self) -> None:
        """Stop the tasks and write what is queued, giving up after ``EXIT_FLUSH_TIMEOUT``."""
        # A batch being written is let finish: cancelled half way, its rows were lost.
        async with self._writing:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        try:
            async with asyncio.timeout(EXIT_FLUSH_TIMEOUT):
                while self._queue:
                    if not await self.flush():
                        await asyncio.sleep(0.1)
        except TimeoutError:
            log.warning(
                "Request log: %d rows could not be written before shutdown.", len(self._queue)
            )
            self._drop(len(self._queue))
            self._queue.clear()

    async def flush(self) -> bool:
        """Write the rows queued now; False if the database failed (the rows stay queued).

        Rows that arrive meanwhile wait for a full batch or the next interval: draining until
        empty wrote a trickle of tiny batches, a commit (and an fsync) every few requests. Waits
        for a batch the writer task has in flight, so what was queued is stored on return."""
        async with self._writing:
            rows = len(self._queue)
            while rows > 0:
                if not await self._write_batch():
                    return False
                rows -= BATCH_SIZE
        return True

    async def prune(self) -> int:
        retention = self._retention
        before = None
        if retention.max_age_days is not None:
            before = datetime.now(UTC) - timedelta(days=retention.max_age_days)
        async with self.sessions() as session:
            return await repository.prune(session, before=before, keep=retention.max_rows)

    async def _write_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._flush_interval)
            self._wake.clear()
            if not await self.flush():
                backoff = self._flush_interval * 2 ** min(self._failures, 10)
                await asyncio.sleep(min(MAX_BACKOFF, backoff))

    async def _write_batch(self) -> bool:
        queue = self._queue
        batch = [queue.popleft() for _ in range(min(BATCH_SIZE, len(queue)))]
        self._in_flight = len(batch)
        try:
            async with asyncio.timeout(WRITE_TIMEOUT), self.sessions() as session:
                await repository.insert_rows(session, [_row(r) for r in batch])
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            if not _outage(exc):
                log.warning("Request log: %d rows refused by the database: %s", len(batch), exc)
                self._drop(len(batch))
                return True
            self._requeue(batch)
            self._failures += 1
            if self._failures == 1:
                log.warning(
                    "Request log: the database is failing (%s); rows are kept in memory (up to"
                    " %d) and written when it is back.",
                    exc.__class__.__name__,
                    queue.maxlen,
                )
            return False
        finally:
            self._in_flight = 0
        if self._failures:
            log.warning("Request log: the database is back; writing queued rows.")
            self._failures = 0
            self._drop_warned = False
        self.written += len(batch)
        return True

    def _requeue(self, batch: list[RequestRecord]) -> None:
        """Put a failed batch back in front; what no longer fits is the oldest, and dropped."""
        queue = self._queue
        assert queue.maxlen is not None
        excess = len(batch) + len(queue) - queue.maxlen
        if excess > 0:
            self._drop(excess)
            batch = batch[excess:]
        queue.extendleft(reversed(batch))

    def _drop(self, count: int) -> None:
        if not self._drop_warned:
            log.warning("Request log: dropping rows; the dropped count is in /metrics.")
            self._drop_warned = True
        self.dropped += count

    async def _prune_loop(self) -> None:
        while True:
            try:
                deleted = await self.prune()
            except (SQLAlchemyError, OSError) as exc:
                log.warning("Request log: pruning failed: %s", exc.__class__.__name__)
            else:
                if deleted:
                    log.info("Request log: pruned %d rows.", deleted)
            await asyncio.sleep(self._retention.prune_interval)


def _text(value: str | None, limit: int) -> str | None:
    # PostgreSQL refuses NUL in text, and a too-long value would fail the whole batch.
    return None if value is None else value.replace("\x00", "")[:limit]


def _content(kept: bytearray | None) -> str | None:
    return None if kept is None else kept.decode(errors="replace").replace("\x00", "")


def _row(record: RequestRecord) -> dict[str, object]:
    ttft = record.ttft
    tokens = record.tokens
    return {
        "created_at": datetime.fromtimestamp(record.created_at, UTC),
        "request_id": _text(record.request_id, 128) or "",
        "api_key_name": _text(record.api_key_name, 100),
        "endpoint": _text(record.endpoint, 100),
        "protocol": record.protocol,
        "model_requested": _text(record.model_requested, 200),
        "provider": _text(record.provider, 100),
        "model": _text(record.model, 200),
        "attempts": record.attempts,
        "stream": record.stream,
        "status": record.status,
        "error": _text(record.error, 60),
        "latency_ms": round(record.latency * 1000, 3),
        "ttft_ms": None if ttft is None else round(ttft * 1000, 3),
        "input_tokens": tokens.input_tokens,
        "output_tokens": tokens.output_tokens,
        "cache_read_tokens": tokens.cache_read_tokens,
        "cache_write_tokens": tokens.cache_write_tokens,
        "reasoning_tokens": tokens.reasoning_tokens,
        "tokens_estimated": tokens.estimated,
        "cost_usd": record.cost_usd,
        "priced": record.priced,
        "prompt": _content(record.prompt),
        "completion": _content(record.completion),
    }
