"""The ``mlx-manager`` command: ``serve`` and ``migrate``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mlx_manager.settings import DEFAULT_PORT, Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    for field in ("host", "port", "data_dir", "config"):
        value = getattr(args, field, None)
        if value is not None:
            overrides[field] = value
    return Settings(**overrides)  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mlx_manager.app import create_app
    from mlx_manager.config_file import ConfigFileError, load_config_file

    settings = _settings(args)
    if settings.config is not None:
        try:
            load_config_file(settings.config)  # fail before binding, with a plain message
        except ConfigFileError as exc:
            print(f"mlx-manager: {exc}", file=sys.stderr)
            return 2
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        server_header=False,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from mlx_manager.storage.migrate import upgrade_to_head

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.resolved_database_url())
    print("Database is at the latest schema.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlx-manager", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway server")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--data-dir", type=Path, help="data directory (default ~/.mlx-manager)")
    serve.add_argument(
        "--config", type=Path, help="YAML file of providers and rules to apply at start-up"
    )
    serve.set_defaults(run=_serve)
    migrate = commands.add_parser("migrate", help="upgrade the database schema and exit")
    migrate.add_argument("--data-dir", type=Path, help="data directory (default ~/.mlx-manager)")
    migrate.set_defaults(run=_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result
