"""Queries on users and their sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mlx_manager.storage.provider_repository import DuplicateName
from mlx_manager.storage.tables import UserRow, UserSessionRow


async def list_users(session: AsyncSession) -> Sequence[UserRow]:
    return (await session.scalars(select(UserRow).order_by(UserRow.id))).all()


async def get_user(session: AsyncSession, user_id: int) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def find_user(session: AsyncSession, username: str) -> UserRow | None:
    found: UserRow | None = await session.scalar(
        select(UserRow).where(func.lower(UserRow.username) == username.lower())
    )
    return found


async def add_user(session: AsyncSession, row: UserRow) -> UserRow:
    """Insert and commit; a taken username rolls back and raises DuplicateName."""
    name = row.username
    session.add(row)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DuplicateName(name) from exc
    await session.refresh(row)
    return row


async def make_admin_if_first(session: AsyncSession, user_id: int) -> bool:
    """Make ``user_id`` an active admin if it is the oldest account; one statement, so two
    sign-ups at once cannot both see an empty table and both become admin."""
    oldest = select(func.min(UserRow.id)).scalar_subquery()
    result = await session.execute(
        update(UserRow)
        .where(UserRow.id == user_id, UserRow.id == oldest)
        .values(role="admin", status="active")
    )
    await session.commit()
    return bool(getattr(result, "rowcount", 0))


async def count_admins(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(UserRow).where(UserRow.role == "admin")
    )
    return int(count or 0)


async def add_session(session: AsyncSession, row: UserSessionRow) -> None:
    session.add(row)
    await session.commit()


async def session_user(session: AsyncSession, session_id: str, now: datetime) -> UserRow | None:
    """The active user behind a live (unrevoked, unexpired) session."""
    user: UserRow | None = await session.scalar(
        select(UserRow)
        .join(UserSessionRow, UserSessionRow.user_id == UserRow.id)
        .where(
            UserSessionRow.id == session_id,
            UserSessionRow.revoked_at.is_(None),
            UserSessionRow.expires_at > now,
            UserRow.status == "active",
        )
    )
    return user


async def revoke_session(session: AsyncSession, session_id: str, now: datetime) -> None:
    await session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.id == session_id, UserSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.commit()


async def delete_user(session: AsyncSession, row: UserRow) -> None:
    await session.execute(delete(UserSessionRow).where(UserSessionRow.user_id == row.id))
    await session.delete(row)
    await session.commit()


async def prune_sessions(session: AsyncSession, now: datetime) -> None:
    """Drop sessions that can no longer be used; run at sign-in so the table stays small."""
    await session.execute(delete(UserSessionRow).where(UserSessionRow.expires_at <= now))
    await session.commit()
