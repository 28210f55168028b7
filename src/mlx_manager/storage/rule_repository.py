"""Queries on the routing rules table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.tables import RuleRow


async def list_all(session: AsyncSession) -> Sequence[RuleRow]:
    """Every rule in priority order (ties by id), disabled ones included."""
    result = await session.scalars(select(RuleRow).order_by(RuleRow.priority, RuleRow.id))
    return result.all()


async def get(session: AsyncSession, rule_id: int) -> RuleRow | None:
    return await session.get(RuleRow, rule_id)


async def next_priority(session: AsyncSession) -> int:
    """The priority that puts a new rule last."""
    highest = await session.scalar(select(func.max(RuleRow.priority)))
    return 0 if highest is None else highest + 1


async def save(session: AsyncSession, row: RuleRow) -> RuleRow:
    session.add(row)
    await session.commit()
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, row: RuleRow) -> None:
    await session.delete(row)
    await session.commit()


async def set_order(session: AsyncSession, ids: Sequence[int]) -> None:
    """Give the rules ``ids`` priorities 0, 1, 2, … in that order, in one transaction."""
    for priority, rule_id in enumerate(ids):
        await session.execute(
            update(RuleRow).where(RuleRow.id == rule_id).values(priority=priority)
        )
    await session.commit()
