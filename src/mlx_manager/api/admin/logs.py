"""``/api/logs``: the request log, filtered and paged newest first, and exported as CSV or JSONL;
the models it has seen that no price covers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import StreamingResponse

from mlx_manager.api.deps import StateDep, require_admin
from mlx_manager.errors import InvalidRequest
from mlx_manager.observability.pricing import Priced
from mlx_manager.observability.schemas import (
    EXPORT_FIELDS,
    RequestLogPage,
    RequestLogPublic,
    UnpricedModel,
    UnpricedModelList,
)
from mlx_manager.storage import request_log_repository as repository
from mlx_manager.storage.request_log_repository import LogFilter

router = APIRouter(prefix="/api/logs", tags=["operations"], dependencies=[Depends(require_admin)])

EXPORT_PAGE = 1000
# Row ids are 64-bit.
MAX_ID = 2**63 - 1
_STATUS = re.compile(r"^([1-5])(\d\d|xx)$")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def log_filter(
    provider: str | None = None,
    model: Annotated[str | None, Query(description="asked for or served")] = None,
    status: Annotated[str | None, Query(description="e.g. 429, or 4xx for a class")] = None,
    key: Annotated[str | None, Query(description="gateway key name")] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; UTC when no offset")] = None,
    until: datetime | None = None,
    errors: Annotated[bool, Query(description="only failed or broken-off requests")] = False,
) -> LogFilter:
    code = status_class = None
    if status is not None:
        match = _STATUS.match(status.lower())
        if match is None:
            raise InvalidRequest(
                "'status' is an HTTP status such as 429, or a class such as 4xx.", param="status"
            )
        if match.group(2) == "xx":
            status_class = int(match.group(1))
        else:
            code = int(status)
    return LogFilter(
        provider=provider,
        model=model,
        status=code,
        status_class=status_class,
        api_key_name=key,
        since=_utc(since),
        until=_utc(until),
        errors_only=errors,
    )


FilterDep = Annotated[LogFilter, Depends(log_filter)]


@router.get("")
async def list_logs(
    state: StateDep,
    filters: FilterDep,
    cursor: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RequestLogPage:
    async with state.sessions() as session:
        rows = await repository.page(session, filters, before_id=cursor, limit=limit)
    items = [RequestLogPublic.model_validate(row) for row in rows]
    return RequestLogPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/unpriced")
async def unpriced_models(
    state: StateDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> UnpricedModelList:
    """Models the log has seen with no price, still unpriced now (most requests first)."""
    async with state.sessions() as session:
        seen = await repository.unpriced_models(session, limit=limit)
    prices = state.observer.prices
    directory = state.providers.directory
    models = []
    for each in seen:
        if prices.price(each.provider, each.model).priced is not Priced.UNPRICED:
            continue  # priced since
        provider = directory.by_name(each.provider)
        models.append(
            UnpricedModel(
                provider=each.provider,
                provider_id=provider.id if provider is not None else None,
                model=each.model,
                requests=each.requests,
                input_tokens=each.input_tokens,
                output_tokens=each.output_tokens,
                last_seen=each.last_seen,
            )
        )
    return UnpricedModelList(models=models)


@router.get("/export", response_class=StreamingResponse)
async def export_logs(
    state: StateDep, filters: FilterDep, format: Literal["csv", "jsonl"] = "jsonl"
) -> StreamingResponse:
    rows = _all_rows(state.sessions, filters)
    lines = _csv_lines(rows) if format == "csv" else _jsonl_lines(rows)
    media_type = "text/csv" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        lines,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="request-log.{format}"'},
    )


async def _all_rows(
    sessions: async_sessionmaker[AsyncSession], filters: LogFilter
) -> AsyncIterator[RequestLogPublic]:
    # A short session per page, so a long download holds no connection or lock.
    cursor: int | None = None
    while True:
        async with sessions() as session:
            rows = await repository.page(session, filters, before_id=cursor, limit=EXPORT_PAGE)
        for row in rows:
            yield RequestLogPublic.model_validate(row)
        if len(rows) < EXPORT_PAGE:
            return
        cursor = rows[-1].id


async def _jsonl_lines(rows: AsyncIterator[RequestLogPublic]) -> AsyncIterator[bytes]:
    async for row in rows:
        yield orjson.dumps(row.model_dump(mode="json")) + b"\n"


async def _csv_lines(rows: AsyncIterator[RequestLogPublic]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    async for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values[f]) for f in EXPORT_FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    # A cell starting like a formula is run by spreadsheets; model names come from callers.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
