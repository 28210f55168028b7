"""``serve`` and ``migrate``: the commands that run the server itself, not a client of it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mlx_manager.settings import Settings

# Repeated from settings.py for the help text, which must not import pydantic-settings.
DEFAULT_PORT_TEXT = "10242"

DataDirOption = Annotated[
    Path | None, typer.Option(help="data directory (default ~/.mlx-manager)", show_default=False)
]


def settings_from(**overrides: object) -> Settings:
    """Settings from the environment, with what the command line gave on top."""
    from mlx_manager.settings import Settings

    given = {name: value for name, value in overrides.items() if value not in (None, False)}
    return Settings(**given)  # type: ignore[arg-type]


def serve(
    host: Annotated[
        str | None, typer.Option(help="interface to bind (default 127.0.0.1)", show_default=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help=f"port (default {DEFAULT_PORT_TEXT})", show_default=False)
    ] = None,
    data_dir: DataDirOption = None,
    allow_open: Annotated[
        bool,
        typer.Option(
            "--allow-open",
            help="serve /v1 without gateway keys on a non-loopback interface (anyone can call it)",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(help="YAML file of providers and rules to apply at start-up"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="worker processes (default 1); more need MLX_MANAGER_REDIS_URL",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Run the gateway server."""
    settings = settings_from(
        host=host,
        port=port,
        data_dir=data_dir,
        allow_open=allow_open,
        config=config,
        workers=workers,
    )
    return run_server(settings)


def run_server(settings: Settings) -> int:
    import uvicorn

    from mlx_manager.app import create_app
    from mlx_manager.config_file import ConfigFileError, load_config_file
    from mlx_manager.observability.log_format import log_config

    if settings.config is not None:
        try:
            load_config_file(settings.config)  # fail before binding, with a plain message
        except ConfigFileError as exc:
            print(f"mlx-manager: {exc}", file=sys.stderr)
            return 2
    if not settings.loopback_only and not settings.allow_open:
        _notice(
            settings,
            f"listening on {settings.host}, so /v1 stays closed until an admin creates"
            " a gateway key (on the Keys page, /keys, or with POST /api/keys); --allow-open"
            " serves /v1 to anyone who can reach it.",
        )
    if settings.workers > 1:
        if settings.redis_url is None:
            print(
                "mlx-manager: --workers needs MLX_MANAGER_REDIS_URL, so the workers share"
                " changes, rate limits and target health (see docs/deployment.md).",
                file=sys.stderr,
            )
            return 2
        _prepare_workers(settings)
    else:
        _migrate_apart(settings)
    _announce(settings)
    # uvicorn re-raises SIGTERM after its graceful shutdown; this handler makes that a clean exit.
    signal.signal(signal.SIGTERM, _exit_after_drain)
    # Worker processes build their own app from the environment ``_prepare_workers`` set.
    factory = "mlx_manager.app:app_from_environment"
    uvicorn.run(
        create_app(settings, serving=True) if settings.workers == 1 else factory,
        factory=settings.workers > 1,
        workers=settings.workers if settings.workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=log_config(
            settings.log_format, settings.log_level, access_log=settings.access_log
        ),
        access_log=settings.access_log,
        server_header=False,
        # The client address is the socket's unless MLX_MANAGER_TRUSTED_PROXIES says otherwise.
        proxy_headers=False,
        # On SIGTERM: stop accepting, let requests and streams finish, then the lifespan's
        # shutdown writes the request log's last rows.
        timeout_graceful_shutdown=settings.drain_timeout,
    )
    return 0


def _announce(settings: Settings) -> None:
    """Every start says where the UI is and where its token lives, and records the URL for the
    other commands (``mlx-manager status`` and the rest find the server by it)."""
    from mlx_manager.cli.client import TOKEN_FILE, local_url, record_server_url

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = local_url(settings.host, settings.port)
    record_server_url(settings.data_dir, url)
    token = (
        "from MLX_MANAGER_ADMIN_TOKEN"
        if settings.admin_token is not None
        else f"in {settings.data_dir / TOKEN_FILE} (`mlx-manager token show` prints it)"
    )
    _notice(settings, f"UI at {url}/ ; admin token {token}")


def _notice(settings: Settings, message: str) -> None:
    """A start-up line on stderr, in the log's format: a JSON log stays JSON from its first
    line."""
    if settings.log_format == "json":
        import logging

        from mlx_manager.observability.log_format import JsonFormatter

        record = logging.LogRecord("mlx_manager", logging.INFO, __file__, 0, message, None, None)
        line = JsonFormatter().format(record)
    else:
        line = f"mlx-manager: {message}"
    print(line, file=sys.stderr, flush=True)


def _migrate_apart(settings: Settings) -> None:
    """A first start or an upgrade migrates in a child process (see ``upgrade_apart``); the
    app's own start-up then finds the schema current. Where the child failed, the app's start-up
    migrates again and reports the error."""
    from mlx_manager.storage.migrate import is_at_head, upgrade_apart

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    try:
        if is_at_head(url):
            return
    except Exception:  # an unreachable database is reported by the app start-up
        return
    upgrade_apart(url)


def _prepare_workers(settings: Settings) -> None:
    """What every worker would otherwise race to do: migrate, create the secret and token files.
    Then pass the command line's settings on to the workers through the environment."""
    from mlx_manager.api.auth import load_or_create_admin_token
    from mlx_manager.providers.secrets import load_or_create_secret
    from mlx_manager.storage.migrate import upgrade_to_head

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.resolved_database_url())
    load_or_create_secret(
        settings.data_dir, settings.secret_key.get_secret_value() if settings.secret_key else None
    )
    token, generated = load_or_create_admin_token(
        settings.data_dir, settings.admin_token.get_secret_value() if settings.admin_token else None
    )
    if generated:
        print(
            f"\nMLX Manager admin token (stored in the data dir):\n    {token}\n", file=sys.stderr
        )
    if settings.config is not None:
        # Applied once here, not by every worker at once: one start-up and shut-down of the app.
        asyncio.run(_apply_config_once(settings))
        os.environ.pop("MLX_MANAGER_CONFIG", None)
    for field in ("host", "port", "data_dir", "allow_open"):
        value = getattr(settings, field)
        if value is not None:
            os.environ[f"MLX_MANAGER_{field.upper()}"] = str(value)


async def _apply_config_once(settings: Settings) -> None:
    from mlx_manager.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


def _exit_after_drain(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def migrate(data_dir: DataDirOption = None) -> int:
    """Upgrade the database schema and exit."""
    from mlx_manager.storage.migrate import upgrade_to_head

    settings = settings_from(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.resolved_database_url())
    print("Database is at the latest schema.")
    return 0
