"""Queries on the stored responses table: one response by id and owner, inserts, pruning."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.tables import StoredResponseRow


async def insert(session: AsyncSession, row: StoredResponseRow) -> None:
    session.add(row)
    await session.commit()


async def get(session: AsyncSession, id_: str, *, owner: str) -> StoredResponseRow | None:
    """The response stored as ``id_`` if ``owner`` stored it; another caller's is not found."""
    return await session.scalar(
        select(StoredResponseRow).where(
            StoredResponseRow.id == id_, StoredResponseRow.owner == owner
        )
    )


async def delete_one(session: AsyncSession, id_: str, *, owner: str) -> bool:
    """Delete ``owner``'s response ``id_``; whether there was one."""
    result = await session.execute(
        delete(StoredResponseRow).where(
            StoredResponseRow.id == id_, StoredResponseRow.owner == owner
        )
    )
    await session.commit()
    return _count(result) > 0


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Delete responses stored before ``before``; returns how many."""
    result = await session.execute(
        delete(StoredResponseRow).where(StoredResponseRow.created_at < before)
    )
    await session.commit()
    return _count(result)


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", 0)
    return rowcount if isinstance(rowcount, int) and rowcount > 0 else 0
