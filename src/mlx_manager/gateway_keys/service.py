"""Gateway keys: create, change, revoke, delete — and admit each ``/v1`` request from memory.

The hot path never reads storage: ``table`` is rebuilt after every change here and every
``sync_interval`` seconds from storage (so other replicas' changes arrive), and last-used times are
kept in memory and written in batches by the same loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.errors import NotFound, RateLimited, Unauthorized
from mlx_manager.gateway_keys.keys import GatewayKey, KeyTable, generate_key, hash_key
from mlx_manager.gateway_keys.limiter import RateLimiter
from mlx_manager.gateway_keys.schemas import KeyCreate, KeyCreated, KeyPublic, KeyUpdate
from mlx_manager.providers.validation import FieldError, InvalidFields
from mlx_manager.storage import gateway_key_repository as repo
from mlx_manager.storage.provider_repository import DuplicateName
from mlx_manager.storage.tables import GatewayKeyRow

log = logging.getLogger(__name__)


def _aware(at: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _hot(row: GatewayKeyRow) -> GatewayKey:
    expires_at = _aware(row.expires_at)
    return GatewayKey(
        id=row.id,
        name=row.name,
        model_patterns=tuple(row.model_patterns),
        requests_per_minute=row.requests_per_minute,
        tokens_per_minute=row.tokens_per_minute,
        expires_at=expires_at.timestamp() if expires_at is not None else None,
    )


class GatewayKeyService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        limiter: RateLimiter,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._limiter = limiter
        # Called after each committed change, so other replicas reload (``cluster``).
        self._on_change = on_change
        self.table = KeyTable()
        # Last-used times not yet written, by key id.
        self._used: dict[int, datetime] = {}
        # One reload at a time, so a slow periodic one cannot land after a change's own reload.
        self._loading = asyncio.Lock()

    async def load(self) -> None:
        async with self._loading:
            async with self._sessions() as session:
                rows = await repo.list_all(session)
            self.table = KeyTable(
                (row.key_hash, _hot(row)) for row in rows if row.revoked_at is None
            )

    def public(self, row: GatewayKeyRow) -> KeyPublic:
        return KeyPublic(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            last4=row.last4,
            model_patterns=list(row.model_patterns),
            requests_per_minute=row.requests_per_minute,
            tokens_per_minute=row.tokens_per_minute,
            expires_at=_aware(row.expires_at),
            revoked=row.revoked_at is not None,
            revoked_at=_aware(row.revoked_at),
            created_at=_aware(row.created_at) or row.created_at,
            last_used_at=self._used.get(row.id) or _aware(row.last_used_at),
        )

    async def list(self) -> list[KeyPublic]:
        async with self._sessions() as session:
            return [self.public(row) for row in await repo.list_all(session)]

    async def get(self, key_id: int) -> KeyPublic:
        async with self._sessions() as session:
            return self.public(await self._row(session, key_id))

    async def create(self, body: KeyCreate) -> KeyCreated:
        _check_expiry(body.expires_at)
        key = generate_key()
        row = GatewayKeyRow(
            name=body.name.strip(),
            key_hash=hash_key(key),
            prefix=key[:8],
            last4=key[-4:],
            model_patterns=[p.strip() for p in body.model_patterns],
            requests_per_minute=body.requests_per_minute,
            tokens_per_minute=body.tokens_per_minute,
            expires_at=body.expires_at,
        )
        async with self._sessions() as session:
            row = await self._save(session, row)
        await self._changed()
        return KeyCreated.model_validate({**self.public(row).model_dump(), "key": key})

    async def update(self, key_id: int, body: KeyUpdate) -> KeyPublic:
        changes = body.model_dump(exclude_unset=True)
        if "expires_at" in changes:
            _check_expiry(body.expires_at)
        if changes.get("name", "") is None or changes.get("model_patterns", []) is None:
            raise InvalidFields([FieldError("name", "name and model_patterns cannot be null")])
        async with self._sessions() as session:
            row = await self._row(session, key_id)
            for field, value in changes.items():
                setattr(row, field, value.strip() if field == "name" else value)
            row = await self._save(session, row)
        await self._changed()
        return self.public(row)

    async def revoke(self, key_id: int) -> KeyPublic:
        async with self._sessions() as session:
            row = await self._row(session, key_id)
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
                row = await self._save(session, row)
        await self._changed()
        return self.public(row)

    async def delete(self, key_id: int) -> None:
        async with self._sessions() as session:
            await repo.delete(session, await self._row(session, key_id))
        self._used.pop(key_id, None)
        await self._changed()

    async def _changed(self) -> None:
        await self.load()
        if self._on_change is not None:
            self._on_change()

    async def admit(self, key: GatewayKey) -> None:
        """Refuse an expired key or one over its limits; count the request otherwise."""
        if key.expired(time.time()):
            raise Unauthorized(
                f"The gateway key '{key.name}' has expired; ask an admin for a new one."
            )
        if key.tokens_per_minute is not None:
            wait = await self._limiter.wait_time(f"tpm:{key.id}", limit=key.tokens_per_minute)
            if wait is not None:
                raise RateLimited(
                    f"The gateway key '{key.name}' used its {key.tokens_per_minute} tokens per"
                    " minute; try again later.",
                    retry_after=wait,
                )
        if key.requests_per_minute is not None:
            wait = await self._limiter.acquire(f"rpm:{key.id}", limit=key.requests_per_minute)
            if wait is not None:
                raise RateLimited(
                    f"The gateway key '{key.name}' made its {key.requests_per_minute} requests"
                    " per minute; try again later.",
                    retry_after=wait,
                )
        self._used[key.id] = datetime.now(UTC)

    async def record_tokens(self, key_id: int, tokens: int) -> None:
        """Count tokens a reply used against the key's tokens-per-minute limit."""
        await self._limiter.add(f"tpm:{key_id}", tokens)

    async def flush(self) -> None:
        """Write the last-used times gathered since the last flush."""
        if not self._used:
            return
        batch, self._used = self._used, {}
        try:
            async with self._sessions() as session:
                await repo.record_last_used(session, batch)
        except SQLAlchemyError:
            for key_id, at in batch.items():
                self._used.setdefault(key_id, at)
            raise

    async def sync_forever(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush()
                await self.load()
            except SQLAlchemyError as exc:
                # Storage being down must not stop the gateway; the keys in memory still work.
                log.warning("Gateway keys were not synced with storage: %s", type(exc).__name__)

    async def _row(self, session: AsyncSession, key_id: int) -> GatewayKeyRow:
        row = await repo.get(session, key_id)
        if row is None:
            raise NotFound(f"No gateway key with id {key_id}.")
        return row

    async def _save(self, session: AsyncSession, row: GatewayKeyRow) -> GatewayKeyRow:
        try:
            return await repo.save(session, row)
        except DuplicateName as exc:
            raise InvalidFields([FieldError("name", f"'{exc}' is taken by another key")]) from None


def _check_expiry(expires_at: datetime | None) -> None:
    if expires_at is None:
        return
    at = _aware(expires_at)
    assert at is not None
    if at <= datetime.now(UTC):
        raise InvalidFields([FieldError("expires_at", "must be in the future")])
