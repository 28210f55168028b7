"""Puts the built web UI into the sdist and the wheel.

``src/mlx_manager/web/static`` is git-ignored, so hatch would leave it out and ``pipx install``
would give a server without its UI. ``[tool.hatch.build] artifacts`` takes the built files in
anyway; this hook builds them first (``npm ci``, then ``npm run build`` in ``frontend/``) when
they are missing or older than the frontend's sources. An sdist carries the built UI, so a wheel
built from it needs no Node.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC_INDEX = Path("src/mlx_manager/web/static/index.html")
FRONTEND = Path("frontend")
# What the build reads, as the Makefile's WEB_SOURCES lists it.
SOURCE_DIRS = ("src", "static")
SOURCE_FILES = (
    "package-lock.json",
    "package.json",
    "svelte.config.js",
    "vite.config.ts",
    "tsconfig.json",
)
NODE_HINT = (
    "building the web UI needs Node.js 20.19+ (or 22.12+) and npm on PATH"
    " (https://nodejs.org, `brew install node`, or `apt-get install nodejs npm`)"
)


class WebUIBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "web-ui"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        # An editable install (`uv sync`) serves the checkout's static dir, which `make web` builds.
        if version == "editable":
            return
        root = Path(self.root)
        if needs_build(root):
            build_web_ui(root / FRONTEND)
        if not (root / STATIC_INDEX).is_file():
            raise RuntimeError(f"the web UI build did not write {STATIC_INDEX}")


def needs_build(root: Path) -> bool:
    index = root / STATIC_INDEX
    if not index.is_file():
        return True
    frontend = root / FRONTEND
    built_at = index.stat().st_mtime
    return any(path.stat().st_mtime > built_at for path in _sources(frontend))


def _sources(frontend: Path) -> list[Path]:
    files = [frontend / name for name in SOURCE_FILES if (frontend / name).is_file()]
    for folder in SOURCE_DIRS:
        if (frontend / folder).is_dir():
            files.extend(path for path in (frontend / folder).rglob("*") if path.is_file())
    return files


def build_web_ui(frontend: Path) -> None:
    if not (frontend / "package.json").is_file():
        raise RuntimeError(
            f"the web UI is not built and its sources are missing ({frontend / 'package.json'})"
        )
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(NODE_HINT)
    installed = frontend / "node_modules" / ".package-lock.json"
    lock = frontend / "package-lock.json"
    # `npm ci` starts from an empty node_modules: skip it while the install matches the lock.
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        _npm(npm, ["ci", "--no-audit", "--no-fund"], frontend)
    _npm(npm, ["run", "build"], frontend)


def _npm(npm: str, args: list[str], frontend: Path) -> None:
    result = subprocess.run([npm, *args], cwd=frontend, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"`npm {' '.join(args)}` in {frontend} failed ({result.returncode})")
