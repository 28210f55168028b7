"""``config export|import``: the providers and rules as a YAML set-up file (``config_file.py``),
through ``/api/settings/config``.

An export names each stored key as ``${NAME_API_KEY}``; an import replaces such references from
this shell's environment before sending, and is checked here first, so a bad file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mlx_manager.cli.client import CliError, api
from mlx_manager.cli.output import JsonOption, print_json, say

app = typer.Typer(help="The YAML set-up file: export and import.", no_args_is_help=True)

PATH = "/api/settings/config"


def _compact(value: Any) -> Any:
    """Without the nulls, which the file format takes as 'the default'."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


@app.command("export")
def export_config(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print (or write) the providers and rules as a file `config import` or `serve --config`
    takes."""
    import json

    import yaml

    config = _compact(api(ctx).get(PATH))
    if as_json:
        text = json.dumps(config, indent=2) + "\n"
    else:
        text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text)
    say(f"Wrote {len(config['providers'])} providers and {len(config['rules'])} rules to {output}.")


@app.command("import")
def import_config(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="a YAML file, as `config export` writes")],
    as_json: JsonOption = False,
) -> None:
    """Create or update the providers and rules the file names (by name; the rest stays)."""
    from mlx_manager.config_file import ConfigFileError, expand_env, load_config_file

    try:
        config = load_config_file(path)
        for entry in config.providers:
            where = f"providers[{entry.name}]"
            if entry.api_key is not None:
                entry.api_key = expand_env(entry.api_key, where=where)
            if entry.base_url is not None:
                entry.base_url = expand_env(entry.base_url, where=where)
    except ConfigFileError as exc:
        raise CliError(str(exc)) from None
    applied = api(ctx).post(PATH, config.model_dump(mode="json"))
    if as_json:
        print_json(applied)
        return
    say(f"Applied {applied['providers']} providers and {applied['rules']} rules from {path}.")
