"""Queries on the request log table: batch inserts, pruning, filtered pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, insert, or_, select
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


@dataclass(frozen=True, slots=True)
class ModelSeen:
    provider: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    last_seen: datetime


async def unpriced_models(session: AsyncSession, *, limit: int) -> list[ModelSeen]:
    """The (provider, model) pairs of rows logged as unpriced, most requests first."""
    row = RequestLogRow
    query = (
        select(
            row.provider,
            row.model,
            func.count(),
            func.coalesce(func.sum(row.input_tokens), 0),
            func.coalesce(func.sum(row.output_tokens), 0),
            func.max(row.created_at),
        )
        .where(row.priced == "unpriced", row.provider.is_not(None), row.model.is_not(None))
        .group_by(row.provider, row.model)
        .order_by(func.count().desc(), row.provider, row.model)
        .limit(limit)
    )
    # The filter leaves out NULL providers and models; the sums are coalesced.
    return [
        ModelSeen(
            provider=str(provider),
            model=str(model),
            requests=requests,
            input_tokens=int(input_tokens or 0),
            output_tokens=int(output_tokens or 0),
            last_seen=last_seen,
        )
        for provider, model, requests, input_tokens, output_tokens, last_seen in (
            await session.execute(query)
        ).all()
    ]


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
