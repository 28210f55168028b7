"""``/api/models`` and ``/api/settings/huggingface-token`` on the real app, with a fake Hub."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from mlx_manager.app import create_app
from mlx_manager.core import ChatRequest, Message, MessageEnd, MessageStart, TextDelta, TextPart
from mlx_manager.protocols.sse import SSEEvent, SSEParser
from mlx_manager.settings import Settings
from tests.conftest import ADMIN_TOKEN, TINY_REPO, local_model_settings
from tests.fakes.hub import FakeHub

REPO = TINY_REPO
WEIGHTS = "model.safetensors"


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    return local_model_settings(data_dir, tmp_path, local_max_memory_gb=4)


@pytest.fixture
def local_model(data_dir: Path, tiny_model_path: Path) -> str:
    shutil.copytree(tiny_model_path, data_dir / "models" / "tiny-llama")
    return "tiny-llama"


def events_of(response: httpx.Response) -> list[tuple[str | None, dict[str, object]]]:
    assert response.headers["content-type"].startswith("text/event-stream")
    parsed: list[SSEEvent] = SSEParser().feed(response.content)
    return [(e.event, json.loads(e.data)) for e in parsed]


async def running_download(client: httpx.AsyncClient, min_bytes: int) -> str:
    """The id of the one download, once it has fetched ``min_bytes``."""
    async with asyncio.timeout(10):
        while True:
            downloads = (await client.get("/api/models/downloads")).json()["downloads"]
            if downloads and downloads[0]["bytes_done"] >= min_bytes:
                return str(downloads[0]["id"])
            await asyncio.sleep(0.01)


async def test_admin_token_is_required(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anonymous:
        for method, path in [
            ("GET", "/api/models"),
            ("GET", "/api/models/status"),
            ("POST", "/api/models/x/load"),
            ("DELETE", "/api/models/x"),
            ("POST", "/api/models/download"),
            ("GET", "/api/models/downloads"),
            ("GET", "/api/settings/huggingface-token"),
            ("PUT", "/api/settings/huggingface-token"),
        ]:
            response = await anonymous.request(method, path)
            assert response.status_code == 401, path
            assert response.json()["code"] == "authentication_error"


async def test_list_load_pin_unload_and_status(client: httpx.AsyncClient, local_model: str) -> None:
    models = (await client.get("/api/models")).json()["models"]
    assert [
        {k: m[k] for k in ("name", "architecture", "kind", "source", "loaded", "pinned")}
        for m in models
    ] == [
        {
            "name": local_model,
            "architecture": "llama",
            "kind": "text",
            "source": "models_dir",
            "loaded": False,
            "pinned": False,
        }
    ]
    assert models[0]["size_bytes"] > 400_000
    assert models[0]["path"].endswith("models/tiny-llama")

    loaded = (await client.post(f"/api/models/{local_model}/load", json={"pin": True})).json()
    assert (loaded["loaded"], loaded["pinned"]) == (True, True)

    engine = (await client.get("/api/models/status")).json()
    assert [(m["name"], m["pinned"], m["in_use"]) for m in engine["loaded"]] == [
        (local_model, True, 0)
    ]
    assert engine["memory_bytes"] > 400_000
    assert (engine["max_models"], engine["max_memory_bytes"]) == (2, 4 * 1024**3)
    assert set(engine["worker"]) >= {"requests", "generated_tokens", "tokens_per_second"}

    unpinned = (await client.post(f"/api/models/{local_model}/unpin")).json()
    assert (unpinned["loaded"], unpinned["pinned"]) == (True, False)
    unloaded = (await client.post(f"/api/models/{local_model}/unload")).json()
    assert (unloaded["loaded"], unloaded["pinned"]) == (False, False)
    pinned = (await client.post(f"/api/models/{local_model}/pin")).json()
    assert (pinned["loaded"], pinned["pinned"]) == (True, True)
    await client.post(f"/api/models/{local_model}/unload")
    assert (await client.get("/api/models/status")).json()["loaded"] == []

    for method, path in [
        ("GET", "/api/models/org/missing"),
        ("POST", "/api/models/org/missing/load"),
        ("POST", "/api/models/org/missing/unload"),
        ("POST", "/api/models/org/missing/pin"),
        ("DELETE", "/api/models/org/missing"),
    ]:
        response = await client.request(method, path)
        assert (response.status_code, response.json()["code"]) == (404, "model_not_found")


async def test_delete_is_refused_while_loaded(
    client: httpx.AsyncClient, local_model: str, data_dir: Path
) -> None:
    await client.post(f"/api/models/{local_model}/load")
    refused = await client.delete(f"/api/models/{local_model}")
    assert (refused.status_code, refused.json()["code"]) == (409, "conflict")

    await client.post(f"/api/models/{local_model}/unload")
    assert (await client.delete(f"/api/models/{local_model}")).status_code == 204
    assert (await client.get("/api/models")).json()["models"] == []
    assert not (data_dir / "models" / local_model).exists()


async def test_delete_of_a_hub_cache_model_removes_the_repo_folder(
    client: httpx.AsyncClient, tiny_model_path: Path, settings: Settings
) -> None:
    assert settings.hf_cache is not None
    repo_dir = settings.hf_cache / "models--someone--tiny"
    shutil.copytree(tiny_model_path, repo_dir / "snapshots" / "abc123")
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text("abc123")

    assert [m["name"] for m in (await client.get("/api/models")).json()["models"]] == [
        "someone/tiny"
    ]
    assert (await client.delete("/api/models/someone/tiny")).status_code == 204
    assert not repo_dir.exists()


async def test_delete_refuses_folders_it_does_not_manage(
    app: FastAPI, client: httpx.AsyncClient, tiny_model_path: Path, tmp_path: Path
) -> None:
    elsewhere = shutil.copytree(tiny_model_path, tmp_path / "elsewhere" / "mine")
    app.state.mm.local.catalog.register(elsewhere)

    refused = await client.delete("/api/models/mine")

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_error")
    assert (elsewhere / WEIGHTS).exists()


async def test_download_streams_progress_then_the_model_serves(
    app: FastAPI, client: httpx.AsyncClient, hub: FakeHub
) -> None:
    hub.chunk_size, hub.chunk_delay = 16 * 1024, 0.005
    total = sum(len(c) for c in hub.repos[REPO].files.values())

    response = await client.post("/api/models/download", json={"repo_id": REPO})

    assert response.status_code == 200
    events = events_of(response)
    names = [name for name, _ in events]
    assert names[-1] == "done"
    assert set(names[:-1]) == {"progress"}
    done = [data["bytes_done"] for _, data in events]
    assert done == sorted(done)
    assert len(set(done)) >= 3
    assert {data["bytes_total"] for _, data in events} == {total}
    final = events[-1][1]
    assert (final["bytes_done"], final["files_done"], final["model"]) == (total, 5, REPO)
    assert response.headers["x-download-id"] == final["id"]

    listed = {m["name"]: m for m in (await client.get("/api/models")).json()["models"]}
    assert listed[REPO]["source"] == "models_dir"
    assert (await client.post(f"/api/models/{REPO}/load")).json()["loaded"] is True

    request = ChatRequest(
        model=REPO,
        messages=[Message(role="user", content=[TextPart(text="Hello")])],
        temperature=0.0,
        max_tokens=8,
    )
    streamed = [e async for e in app.state.mm.local.stream(request, model=REPO)]
    assert isinstance(streamed[0], MessageStart)
    assert isinstance(streamed[-1], MessageEnd)
    assert any(isinstance(e, TextDelta) for e in streamed)

    again = await client.post("/api/models/download", json={"repo_id": REPO})
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


async def test_download_refusals_answer_json(client: httpx.AsyncClient, hub: FakeHub) -> None:
    missing = await client.post("/api/models/download", json={"repo_id": "mlx-community/nope"})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found_error")
    assert "No model repo 'mlx-community/nope'" in missing.json()["detail"]
    invalid = await client.post("/api/models/download", json={"repo_id": "../etc"})
    assert (invalid.status_code, invalid.json()["code"]) == (400, "invalid_request_error")
    unknown = await client.get("/api/models/downloads/nope/events")
    assert unknown.status_code == 404


async def test_cancel_a_running_download(
    client: httpx.AsyncClient, hub: FakeHub, data_dir: Path
) -> None:
    hub.chunk_size, hub.chunk_delay = 4096, 0.01
    stream = asyncio.create_task(client.post("/api/models/download", json={"repo_id": REPO}))
    download_id = await running_download(client, 20_000)

    cancelled = await client.delete(f"/api/models/downloads/{download_id}")

    assert cancelled.json()["status"] == "cancelled"
    events = events_of(await stream)
    assert events[-1][0] == "cancelled"
    assert not any((data_dir / "downloads").glob("mlx-community--*"))
    assert REPO not in {m["name"] for m in (await client.get("/api/models")).json()["models"]}
    assert (await client.delete(f"/api/models/downloads/{download_id}")).status_code == 200
    assert (await client.get("/api/models/downloads")).json()["downloads"] == []


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as client,
    ):
        yield client


async def test_a_download_resumes_after_a_restart(settings: Settings, hub: FakeHub) -> None:
    hub.chunk_size, hub.chunk_delay = 4096, 0.01
    size = len(hub.repos[REPO].files[WEIGHTS])
    key = f"{REPO}/{WEIGHTS}"

    async with started(settings) as client:
        stream = asyncio.create_task(client.post("/api/models/download", json={"repo_id": REPO}))
        download_id = await running_download(client, 100_000)
    # The server stopped mid-way: listeners were told, the parts and the pending entry stay.
    assert events_of(await stream)[-1][1]["status"] == "interrupted"
    served_before = hub.served[key]
    assert 0 < served_before < size

    hub.chunk_delay = 0
    async with started(settings) as client:
        events = events_of(await client.get(f"/api/models/downloads/{download_id}/events"))
        assert events[-1][0] == "done"
        assert REPO in {m["name"] for m in (await client.get("/api/models")).json()["models"]}

    (resumed_from,) = [r for r in hub.ranges(WEIGHTS) if r]
    offset = int(resumed_from.removeprefix("bytes=").rstrip("-"))
    assert offset > 0
    assert hub.served[key] - served_before == size - offset


async def test_the_token_is_never_returned(client: httpx.AsyncClient, data_dir: Path) -> None:
    url = "/api/settings/huggingface-token"
    assert (await client.get(url)).json() == {"has_token": False, "last4": "", "readable": True}

    stored = await client.put(url, json={"token": "hf_abcdefghijklmnop1234"})

    assert stored.json() == {"has_token": True, "last4": "1234", "readable": True}
    assert "hf_abcdefghijklmnop1234" not in (await client.get(url)).text
    assert "hf_abcdefghijklmnop1234" not in (data_dir / "huggingface_token").read_text()
    assert (await client.put(url, json={"token": ""})).status_code == 422
    assert (await client.put(url, json={"token": "   "})).status_code == 400
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).json()["has_token"] is False
