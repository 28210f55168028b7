"""Readiness: the database answers a cheap query and its schema is at the latest migration."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, *, engine: AsyncEngine, head: str, timeout: float = 2.0) -> None:
        self.engine = engine
        self.head = head
        self.timeout = timeout

    async def problem(self) -> str | None:
        """Why the server is not ready, or None when it is."""
        try:
            async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
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
