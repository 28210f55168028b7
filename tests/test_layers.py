"""Imports flow one way: core <- protocols <- backends <- routing <- api <- app/cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlx_manager"

# What each layer must not import.
FORBIDDEN = {
    "core": {"protocols", "backends", "routing", "api", "storage", "providers", "app", "cli"},
    "protocols": {"backends", "routing", "api", "storage", "app", "cli"},
    "backends": {"routing", "api", "app", "cli"},
    "routing": {"api", "app", "cli"},
    "providers": {"api", "routing", "app", "cli"},
    "storage": {"api", "routing", "backends", "protocols", "app", "cli"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("mlx_manager.")}
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    offending = {
        str(path.relative_to(PACKAGE)): sorted(_imports(path) & FORBIDDEN[layer])
        for path in (PACKAGE / layer).rglob("*.py")
    }
    assert {path: bad for path, bad in offending.items() if bad} == {}
