"""``token show|rotate``: the admin token as this machine finds it, or a new one from the server."""

from __future__ import annotations

import typer

from mlx_manager.cli.client import TOKEN_FILE, Target, api
from mlx_manager.cli.output import JsonOption, note, print_json, say

app = typer.Typer(help="The admin token: show it, or rotate it.", no_args_is_help=True)


@app.command("show")
def show_token(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print the admin token the other commands use."""
    target = ctx.find_object(Target)
    assert target is not None  # the root command always sets it
    token = target.resolved_token()
    source = (
        "--token or MLX_MANAGER_ADMIN_TOKEN" if target.token else str(target.data_dir / TOKEN_FILE)
    )
    if as_json:
        print_json({"token": token, "source": source})
        return
    say(token)
    note(f"From {source}.")


@app.command("rotate")
def rotate_token(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Replace the admin token on the server: the old one stops working at once."""
    rotated = api(ctx).post("/api/admin-token/rotate")
    if as_json:
        print_json(rotated)
        return
    say(rotated["token"])
    note(f"The new admin token, stored in {rotated['stored_in']}; the old one no longer works.")
