"""``providers list|types|add|test|rm``: provider credentials (``/api/settings/providers``).

Keys are sent, never shown: the server answers the last four characters only.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from mlx_manager.cli.client import AdminClient, CliError, api
from mlx_manager.cli.output import JsonOption, cell, masked, print_json, print_table, say

app = typer.Typer(help="Provider credentials: list, add, test and remove.", no_args_is_help=True)

PATH = "/api/settings/providers"


def find_provider(client: AdminClient, ref: str) -> dict[str, Any]:
    """The provider named ``ref``, or of id ``ref``."""
    providers: list[dict[str, Any]] = client.get(PATH)["providers"]
    for provider in providers:
        if provider["name"] == ref or (ref.isdigit() and provider["id"] == int(ref)):
            return provider
    raise CliError(f"There is no provider '{ref}' (`mlx-manager providers list` names them).")


def _key(provider: dict[str, Any]) -> str:
    if not provider["has_key"]:
        return "none"
    if provider["key_status"] == "unreadable":
        return "unreadable: enter it again"
    return masked(provider["key_last4"])


def _base_url(provider: dict[str, Any]) -> str:
    default = " (default)" if provider["base_url"] is None else ""
    return f"{provider['effective_base_url']}{default}"


@app.command("list")
def list_providers(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The providers, with the base URL each uses (the catalogue's default where none is set)."""
    providers = api(ctx).get(PATH)["providers"]
    if as_json:
        print_json(providers)
        return
    print_table(
        ("id", "name", "type", "api", "base URL", "key"),
        (
            (p["id"], p["name"], p["backend_type"], p["api_type"], _base_url(p), _key(p))
            for p in providers
        ),
    )


@app.command("types")
def list_types(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The catalogue: every provider type, its protocols and default base URL."""
    defaults = api(ctx).get(f"{PATH}/defaults")["providers"]
    if as_json:
        print_json(defaults)
        return
    print_table(
        ("type", "label", "api (default first)", "default base URL", "key needed"),
        (
            (
                d["backend_type"],
                d["label"],
                ", ".join(d["api_types"]),
                d["base_url"] or f"none: give one, like {d['base_url_example'] or 'https://…'}",
                d["key_required"],
            )
            for d in defaults
        ),
    )


@app.command("add")
def add_provider(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="a name of your choosing, used in rules")],
    backend_type: Annotated[
        str, typer.Option("--type", help="the provider type (`providers types` lists them)")
    ],
    api_type: Annotated[
        str | None,
        typer.Option("--api", help="the protocol, where the type serves more than one"),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="the base URL (default: the catalogue's)")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            help="the API key; '-' reads it from stdin (keeps it out of the shell history)"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a provider; what is left out takes the catalogue's defaults."""
    if api_key == "-":
        api_key = sys.stdin.readline().strip()
    body: dict[str, object] = {"name": name, "backend_type": backend_type}
    for field, value in (("api_type", api_type), ("base_url", base_url), ("api_key", api_key)):
        if value:
            body[field] = value
    created = api(ctx).post(PATH, body)
    if as_json:
        print_json(created)
        return
    say(
        f"Added provider '{created['name']}' (id {created['id']}): {created['backend_type']},"
        f" {created['api_type']} at {_base_url(created)}, key {_key(created)}."
    )


@app.command("test")
def check_provider(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="name or id")],
    as_json: JsonOption = False,
) -> int:
    """Call the provider with its stored key: exit 0 when it answers, 1 when not."""
    client = api(ctx)
    found = find_provider(client, provider)
    result = client.post(f"{PATH}/{found['id']}/test")
    if as_json:
        print_json(result)
    elif result["ok"]:
        models = result["models"]
        listed = f"; {len(models)} models, e.g. {', '.join(models[:5])}" if models else ""
        say(f"{found['name']}: ok in {result['latency_ms']:.0f} ms{listed}")
    else:
        say(f"{found['name']}: failed ({cell(result['status'])}): {result['error']}")
    return 0 if result["ok"] else 1


@app.command("rm")
def remove_provider(
    ctx: typer.Context, provider: Annotated[str, typer.Argument(help="name or id")]
) -> None:
    """Remove a provider."""
    client = api(ctx)
    found = find_provider(client, provider)
    client.delete(f"{PATH}/{found['id']}")
    say(f"Removed provider '{found['name']}'.")
