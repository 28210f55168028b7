"""``keys create|list|revoke``: gateway keys for ``/v1`` (``/api/keys``). A new key's secret is
printed once, at creation; the server cannot show it again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from mlx_manager.cli.client import AdminClient, CliError, api
from mlx_manager.cli.output import JsonOption, note, print_json, print_table, say, when

app = typer.Typer(help="Gateway keys for /v1: create, list and revoke.", no_args_is_help=True)

PATH = "/api/keys"


def _limits(key: dict[str, Any]) -> str:
    parts = []
    if key["requests_per_minute"] is not None:
        parts.append(f"{key['requests_per_minute']} req/min")
    if key["tokens_per_minute"] is not None:
        parts.append(f"{key['tokens_per_minute']} tok/min")
    return ", ".join(parts) or "none"


def _models(key: dict[str, Any]) -> str:
    return ", ".join(key["model_patterns"]) or "all"


def find_key(client: AdminClient, ref: str) -> dict[str, Any]:
    keys: list[dict[str, Any]] = client.get(PATH)["keys"]
    matches = [k for k in keys if k["name"] == ref or (ref.isdigit() and k["id"] == int(ref))]
    live = [k for k in matches if not k["revoked"]] or matches
    if not live:
        raise CliError(f"There is no key '{ref}' (`mlx-manager keys list` names them).")
    if len(live) > 1:
        ids = ", ".join(str(k["id"]) for k in live)
        raise CliError(f"Several keys are named '{ref}' (ids {ids}); give the id.")
    return live[0]


@app.command("create")
def create_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="who or what the key is for")],
    models: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="a model name glob it may call; repeat; default all"),
    ] = None,
    rpm: Annotated[int | None, typer.Option("--rpm", help="requests per minute")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", help="tokens per minute")] = None,
    expires: Annotated[
        datetime | None, typer.Option(help="when it stops working (UTC unless an offset is given)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key; its secret is printed this once."""
    body: dict[str, object] = {
        "name": name,
        "model_patterns": models or [],
        "requests_per_minute": rpm,
        "tokens_per_minute": tpm,
        "expires_at": expires.isoformat() if expires else None,
    }
    created = api(ctx).post(PATH, body)
    if as_json:
        print_json(created)
        return
    say(created["key"])
    note(
        f"Key '{created['name']}' (id {created['id']}; models: {_models(created)}; limits:"
        f" {_limits(created)}). This is the only time it is shown: store it now."
    )


@app.command("list")
def list_keys(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The keys, as their first and last characters, with their limits and models."""
    keys = api(ctx).get(PATH)["keys"]
    if as_json:
        print_json(keys)
        return
    print_table(
        ("id", "name", "key", "models", "limits", "expires", "last used", "state"),
        (
            (
                k["id"],
                k["name"],
                f"{k['prefix']}…{k['last4']}",
                _models(k),
                _limits(k),
                when(k["expires_at"]),
                when(k["last_used_at"]),
                "revoked" if k["revoked"] else "active",
            )
            for k in keys
        ),
    )


@app.command("revoke")
def revoke_key(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="name or id")],
    as_json: JsonOption = False,
) -> None:
    """Stop a key at once (it stays listed, as revoked)."""
    client = api(ctx)
    found = find_key(client, key)
    revoked = client.post(f"{PATH}/{found['id']}/revoke")
    if as_json:
        print_json(revoked)
        return
    say(f"Revoked key '{revoked['name']}' (id {revoked['id']}).")
