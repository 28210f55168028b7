"""Messages and docs send users only to screens and commands that exist.

The UI's screens are the folders of ``frontend/src/routes``; the commands are those the CLI
accepts. Every string in ``src/`` and every Markdown file of the docs is read, and each place
that names a screen (``the Routing page (/routing)``, a menu path such as ``Settings → X``) or a
command (`` `mlx-manager migrate` ``) is checked against them.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mlx_manager"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ROUTES = ROOT / "frontend" / "src" / "routes"

# ``the Routing page``, ``the Keys page (/keys)``, ``the Keys page, /keys,``.
PAGE = re.compile(r"\b[Tt]he ([A-Z][\w-]*) (?:page|screen|tab)\b(?:,? \(?(/[\w/-]*))?")
# A menu path: ``Settings → Providers``, ``Models › Download``.
MENU = re.compile(r"\b([A-Z][\w-]*(?: [A-Z][\w-]*)*) ?[→›»] ?[A-Z]")
# A command in backticks, or on a shell line of a code block.
COMMAND = re.compile(r"`{1,2}(?:uvx (?:--from \S+ )?)?mlx-manager ([a-z][\w-]*)")
SHELL_LINE = re.compile(r"^\s*(?:\$ )?(?:uvx (?:--from \S+ )?)?mlx-manager ([a-z][\w-]*)")


def routes() -> set[str]:
    return {p.name for p in ROUTES.iterdir() if p.is_dir()}


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            # An f-string's fixed parts, with its fields as a placeholder word.
            parts = [
                v.value if isinstance(v, ast.Constant) else "x"
                for v in node.values
                if isinstance(v, ast.Constant | ast.FormattedValue)
            ]
            yield node.lineno, "".join(str(p) for p in parts)


def texts() -> Iterator[tuple[str, str, bool]]:
    """(where, text, is a shell line of a code block) for every string and docs line."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for number, text in _strings(tree):
            yield f"{path.relative_to(ROOT)}:{number}", text, False
    for path in DOCS:
        fenced = False
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            # Table rows hold data (``OpenAI → Anthropic`` is a translation, not a menu).
            if line.lstrip().startswith("|") and not fenced:
                line = re.sub(r"[→›»]", " ", line)
            yield f"{path.relative_to(ROOT)}:{number}", line, fenced


def screen_problems(where: str, text: str, known: set[str]) -> list[str]:
    problems = []
    for match in PAGE.finditer(text):
        name, path = match.group(1), match.group(2)
        if name.lower() not in known:
            problems.append(f"{where}: no '{name}' screen ({match.group(0)!r})")
        if path is not None and path.strip("/") not in known:
            problems.append(f"{where}: no route {path} ({match.group(0)!r})")
        elif path is not None and path.strip("/") != name.lower():
            problems.append(f"{where}: {path} is not the {name} screen")
    for match in MENU.finditer(text):
        top = match.group(1).split(" ")[-1]
        if top.lower() not in known:
            problems.append(f"{where}: no '{top}' screen ({match.group(0)!r})")
    return problems


def mentioned_commands() -> dict[str, str]:
    """Each command named, with one place that names it."""
    found: dict[str, str] = {}
    for where, text, shell in texts():
        for match in COMMAND.finditer(text):
            found.setdefault(match.group(1), where)
        if shell and (line := SHELL_LINE.match(text)):
            found.setdefault(line.group(1), where)
    return found


@cache
def command_exists(name: str) -> bool:
    # Asked of the CLI itself, as a user would, so the check holds whatever builds the parser.
    done = subprocess.run(
        [sys.executable, "-m", "mlx_manager", name, "--help"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode == 0


def test_messages_and_docs_name_only_screens_the_ui_has() -> None:
    known = routes()
    assert {"providers", "routing", "keys", "models"} <= known
    problems = [p for where, text, _ in texts() for p in screen_problems(where, text, known)]
    assert problems == []


def test_messages_and_docs_name_only_commands_the_cli_has() -> None:
    commands = mentioned_commands()
    assert {"serve", "migrate"} <= set(commands)
    missing = [
        f"{where}: mlx-manager {c}" for c, where in commands.items() if not command_exists(c)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Add a rule in Settings → Routing.", "no 'Settings' screen"),
        ("Open Models › Download.", None),
        ("re-enter it on the Providers page (/providers)", None),
        ("see the Routing screen", None),
        ("on the Keys page, /keys, or", None),
        ("set it on the Tokens page", "no 'Tokens' screen"),
        ("on the Keys page (/tokens)", "no route /tokens"),
        ("on the Keys page (/users)", "/users is not the Keys screen"),
    ],
)
def test_the_check_finds_what_it_should(text: str, problem: str | None) -> None:
    found = screen_problems("here", text, routes())
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0]


def test_a_command_the_cli_lacks_is_found() -> None:
    assert COMMAND.findall("run `mlx-manager frobnicate` then ``mlx-manager serve``") == [
        "frobnicate",
        "serve",
    ]
    assert SHELL_LINE.match("$ uvx --from x.whl mlx-manager serve --port 1")
    assert command_exists("serve")
    assert not command_exists("frobnicate")
