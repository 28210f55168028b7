"""Serving the built UI at ``/`` with a fallback to ``index.html`` for client-side routes."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
"""Where ``npm run build`` in ``frontend/`` writes the UI."""

# First path segments that belong to the server: a miss there is a 404, never the UI's page.
SERVER_PREFIXES = frozenset({"api", "v1", "health", "docs", "redoc", "openapi.json"})
IMMUTABLE_DIR = "_app/immutable/"
MOUNT_NAME = "web"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MLX Manager</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>MLX Manager</h1>
<p>The web UI is not built. The API at <code>/api</code> and <code>/v1</code> works without it.</p>
<p>Build it with:</p>
<pre>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>(<code>make run</code> does this for you), then reload this page.</p>
</body></html>
"""


class SinglePageApp(StaticFiles):
    """The build's files; any other path outside the server's own answers ``index.html``."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        first = path.split(os.sep, 1)[0]
        if first in SERVER_PREFIXES:
            raise HTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or not _is_client_route(path):
                raise
        index = Path(self.directory or "") / "index.html"
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    def file_response(
        self,
        full_path: os.PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        # Hashed build assets never change; everything else must be revalidated after an upgrade.
        relative = Path(full_path).relative_to(Path(self.directory or "").resolve()).as_posix()
        immutable = relative.startswith(IMMUTABLE_DIR)
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        return response


def _is_client_route(path: str) -> bool:
    # A missing script or image is a real 404; only extension-less paths are the UI's own pages.
    return not path.startswith("_app") and "." not in Path(path).name


def mount_web(app: FastAPI, static_dir: Path) -> None:
    """Serve the UI at ``/``. Call it after every router, so it never shadows ``/api`` or ``/v1``.

    Without a build in ``static_dir`` the root answers a short page that says how to build it.
    """
    if not (static_dir / "index.html").is_file():

        async def ui_not_built() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT_PAGE)

        app.add_api_route("/", ui_not_built, methods=["GET"], include_in_schema=False)
        return
    app.mount("/", SinglePageApp(directory=static_dir.resolve(), html=True), name=MOUNT_NAME)
