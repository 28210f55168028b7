"""The ``mlx-manager`` command: ``serve`` and ``migrate`` run the server; the other commands are
thin clients of a running server's admin API (``/api``), as tables or ``--json``.

Each command lives in a module of its own, imported when its group is built; heavy modules
(httpx, the app, rich's tables) are imported inside the commands, so ``--help`` stays quick.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from mlx_manager.cli import config, keys, logs, models, providers, rules, server, status, token
from mlx_manager.cli.client import CliError, Target
from mlx_manager.cli.service import service_app

app = typer.Typer(
    name="mlx-manager",
    no_args_is_help=True,
    add_completion=False,
    # A failure is one line on stderr (``main``), never a traceback with its locals.
    pretty_exceptions_enable=False,
)
app.command()(server.serve)
app.command()(server.migrate)
app.command(name="status")(status.show_status)
app.add_typer(providers.app, name="providers")
app.add_typer(rules.app, name="rules")
app.add_typer(keys.app, name="keys")
app.add_typer(models.app, name="models")
app.add_typer(logs.app, name="logs")
app.add_typer(config.app, name="config")
app.add_typer(token.app, name="token")
app.add_typer(service_app, name="service")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"mlx-manager {version('mlx-manager')}")
        # As argparse's --version did: the process ends here, whoever called ``main``.
        raise SystemExit(0)


@app.callback()
def connect(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            envvar="MLX_MANAGER_URL",
            help="the server (default: where `serve` last listened, else http://127.0.0.1:10242)",
            show_default=False,
        ),
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="MLX_MANAGER_ADMIN_TOKEN",
            help="the admin token (default: the one in the data dir)",
            show_default=False,
            show_envvar=False,
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="MLX_MANAGER_DATA_DIR",
            help="data directory (default ~/.mlx-manager)",
            show_default=False,
        ),
    ] = None,
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """MLX Manager: one local gateway for every LLM client. `serve` runs it; the other commands
    manage a running server through its admin API (a table, or --json for scripts)."""
    if data_dir is None:
        from mlx_manager.settings import Settings

        data_dir = Settings().data_dir
    target = Target(url=url, token=admin_token, data_dir=data_dir)
    ctx.obj = target
    ctx.call_on_close(target.close)


def main(argv: Sequence[str] | None = None) -> int:
    """The exit status: a command's own, 1 for a failed call (said in one line on stderr), 2 for
    a command line that does not parse."""
    command = typer.main.get_command(app)
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="mlx-manager",
            standalone_mode=False,
        )
    except CliError as exc:
        print(f"mlx-manager: {exc}", file=sys.stderr)
        return 1
    except typer.Abort:
        print("mlx-manager: stopped.", file=sys.stderr)
        return 130
    except typer.TyperException as exc:
        # A command line that does not parse: click's usage line and the problem.
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            print(f"mlx-manager: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mlx-manager: stopped.", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0
