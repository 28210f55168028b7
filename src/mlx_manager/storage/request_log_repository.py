"""Queries on the request log table: batch inserts, pruning, filtered pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.tables import RequestLogRow

_TABLE = RequestLogRow.metadata.tables[RequestLogRow.__tablename__]


@dataclass(frozen=True, slots=True)
class LogFilter:
    provider: str | None = None
    # Matches the model asked for or the model that served.
    model: str | None = None
    status: int | None = None
    # 2 for 2xx, 4 for 4xx, …
    status_class: int | None = None
    api_key_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Only requests that failed or whose stream broke off.
    errors_only: bool = False


async def insert_rows(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    # A Core insert of the table: the ORM's per-row bookkeeping would cost a third more.
    await session.execute(insert(_TABLE), list(rows))
    await session.commit()


async def prune(session: AsyncSession, *, before: datetime | None, keep: int | None) -> int:
    """Delete rows older than ``before`` and all but the newest ``keep``; returns how many."""
    deleted = 0
    if before is not None:
        result = await session.execute(
            delete(RequestLogRow).where(RequestLogRow.created_at < before)
        )
        deleted += _count(result)
    if keep is not None:
        # Ids grow with time, so the newest ``keep`` rows are those above this id.
        boundary = await session.scalar(
            select(RequestLogRow.id).order_by(RequestLogRow.id.desc()).offset(keep).limit(1)
        )
        if boundary is not None:
            result = await session.execute(
                delete(RequestLogRow).where(RequestLogRow.id <= boundary)
            )
            deleted += _count(result)
    await session.commit()
    return deleted


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", 0)
    return rowcount if isinstance(rowcount, int) and rowcount > 0 else 0


async def page(
    session: AsyncSession, log_filter: LogFilter, *, before_id: int | None, limit: int
) -> Sequence[RequestLogRow]:
    """Up to ``limit`` rows matching ``log_filter``, newest first, with ids below ``before_id``."""
    query = _filtered(select(RequestLogRow), log_filter)
    if before_id is not None:
        query = query.where(RequestLogRow.id < before_id)
    result = await session.scalars(query.order_by(RequestLogRow.id.desc()).limit(limit))
    return result.all()


def _filtered(query: Select[RequestLogRow], f: LogFilter) -> Select[RequestLogRow]:
    row = RequestLogRow
    if f.provider is not None:
        query = query.where(row.provider == f.provider)
    if f.model is not None:
        query = query.where(or_(row.model == f.model, row.model_requested == f.model))
    if f.status is not None:
        query = query.where(row.status == f.status)
    if f.status_class is not None:
        low = f.status_class * 100
        query = query.where(row.status >= low, row.status < low + 100)
    if f.api_key_name is not None:
        query = query.where(row.api_key_name == f.api_key_name)
    if f.since is not None:
        query = query.where(row.created_at >= f.since)
    if f.until is not None:
        query = query.where(row.created_at < f.until)
    if f.errors_only:
        query = query.where(or_(row.error.is_not(None), row.status >= 400))
    return query
