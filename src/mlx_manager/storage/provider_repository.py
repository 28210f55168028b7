"""Queries on the providers table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.tables import ProviderRow


class DuplicateName(Exception):
    pass


async def list_all(session: AsyncSession) -> Sequence[ProviderRow]:
    result = await session.scalars(select(ProviderRow).order_by(ProviderRow.id))
    return result.all()


async def get(session: AsyncSession, provider_id: int) -> ProviderRow | None:
    return await session.get(ProviderRow, provider_id)


async def save(session: AsyncSession, row: ProviderRow) -> ProviderRow:
    """Insert or update ``row`` and commit; a name clash rolls back and raises DuplicateName."""
    name = row.name  # attributes expire on rollback
    session.add(row)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DuplicateName(name) from exc
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, row: ProviderRow) -> None:
    await session.delete(row)
    await session.commit()
