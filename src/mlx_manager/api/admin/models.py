"""``/api/models``: the local models, loading them, downloading them; and the Hugging Face token.

Model names may hold a slash (``org/name``), so they are ``{name:path}`` parameters declared after
the fixed paths (``/status``, ``/downloads``, ``/download``) they would otherwise shadow. Download
progress is a server-sent event stream of ``progress`` events, then one ``done``, ``error`` or
``cancelled``; every event carries the whole ``DownloadPublic``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, SecretStr

from mlx_manager.api.deps import StateDep, require_admin
from mlx_manager.backends.mlx import LocalModel, MLXBackend
from mlx_manager.backends.mlx.download import Download, DownloadStatus, ModelDownloads
from mlx_manager.backends.mlx.hub_token import HubTokenStore
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.sse import encode_event


class LocalModelPublic(BaseModel):
    name: str
    path: str
    size_bytes: int
    architecture: str | None
    kind: Literal["text", "embeddings"]
    source: Literal["hf_cache", "models_dir", "registered"]
    loaded: bool
    pinned: bool


class LocalModelList(BaseModel):
    models: list[LocalModelPublic]


class LoadRequest(BaseModel):
    # A pinned model is never evicted to make room for another.
    pin: bool = False


class LoadedModelPublic(BaseModel):
    name: str
    size_bytes: int
    pinned: bool
    in_use: int
    idle_seconds: float


class WorkerStatsPublic(BaseModel):
    requests: int
    cancelled: int
    steps: int
    generated_tokens: int
    max_batch_size: int
    last_batch_size: int
    decode_seconds: float
    tokens_per_second: float


class EngineStatusPublic(BaseModel):
    loaded: list[LoadedModelPublic]
    loading: list[str]
    memory_bytes: int
    max_models: int
    max_memory_bytes: int | None
    worker: WorkerStatsPublic


class DownloadRequest(BaseModel):
    repo_id: str = Field(examples=["mlx-community/Qwen2.5-0.5B-Instruct-4bit"])
    # A branch, tag or commit; the default branch when empty.
    revision: str | None = None


class DownloadPublic(BaseModel):
    id: str
    repo_id: str
    revision: str
    commit: str
    status: DownloadStatus
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    model: str
    error: str | None
    error_code: str | None


class DownloadList(BaseModel):
    downloads: list[DownloadPublic]


class HubTokenUpdate(BaseModel):
    token: SecretStr = Field(min_length=1)


class HubTokenPublic(BaseModel):
    has_token: bool
    last4: str
    # False when the stored token no longer decrypts (the secret key changed): set it again.
    readable: bool


def get_local(state: StateDep) -> MLXBackend:
    return state.local


def get_downloads(state: StateDep) -> ModelDownloads:
    return state.downloads


LocalDep = Annotated[MLXBackend, Depends(get_local)]
DownloadsDep = Annotated[ModelDownloads, Depends(get_downloads)]

_EVENTS: dict[DownloadStatus, str] = {
    "downloading": "progress",
    "done": "done",
    "error": "error",
    "interrupted": "error",
    "cancelled": "cancelled",
}


def _publics(local: MLXBackend, models: list[LocalModel]) -> list[LocalModelPublic]:
    pinned = {m.name: m.pinned for m in local.pool.status().loaded}
    return [
        LocalModelPublic(
            name=m.name,
            path=str(m.path),
            size_bytes=m.size_bytes,
            architecture=m.architecture,
            kind=m.kind,
            source=m.source,
            loaded=m.name in pinned,
            pinned=pinned.get(m.name, False),
        )
        for m in models
    ]


def _public(local: MLXBackend, name: str) -> LocalModelPublic:
    return _publics(local, [local.catalog.get(name)])[0]


def _download_public(download: Download) -> DownloadPublic:
    return DownloadPublic.model_validate(download.state(), from_attributes=True)


def _event_stream(download: Download) -> StreamingResponse:
    async def frames() -> AsyncIterator[bytes]:
        async for state in download.updates():
            body = DownloadPublic.model_validate(state, from_attributes=True).model_dump_json()
            yield encode_event(body, event=_EVENTS[state.status])

    # The download runs on when the listener goes away; it can attach again by id.
    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Download-Id": download.id},
    )


models_router = APIRouter(
    prefix="/api/models", tags=["models"], dependencies=[Depends(require_admin)]
)


@models_router.get("")
async def list_models(local: LocalDep) -> LocalModelList:
    models = await asyncio.to_thread(local.list_models, refresh=True)
    return LocalModelList(models=_publics(local, models))


@models_router.get("/status")
async def engine_status(local: LocalDep) -> EngineStatusPublic:
    engine = local.status()
    now = time.monotonic()
    worker = engine.worker
    return EngineStatusPublic(
        loaded=[
            LoadedModelPublic(
                name=m.name,
                size_bytes=m.size_bytes,
                pinned=m.pinned,
                in_use=m.in_use,
                idle_seconds=round(max(0.0, now - m.last_used), 3),
            )
            for m in engine.pool.loaded
        ],
        loading=engine.pool.loading,
        memory_bytes=engine.pool.memory_bytes,
        max_models=engine.pool.max_models,
        max_memory_bytes=engine.pool.max_memory_bytes,
        worker=WorkerStatsPublic(
            requests=worker.requests,
            cancelled=worker.cancelled,
            steps=worker.steps,
            generated_tokens=worker.generated_tokens,
            max_batch_size=worker.max_batch_size,
            last_batch_size=worker.last_batch_size,
            decode_seconds=worker.decode_seconds,
            tokens_per_second=worker.tokens_per_second,
        ),
    )


@models_router.post("/download")
async def download_model(body: DownloadRequest, downloads: DownloadsDep) -> StreamingResponse:
    """Fetch a repo from the Hub; answers its progress as server-sent events."""
    return _event_stream(await downloads.start(body.repo_id, body.revision))


@models_router.get("/downloads")
async def list_downloads(downloads: DownloadsDep) -> DownloadList:
    return DownloadList(
        downloads=[
            DownloadPublic.model_validate(s, from_attributes=True) for s in downloads.states()
        ]
    )


@models_router.get("/downloads/{download_id}")
async def get_download(download_id: str, downloads: DownloadsDep) -> DownloadPublic:
    return _download_public(downloads.get(download_id))


@models_router.get("/downloads/{download_id}/events")
async def download_events(download_id: str, downloads: DownloadsDep) -> StreamingResponse:
    return _event_stream(downloads.get(download_id))


@models_router.delete("/downloads/{download_id}")
async def cancel_download(download_id: str, downloads: DownloadsDep) -> DownloadPublic:
    """Cancel a running download (its partial files are deleted), or forget a finished one."""
    state = await downloads.cancel(download_id)
    return DownloadPublic.model_validate(state, from_attributes=True)


@models_router.get("/{name:path}")
async def get_model(name: str, local: LocalDep) -> LocalModelPublic:
    return _public(local, name)


@models_router.post("/{name:path}/load")
async def load_model(
    name: str, local: LocalDep, body: LoadRequest | None = None
) -> LocalModelPublic:
    await local.load(name, pin=body.pin if body else False)
    return _public(local, name)


@models_router.post("/{name:path}/unload")
async def unload_model(name: str, local: LocalDep) -> LocalModelPublic:
    local.catalog.get(name)
    await local.unload(name)
    return _public(local, name)


@models_router.post("/{name:path}/pin")
async def pin_model(name: str, local: LocalDep) -> LocalModelPublic:
    """Keep a model in memory: it is loaded if needed and never evicted."""
    await local.load(name, pin=True)
    return _public(local, name)


@models_router.post("/{name:path}/unpin")
async def unpin_model(name: str, local: LocalDep) -> LocalModelPublic:
    local.catalog.get(name)
    if local.pool.is_loaded(name):
        local.pool.pin(name, False)
    return _public(local, name)


@models_router.delete("/{name:path}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_model(name: str, local: LocalDep) -> Response:
    await local.delete(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def get_hub_tokens(downloads: DownloadsDep) -> HubTokenStore:
    return downloads.tokens


HubTokensDep = Annotated[HubTokenStore, Depends(get_hub_tokens)]

token_router = APIRouter(
    prefix="/api/settings/huggingface-token",
    tags=["models"],
    dependencies=[Depends(require_admin)],
)


@token_router.get("")
async def get_hub_token(tokens: HubTokensDep) -> HubTokenPublic:
    return HubTokenPublic.model_validate(tokens.info(), from_attributes=True)


@token_router.put("")
async def set_hub_token(body: HubTokenUpdate, tokens: HubTokensDep) -> HubTokenPublic:
    token = body.token.get_secret_value().strip()
    if not token:
        raise InvalidRequest("The Hugging Face token is empty.", param="token")
    info = tokens.set(token)
    return HubTokenPublic.model_validate(info, from_attributes=True)


@token_router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_hub_token(tokens: HubTokensDep) -> Response:
    tokens.clear()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter()
router.include_router(models_router)
router.include_router(token_router)
