"""Imports flow one way, down this list: a module imports its own package and the layers below
it, never a layer above it or a sibling in its own layer. Every package and top-level module of
the tree has a place here, so a new one has to take its place before any test passes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlx_manager"

# Lowest first. The request path reads bottom up: HTTP in (api), the gateway service (route,
# failover, balance), backends (local MLX, HTTP providers) over the codecs, storage.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "settings", "gc_tuning"),
    ("core",),
    ("protocols",),
    ("storage",),
    ("accounts", "providers"),
    ("backends",),
    ("routing",),
    ("gateway_keys", "observability"),
    ("cluster",),
    ("gateway",),
    ("config_file",),
    ("api",),
    ("web",),
    ("app",),
    ("cli",),
    ("__main__",),
)
LEVEL = {part: level for level, layer in enumerate(LAYERS) for part in layer}


def _part(path: Path) -> str:
    """The package or top-level module ``path`` belongs to."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "mlx_manager":
                found.add("__init__")
            elif name.startswith("mlx_manager."):
                found.add(name.split(".")[1])
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_tree_has_a_layer() -> None:
    assert {_part(path) for path in SOURCES} - set(LEVEL) == set()


@pytest.mark.parametrize("part", sorted(LEVEL))
def test_a_layer_imports_only_layers_below_it(part: str) -> None:
    offending = {}
    for path in SOURCES:
        if _part(path) != part:
            continue
        upward = {
            other
            for other in _imports(path) - {part}
            if LEVEL.get(other, len(LAYERS)) >= LEVEL[part]
        }
        if upward:
            offending[str(path.relative_to(PACKAGE))] = sorted(upward)
    assert offending == {}
