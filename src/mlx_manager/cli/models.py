"""``models list|pull|rm|load|unload``: the local MLX models (``/api/models``).

``pull`` follows the server's download event stream (``progress`` events, then one ``done``,
``error`` or ``cancelled``, each carrying the whole download state) with a progress bar.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from mlx_manager.cli.client import CliError, api
from mlx_manager.cli.output import JsonOption, console, note, print_json, print_table, say, size

if TYPE_CHECKING:
    import httpx

app = typer.Typer(
    help="Local MLX models: list, pull from the Hub, remove, load and unload.",
    no_args_is_help=True,
)

PATH = "/api/models"
NameArgument = Annotated[str, typer.Argument(help="the model's name, as `models list` shows it")]


def _path(name: str, action: str = "") -> str:
    return f"{PATH}/{quote(name, safe='/')}{'/' + action if action else ''}"


@app.command("list")
def list_models(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The models on disk (Hugging Face cache and the data dir), and which are loaded."""
    models = api(ctx).get(PATH)["models"]
    if as_json:
        print_json(models)
        return
    print_table(
        ("name", "size", "kind", "architecture", "source", "loaded", "pinned"),
        (
            (
                m["name"],
                size(m["size_bytes"]),
                m["kind"],
                m["architecture"],
                m["source"],
                m["loaded"],
                m["pinned"],
            )
            for m in models
        ),
    )


@app.command("load")
def load_model(
    ctx: typer.Context,
    name: NameArgument,
    pin: Annotated[bool, typer.Option("--pin", help="keep it loaded: never evicted")] = False,
    as_json: JsonOption = False,
) -> None:
    """Load a model into memory."""
    model = api(ctx).post(_path(name, "load"), {"pin": pin})
    if as_json:
        print_json(model)
        return
    say(f"Loaded {model['name']}{' (pinned)' if model['pinned'] else ''}.")


@app.command("unload")
def unload_model(ctx: typer.Context, name: NameArgument, as_json: JsonOption = False) -> None:
    """Free a loaded model's memory."""
    model = api(ctx).post(_path(name, "unload"))
    if as_json:
        print_json(model)
        return
    say(f"Unloaded {model['name']}.")


@app.command("rm")
def remove_model(ctx: typer.Context, name: NameArgument) -> None:
    """Delete a model's files (the server refuses while it is loaded)."""
    api(ctx).delete(_path(name))
    say(f"Removed {name}.")


@app.command("pull")
def pull_model(
    ctx: typer.Context,
    repo_id: Annotated[str, typer.Argument(help="a Hub repo, like mlx-community/Qwen3-4B-4bit")],
    revision: Annotated[
        str | None, typer.Option(help="a branch, tag or commit (default: the main branch)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Download a model from the Hugging Face Hub, with progress, speed and time left."""
    body = {"repo_id": repo_id, "revision": revision}
    with api(ctx).stream("POST", f"{PATH}/download", body=body) as reply:
        download_id = reply.headers.get("x-download-id", "?")
        try:
            final = _follow(_events(reply), show=not as_json)
        except KeyboardInterrupt:
            note(
                f"Stopped watching; download {download_id} goes on in the server"
                f" (DELETE {PATH}/downloads/{download_id} cancels it)."
            )
            raise
    if final["status"] != "done":
        raise CliError(f"The download of {repo_id} {final['status']}: {final['error']}")
    if as_json:
        print_json(final)
        return
    say(f"Pulled {final['model']} ({size(final['bytes_total'])}, {final['files_total']} files).")


def _events(reply: httpx.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    """Server-sent events as (name, data); a frame ends at a blank line."""
    name, data = "message", ""
    for line in reply.iter_lines():
        if not line:
            if data:
                yield name, json.loads(data)
            name, data = "message", ""
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()


def _follow(events: Iterator[tuple[str, dict[str, Any]]], *, show: bool) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    final: dict[str, Any] | None = None
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        disable=not show,
    ) as progress:
        task = progress.add_task("", total=None)
        for _name, state in events:
            final = state
            files = f"{state['repo_id']} ({state['files_done']}/{state['files_total']} files)"
            progress.update(
                task,
                description=files,
                completed=state["bytes_done"],
                total=state["bytes_total"] or None,
            )
    if final is None:
        raise CliError("The server's download stream ended before any event.")
    return final
