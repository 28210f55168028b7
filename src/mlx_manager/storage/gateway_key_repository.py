"""Queries on gateway keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.provider_repository import DuplicateName
from mlx_manager.storage.tables import GatewayKeyRow


async def list_all(session: AsyncSession) -> Sequence[GatewayKeyRow]:
    return (await session.scalars(select(GatewayKeyRow).order_by(GatewayKeyRow.id))).all()


async def get(session: AsyncSession, key_id: int) -> GatewayKeyRow | None:
    return await session.get(GatewayKeyRow, key_id)


async def save(session: AsyncSession, row: GatewayKeyRow) -> GatewayKeyRow:
    """Insert or update and commit; a name clash rolls back and raises DuplicateName."""
    name = row.name
    session.add(row)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DuplicateName(name) from exc
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, row: GatewayKeyRow) -> None:
    await session.delete(row)
    await session.commit()


async def record_last_used(session: AsyncSession, used: Mapping[int, datetime]) -> None:
    """One transaction for a batch of last-used times; a key deleted meanwhile is skipped."""
    for key_id, at in used.items():
        await session.execute(
            update(GatewayKeyRow).where(GatewayKeyRow.id == key_id).values(last_used_at=at)
        )
    await session.commit()
