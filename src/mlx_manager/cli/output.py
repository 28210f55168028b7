"""How commands answer: a rich table for people, JSON (``--json``) for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of a table")]

if TYPE_CHECKING:
    from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    # Built per use, so output follows whatever sys.stdout is now (tests capture it).
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def print_json_line(data: object) -> None:
    sys.stdout.write(json.dumps(data, default=str) + "\n")
    sys.stdout.flush()


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], *, title: str | None = None
) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    console().print(table)


def say(message: str) -> None:
    console().print(message, markup=False)


def note(message: str) -> None:
    """A remark beside the answer, on stderr, so ``--json`` output stays clean."""
    console(stderr=True).print(message, markup=False)


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def masked(last4: str | None) -> str:
    """A stored secret as ``…abcd``: enough to recognise it, not to use it."""
    return f"…{last4}" if last4 else "-"


def size(count: int | None) -> str:
    if count is None:
        return "-"
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def when(value: Any) -> str:
    """An ISO time from the API, to the second."""
    if not value:
        return "-"
    return str(value).replace("T", " ")[:19]
