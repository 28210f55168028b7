"""``rules list|add|rm|test``: routing rules (``/api/settings/rules``) and the router's dry run."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from mlx_manager.cli.client import AdminClient, CliError, api
from mlx_manager.cli.output import JsonOption, cell, print_json, print_table, say
from mlx_manager.cli.providers import find_provider

app = typer.Typer(
    help="Routing rules: list, add, remove, and test a model name.", no_args_is_help=True
)

PATH = "/api/settings/rules"
# ``provider``, ``provider:model``, either with ``@weight``; the model part may hold ':' itself.
_TARGET = re.compile(r"^(?P<provider>[^:@]+)(?::(?P<model>.+?))?(?:@(?P<weight>\d+))?$")


def _target_text(target: dict[str, Any]) -> str:
    provider = "local" if target["provider"] == "local" else target["provider_name"]
    text = f"{provider or '(removed provider)'}:{target['model'] or '(as asked)'}"
    if target["weight"] != 1:
        text += f"@{target['weight']}"
    if not target["usable"]:
        text += f" [{target['problem']}]"
    return text


def parse_target(client: AdminClient, text: str) -> dict[str, object]:
    match = _TARGET.match(text.strip())
    if match is None:
        raise CliError(
            f"Target '{text}': write PROVIDER, PROVIDER:MODEL or PROVIDER:MODEL@WEIGHT"
            " (PROVIDER is a provider's name, or local)."
        )
    provider: int | str = match["provider"]
    if provider != "local":
        provider = find_provider(client, str(provider))["id"]
    target: dict[str, object] = {"provider": provider, "model": match["model"]}
    if match["weight"]:
        target["weight"] = int(match["weight"])
    return target


@app.command("list")
def list_rules(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The rules in priority order (the first that matches a model name routes it)."""
    rules = api(ctx).get(PATH)["rules"]
    if as_json:
        print_json(rules)
        return
    print_table(
        ("id", "pattern", "match", "strategy", "targets", "enabled"),
        (
            (
                r["id"],
                r["pattern"],
                r["pattern_type"],
                r["strategy"],
                "\n".join(_target_text(t) for t in r["targets"]),
                r["enabled"],
            )
            for r in rules
        ),
    )


@app.command("add")
def add_rule(
    ctx: typer.Context,
    pattern: Annotated[str, typer.Argument(help="the model name (or pattern) callers ask for")],
    targets: Annotated[
        list[str],
        typer.Option(
            "--target",
            "-t",
            help="PROVIDER[:MODEL][@WEIGHT], in order; repeat for fallbacks (PROVIDER: a name,"
            " or local; no MODEL sends the asked-for name)",
        ),
    ],
    pattern_type: Annotated[
        str, typer.Option("--match", help="exact, prefix, glob or regex")
    ] = "exact",
    strategy: Annotated[
        str, typer.Option(help="ordered, weighted, least_busy or latency")
    ] = "ordered",
    description: Annotated[str, typer.Option(help="a note for people")] = "",
    disabled: Annotated[bool, typer.Option("--disabled", help="add it switched off")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a rule after the existing ones."""
    client = api(ctx)
    body = {
        "pattern": pattern,
        "pattern_type": pattern_type,
        "targets": [parse_target(client, t) for t in targets],
        "strategy": strategy,
        "enabled": not disabled,
        "description": description,
    }
    created = client.post(PATH, body)
    if as_json:
        print_json(created)
        return
    routes = ", then ".join(_target_text(t) for t in created["targets"])
    say(f"Added rule {created['id']}: {created['pattern_type']} '{created['pattern']}' → {routes}")


@app.command("rm")
def remove_rule(
    ctx: typer.Context, rule_id: Annotated[int, typer.Argument(help="rule id")]
) -> None:
    """Remove a rule."""
    api(ctx).delete(f"{PATH}/{rule_id}")
    say(f"Removed rule {rule_id}.")


@app.command("test")
def try_route(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="a model name as a caller would send it")],
    as_json: JsonOption = False,
) -> int:
    """Which target a request for MODEL would go to now (exit 1 when none)."""
    result = api(ctx).post(f"{PATH}/test", {"model": model})
    if as_json:
        print_json(result)
        return 0 if result["source"] is not None else 1
    if result["source"] is None:
        raise CliError(f"No route for '{model}': {result['error']}")
    rule = result["rule"]
    how = f"rule {rule['id']} ({rule['pattern_type']} '{rule['pattern']}')" if rule else None
    say(f"'{model}' routes by {how or result['source']}: {result['reason']}")
    print_table(
        ("", "target", "model", "usable", "weighing"),
        (
            (
                "→" if t["picked"] else "",
                t["provider_name"] or t["kind"],
                t["model"],
                "yes" if t["usable"] else f"no: {t['problem']}",
                cell(t["weighing"]),
            )
            for t in result["targets"]
        ),
    )
    return 0
