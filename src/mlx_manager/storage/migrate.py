"""Bring a database to the latest schema, including ones made before Alembic tracked them.

Alembic takes about a third of a second to import, so a database already at the latest
revision is recognised with one query, and Alembic is loaded only when there is work to do.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from mlx_manager.settings import to_sync_url

if TYPE_CHECKING:
    from alembic.config import Config

# The table of the first schema, which predates version tracking in some installs.
_LEGACY_TABLE = "cloud_credentials"
_VERSIONS = Path(__file__).parent / "migrations" / "versions"
# Any fixed number; it names the lock PostgreSQL holds while one process migrates.
_LOCK_KEY = 10242


def head_revision() -> str:
    """The latest revision this build ships. Migrations are one line numbered ``NNNN_*.py``
    whose revision id is ``NNNN`` (a test holds Alembic's own head to this)."""
    return max(path.name[:4] for path in _VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "mlx_manager.storage:migrations")
    config.attributes["connection"] = connection
    return config


def _at_head(connection: Connection) -> bool:
    if "alembic_version" not in inspect(connection).get_table_names():
        return False
    version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return bool(version == head_revision())


def upgrade_to_head(url: str) -> None:
    """Run every pending migration on the database at ``url`` (async or sync URL)."""
    engine = create_engine(to_sync_url(url))
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together: one migrates, the others wait, then find it done.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            if _at_head(connection):
                return
            tables = set(inspect(connection).get_table_names())
            from alembic import command

            config = _config(connection)
            if _LEGACY_TABLE in tables and "alembic_version" not in tables:
                command.stamp(config, "0001")
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def is_at_head(url: str) -> bool:
    """Whether the database at ``url`` has the latest schema (one query, no Alembic)."""
    engine = create_engine(to_sync_url(url))
    try:
        with engine.connect() as connection:
            return _at_head(connection)
    finally:
        engine.dispose()


def upgrade_apart(url: str) -> bool:
    """``upgrade_to_head`` in a child process, so that Alembic (about 10 MB once imported) never
    loads into a server that has no further use for it. False if the child failed: the caller
    then migrates in its own process, which reports the error."""
    # Fork where it is safe (Linux, before any thread is started); spawn elsewhere (macOS).
    context = (
        multiprocessing.get_context("fork")
        if sys.platform == "linux"
        else multiprocessing.get_context("spawn")
    )
    child = context.Process(target=_upgrade_quietly, args=(url,), name="mlx-manager migrate")
    child.start()
    child.join()
    return child.exitcode == 0


def _upgrade_quietly(url: str) -> None:
    try:
        upgrade_to_head(url)
    except Exception:  # reported by the parent process on its own attempt
        sys.exit(1)


def upgrade_to(url: str, revision: str) -> None:
    """Run migrations up to ``revision`` only; tests use it to build older schemas."""
    from alembic import command

    engine = create_engine(to_sync_url(url))
    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), revision)
    finally:
        engine.dispose()
