"""The async engine and session factory, with every database step bounded in time.

A database that is down fails at once (connection refused); one that is frozen (it accepts
connections and never answers, as a paused or wedged server does) would hold each caller
forever. So each step has a bound of ``timeout`` seconds: taking a connection from the pool,
connecting, and on PostgreSQL each statement, on the server (``statement_timeout``) and on
the client (every round trip, so a server that stopped answering is noticed too). SQLite waits
as long for a lock (``busy_timeout``). A step past its bound raises SQLAlchemy's
``OperationalError`` or ``TimeoutError``, which the API answers as a 503 (``api/errors.py``).
"""

from __future__ import annotations

import functools
import math
from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from psycopg.rows import TupleRow
from sqlalchemy import event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

RV = TypeVar("RV")

DEFAULT_TIMEOUT = 5.0
# The client waits a little longer than the server's own statement timeout, so a statement
# that is merely slow ends with the server's clean cancellation, not a dropped connection.
_CLIENT_GRACE = 1.0


def create_engine(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> AsyncEngine:
    # Statement parameters stay out of error messages and logs: they hold password and
    # session-token hashes.
    options: dict[str, object] = {"pool_timeout": timeout, "hide_parameters": True}
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **options)
        pragmas = functools.partial(_sqlite_pragmas, busy_ms=math.ceil(timeout * 1000))
        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    if url.startswith("postgresql+psycopg"):
        options["connect_args"] = _postgres_connect_args(url, timeout)
    return create_async_engine(url, pool_pre_ping=True, **options)


def _postgres_connect_args(url: str, timeout: float) -> dict[str, object]:
    given = make_url(url).query.get("options")
    server_options = f"-c statement_timeout={math.ceil(timeout * 1000)}"
    if isinstance(given, str):
        server_options = f"{given} {server_options}"
    return {
        # libpq counts whole seconds, and takes nothing under 2.
        "connect_timeout": max(2, math.ceil(timeout)),
        "options": server_options,
        "async_creator_fn": functools.partial(_connect_bounded, timeout + _CLIENT_GRACE),
    }


class _BoundedConnection(psycopg.AsyncConnection[TupleRow]):
    """A psycopg connection whose every round trip to the server ends within ``bound`` seconds.

    psycopg's own ``wait`` takes the bound, which ends the wait without a cancel request: a task
    cancelled from outside makes psycopg send one and wait up to 10 s for a frozen server.
    """

    bound: float = DEFAULT_TIMEOUT + _CLIENT_GRACE

    async def wait(
        self,
        gen: PQGen[RV],
        interval: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (psycopg's signature)
    ) -> RV:
        bound = self.bound if timeout is None else timeout
        try:
            if interval is None:
                return await super().wait(gen, timeout=bound)
            return await super().wait(gen, interval, timeout=bound)
        except psycopg.OperationalError:
            # A round trip broken off leaves the connection in an unknown state: closed, the
            # pool drops it instead of handing it out again.
            self.pgconn.finish()
            raise


# SQLAlchemy's arguments: libpq parameters and psycopg's own (its adapters as ``context``).
async def _connect_bounded(bound: float, *args: str, **kwargs: Any) -> _BoundedConnection:
    connection = await _BoundedConnection.connect(*args, **kwargs)
    connection.bound = bound
    return connection


def _sqlite_pragmas(
    dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry, *, busy_ms: int
) -> None:
    # WAL lets the request log write while the settings API reads; FKs are off by default.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
