"""Bring a database to the latest schema, including ones made before Alembic tracked them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection

from mlx_manager.settings import to_sync_url

# The table of the first schema, which predates version tracking in some installs.
_LEGACY_TABLE = "cloud_credentials"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "mlx_manager.storage:migrations")
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(url: str) -> None:
    """Run every pending migration on the database at ``url`` (async or sync URL)."""
    engine = create_engine(to_sync_url(url))
    try:
        with engine.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            config = _config(connection)
            if _LEGACY_TABLE in tables and "alembic_version" not in tables:
                command.stamp(config, "0001")
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def upgrade_to(url: str, revision: str) -> None:
    """Run migrations up to ``revision`` only; tests use it to build older schemas."""
    engine = create_engine(to_sync_url(url))
    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), revision)
    finally:
        engine.dispose()
