"""``logs tail``: the request log (``/api/logs``, newest first, paged by cursor), last rows and,
with ``--follow``, new ones as they are written. ``--json`` prints one JSON object per line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from mlx_manager.cli.client import AdminClient, api
from mlx_manager.cli.output import JsonOption, cell, print_json_line, print_table, say, when

app = typer.Typer(help="The request log.", no_args_is_help=True)

PATH = "/api/logs"
PAGE = 1000


def _route(row: dict[str, Any]) -> str:
    served = f"{row['provider']}/{row['model']}" if row["provider"] else "-"
    return f"{row['model_requested'] or '-'} → {served}"


def _tokens(row: dict[str, Any]) -> str:
    if row["input_tokens"] is None and row["output_tokens"] is None:
        return "-"
    return f"{cell(row['input_tokens'])}→{cell(row['output_tokens'])}"


def _line(row: dict[str, Any]) -> str:
    error = f"  {row['error']}" if row["error"] else ""
    return (
        f"{when(row['created_at'])}  {row['status']}  {row['endpoint']}  {_route(row)}"
        f"  {row['latency_ms']:.0f} ms  {_tokens(row)} tok  {row['api_key_name'] or '-'}{error}"
    )


def _newer(
    client: AdminClient, params: dict[str, Any], after: int, limit: int
) -> list[dict[str, Any]]:
    """Rows with ids above ``after``, at most ``limit``, oldest first."""
    rows: list[dict[str, Any]] = []
    cursor: int | None = None
    while len(rows) < limit:
        query = {**params, "limit": min(PAGE, limit)}
        if cursor is not None:
            query["cursor"] = cursor
        page = client.get(PATH, params=query)
        fresh = [r for r in page["items"] if r["id"] > after]
        rows.extend(fresh)
        cursor = page["next_cursor"]
        if cursor is None or len(fresh) < len(page["items"]):
            break
    return list(reversed(rows[:limit]))


def _follow(
    client: AdminClient, params: dict[str, Any], after: int, interval: float
) -> Iterator[dict[str, Any]]:
    while True:
        time.sleep(interval)
        for row in _newer(client, params, after, PAGE * 10):
            after = row["id"]
            yield row


@app.command("tail")
def tail(
    ctx: typer.Context,
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="rows to show first")] = 20,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="go on printing new rows (Ctrl-C stops)")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="seconds between checks for new rows")
    ] = 1.0,
    model: Annotated[str | None, typer.Option(help="asked for or served")] = None,
    provider: Annotated[str | None, typer.Option(help="a provider's name")] = None,
    status: Annotated[str | None, typer.Option(help="an HTTP status, or a class: 4xx")] = None,
    key: Annotated[str | None, typer.Option(help="a gateway key's name")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="failed requests only")] = False,
    as_json: JsonOption = False,
) -> None:
    """The latest requests, oldest first; with --follow, new ones as they come."""
    client = api(ctx)
    params: dict[str, Any] = {
        name: value
        for name, value in (
            ("model", model),
            ("provider", provider),
            ("status", status),
            ("key", key),
        )
        if value is not None
    }
    if errors:
        params["errors"] = True
    last = _newer(client, params, 0, lines) if lines else []
    if not lines and follow:
        newest = client.get(PATH, params={**params, "limit": 1})["items"]
        after = newest[0]["id"] if newest else 0
    else:
        after = last[-1]["id"] if last else 0
    if as_json:
        for row in last:
            print_json_line(row)
    elif follow:
        for row in last:
            say(_line(row))
    else:
        print_table(
            ("time", "status", "endpoint", "model → served", "ms", "tokens", "key", "error"),
            (
                (
                    when(r["created_at"]),
                    r["status"],
                    r["endpoint"],
                    _route(r),
                    f"{r['latency_ms']:.0f}",
                    _tokens(r),
                    r["api_key_name"],
                    r["error"],
                )
                for r in last
            ),
        )
    if not follow:
        return
    for row in _follow(client, params, after, interval):
        if as_json:
            print_json_line(row)
        else:
            say(_line(row))
