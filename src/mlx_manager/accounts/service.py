"""Sign-up, sign-in, sessions and the admin's user management, with the last-admin rule.

The first account becomes an active admin; later ones wait as pending until an admin approves
them. A session is a row (so logout and account removal revoke it at once) named by a signed token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.accounts.passwords import Passwords
from mlx_manager.accounts.schemas import Role, SessionPublic, UserPublic, UserStatus
from mlx_manager.accounts.tokens import SessionTokens
from mlx_manager.errors import Conflict, Forbidden, NotFound, Unauthorized
from mlx_manager.storage import account_repository as repo
from mlx_manager.storage.provider_repository import DuplicateName
from mlx_manager.storage.tables import UserRow, UserSessionRow

_WRONG_CREDENTIALS = "Wrong username or password."


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user behind a live session, as the API layer sees them."""

    user: UserPublic
    session_id: str

    @property
    def is_admin(self) -> bool:
        return self.user.role is Role.ADMIN


def user_public(row: UserRow) -> UserPublic:
    return UserPublic(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        status=UserStatus(row.status),
        created_at=row.created_at,
    )


class AccountService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        tokens: SessionTokens,
        passwords: Passwords,
        session_ttl: timedelta,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._passwords = passwords
        self._ttl = session_ttl

    async def sign_up(self, *, username: str, password: str) -> UserPublic:
        # Names are compared without case, so "Alice" and "alice" cannot both exist.
        username = username.lower()
        password_hash = await self._passwords.hash(password)
        async with self._sessions() as session:
            try:
                row = await repo.add_user(
                    session,
                    UserRow(
                        username=username,
                        password_hash=password_hash,
                        role=Role.USER.value,
                        status=UserStatus.PENDING.value,
                    ),
                )
            except DuplicateName:
                raise Conflict(f"The username '{username}' is taken; choose another.") from None
            if await repo.make_admin_if_first(session, row.id):
                await session.refresh(row)
            return user_public(row)

    async def sign_in(self, *, username: str, password: str) -> SessionPublic:
        async with self._sessions() as session:
            row = await repo.find_user(session, username)
            stored = row.password_hash if row is not None else None
            if not await self._passwords.verify(stored, password) or row is None:
                raise Unauthorized(_WRONG_CREDENTIALS)
            if row.status != UserStatus.ACTIVE.value:
                raise Forbidden(
                    "This account is waiting for an admin's approval; sign in once it is approved."
                )
            now = datetime.now(UTC)
            expires_at = now + self._ttl
            session_id = self._tokens.new_session_id()
            await repo.prune_sessions(session, now)
            await repo.add_session(
                session, UserSessionRow(id=session_id, user_id=row.id, expires_at=expires_at)
            )
            token = self._tokens.issue(session_id, expires_at.timestamp())
            return SessionPublic(token=token, expires_at=expires_at, user=user_public(row))

    async def signed_in(self, token: str) -> SignedIn | None:
        """The user behind a session token, or None when it is forged, expired or revoked."""
        session_id = self._tokens.read(token, now=time.time())
        if session_id is None:
            return None
        async with self._sessions() as session:
            row = await repo.session_user(session, session_id, datetime.now(UTC))
            if row is None:
                return None
            return SignedIn(user=user_public(row), session_id=session_id)

    async def sign_out(self, session_id: str) -> None:
        async with self._sessions() as session:
            await repo.revoke_session(session, session_id, datetime.now(UTC))

    async def list_users(self) -> list[UserPublic]:
        async with self._sessions() as session:
            return [user_public(row) for row in await repo.list_users(session)]

    async def approve(self, user_id: int) -> UserPublic:
        async with self._sessions() as session:
            row = await self._user(session, user_id)
            row.status = UserStatus.ACTIVE.value
            await session.commit()
            return user_public(row)

    async def change_role(self, user_id: int, role: Role) -> UserPublic:
        async with self._sessions() as session:
            row = await self._user(session, user_id)
            if row.role == Role.ADMIN.value and role is not Role.ADMIN:
                await self._keep_an_admin(session, "demoted")
            row.role = role.value
            if role is Role.ADMIN:
                # Making someone admin is approving them too.
                row.status = UserStatus.ACTIVE.value
            await session.commit()
            return user_public(row)

    async def delete(self, user_id: int) -> None:
        async with self._sessions() as session:
            row = await self._user(session, user_id)
            if row.role == Role.ADMIN.value:
                await self._keep_an_admin(session, "removed")
            await repo.delete_user(session, row)

    async def _user(self, session: AsyncSession, user_id: int) -> UserRow:
        row = await repo.get_user(session, user_id)
        if row is None:
            raise NotFound(f"No user with id {user_id}.")
        return row

    async def _keep_an_admin(self, session: AsyncSession, action: str) -> None:
        if await repo.count_admins(session) <= 1:
            raise Conflict(f"The last admin cannot be {action}: make another user admin first.")
