"""Serving the built UI: files, the single-page-app fallback, and never shadowing the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from mlx_manager.web.static_files import mount_web

INDEX = "<!doctype html><title>MLX Manager</title><div id=app></div>"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "_app" / "immutable" / "entry").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "favicon.svg").write_text("<svg/>")
    (root / "_app" / "immutable" / "entry" / "app.abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


def api_like_app() -> FastAPI:
    """Routes under the prefixes the UI must leave alone, registered first, as in create_app."""
    app = FastAPI()

    @app.get("/api/settings/things")
    async def things() -> dict[str, list[str]]:
        return {"things": []}

    @app.post("/v1/chat/completions")
    async def completions() -> dict[str, str]:
        return {"object": "chat.completion"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def web(static_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = api_like_app()
    mount_web(app, static_dir)
    async for client in client_for(app):
        yield client


async def test_root_and_client_routes_answer_the_index(web: httpx.AsyncClient) -> None:
    for path in ("/", "/providers", "/routing/", "/keys", "/users", "/signin?next=%2Frouting"):
        response = await web.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


async def test_build_files_are_served_and_hashed_ones_cached_for_good(
    web: httpx.AsyncClient,
) -> None:
    asset = await web.get("/_app/immutable/entry/app.abc123.js")
    assert asset.status_code == 200
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    icon = await web.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["cache-control"] == "no-cache"


async def test_missing_assets_are_404_not_the_index(web: httpx.AsyncClient) -> None:
    for path in ("/_app/immutable/entry/gone.js", "/_app/version.json", "/logo.png"):
        assert (await web.get(path)).status_code == 404, path


async def test_server_routes_are_not_shadowed(web: httpx.AsyncClient) -> None:
    assert (await web.get("/api/settings/things")).json() == {"things": []}
    assert (await web.post("/v1/chat/completions")).json() == {"object": "chat.completion"}
    assert (await web.get("/health")).json() == {"status": "ok"}
    assert (await web.get("/openapi.json")).json()["openapi"].startswith("3.")
    assert "swagger" in (await web.get("/docs")).text.lower()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/nope"),
        ("GET", "/api/settings/things/1/nope"),
        ("POST", "/v1/nope"),
        ("GET", "/v1/"),
        ("GET", "/health/x"),
        ("GET", "/docs/x"),
    ],
)
async def test_unknown_server_paths_are_json_404(
    web: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await web.request(method, path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


async def test_files_outside_the_build_are_unreachable(web: httpx.AsyncClient) -> None:
    response = await web.get("/../secret.txt")
    assert "outside the build" not in response.text
    response = await web.get("/%2e%2e/secret.txt")
    assert "outside the build" not in response.text


async def test_without_a_build_the_root_says_how_to_build(tmp_path: Path) -> None:
    app = api_like_app()
    mount_web(app, tmp_path / "missing")
    async for client in client_for(app):
        response = await client.get("/")
        assert response.status_code == 200
        assert "not built" in response.text
        assert "npm run build" in response.text
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/providers")).status_code == 404


async def test_the_real_app_keeps_its_api(
    app: FastAPI, client: httpx.AsyncClient, static_dir: Path
) -> None:
    mount_web(app, static_dir)
    providers = await client.get("/api/settings/providers")
    assert providers.status_code == 200
    assert providers.json() == {"providers": []}
    unauthorized = await client.get("/api/settings/providers", headers={"Authorization": ""})
    assert unauthorized.status_code == 401
    assert (await client.get("/health")).json() == {"status": "ok"}
