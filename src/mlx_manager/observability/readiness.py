"""Readiness: the database answers a cheap query and its schema is at the latest migration.

``/ready`` answers within ``timeout`` however the database behaves. The check runs as a task
that is waited for, never cancelled: cancelling a query on a frozen PostgreSQL makes the driver
send a cancel request and wait seconds for it. A check still running (bounded by the engine's
own timeouts, ``storage/database.py``) is joined by the next ``/ready``, so a frozen database
costs one check at a time, not one per probe.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, *, engine: AsyncEngine, head: str, timeout: float = 0.8) -> None:
        self.engine = engine
        self.head = head
        self.timeout = timeout
        self._check: asyncio.Task[str | None] | None = None

    async def problem(self) -> str | None:
        """Why the server is not ready, or None when it is."""
        check = self._check
        if check is None or check.done():
            check = self._check = asyncio.create_task(self._problem(), name="readiness check")
        done, _ = await asyncio.wait({check}, timeout=self.timeout)
        if not done:
            return f"The database has not answered within {self.timeout:g} s."
        return check.result()

    async def _problem(self) -> str | None:
        try:
            async with self.engine.connect() as connection:
                version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("Not ready: the database did not answer: %s", exc)
            return f"The database is unreachable ({exc.__class__.__name__})."
        if version != self.head:
            return (
                f"The database schema is at {version}, this server needs {self.head}: run"
                " `mlx-manager migrate`."
            )
        return None
