"""Downloads of model repos from the Hugging Face Hub into ``<data_dir>/models/<org>/<name>``.

Each download is a background task registered by id; any number of listeners follow its
progress. Files land in a staging folder, ``<data_dir>/downloads/<org>--<name>--<commit>/``, as
``<file>.part``, renamed when complete; once all are, the folder moves into the models dir in one
rename, so the catalogue never sees half a model. A part left by a stop or a failure resumes with
an HTTP ``Range`` request (huggingface_hub 2 deletes partial files, so the bytes are moved here).
Downloads running when the server stops are listed in ``downloads/pending.json`` and ``resume()``
restarts them at start-up. Cancelling deletes the download's own files (and the folders they
emptied), nothing else. Every path is joined from checked Hub answers (``RepoSnapshot``) and, once
resolved (symlinks followed), must still lie inside the folder it was joined to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from mlx_manager.backends.mlx.catalog import ModelCatalog
from mlx_manager.backends.mlx.hub import HUB, HubClient, HubFile, RepoSnapshot, check_repo_id
from mlx_manager.backends.mlx.hub_token import HubTokenStore
from mlx_manager.errors import (
    Conflict,
    GatewayError,
    NotFound,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)

DownloadStatus = Literal["downloading", "done", "error", "cancelled", "interrupted"]
FINISHED: frozenset[DownloadStatus] = frozenset({"done", "error", "cancelled", "interrupted"})
# Tries per file when the connection drops or stalls; each resumes where the last stopped.
_TRIES = 3
_PENDING = "pending.json"


@dataclass(frozen=True, slots=True)
class DownloadState:
    id: str
    repo_id: str
    revision: str
    commit: str
    status: DownloadStatus
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    # The catalogue name of the model once it is done.
    model: str
    error: str | None = None
    error_code: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class Download:
    """One download's progress; ``updates()`` follows it, from any number of listeners."""

    def __init__(self, *, download_id: str, snapshot: RepoSnapshot, interval: float) -> None:
        self.id = download_id
        self.snapshot = snapshot
        self.status: DownloadStatus = "downloading"
        self.bytes_done = 0
        self.files_done = 0
        self.error: GatewayError | None = None
        self.task: asyncio.Task[None] | None = None
        self._interval = interval
        self._notified = 0.0
        self._version = 0
        self._changed = asyncio.Event()

    def state(self) -> DownloadState:
        snapshot = self.snapshot
        return DownloadState(
            id=self.id,
            repo_id=snapshot.repo_id,
            revision=snapshot.revision,
            commit=snapshot.commit,
            status=self.status,
            bytes_done=self.bytes_done,
            bytes_total=snapshot.total_bytes,
            files_done=self.files_done,
            files_total=len(snapshot.files),
            model=snapshot.repo_id,
            error=self.error.message if self.error else None,
            error_code=self.error.code if self.error else None,
        )

    async def updates(self) -> AsyncIterator[DownloadState]:
        """The state now, then after each change (coalesced), ending with the final state."""
        seen = -1
        while True:
            if self._version == seen:
                await self._changed.wait()
            seen = self._version
            state = self.state()
            yield state
            if state.finished:
                return

    def advance(self, n: int, *, force: bool = False) -> None:
        self.bytes_done += n
        if force or time.monotonic() - self._notified >= self._interval:
            self._notify()

    def finish(self, status: DownloadStatus, error: GatewayError | None = None) -> None:
        self.status, self.error = status, error
        self._notify()

    def _notify(self) -> None:
        self._notified = time.monotonic()
        self._version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


class ModelDownloads:
    def __init__(
        self,
        *,
        data_dir: Path,
        catalog: ModelCatalog,
        tokens: HubTokenStore,
        endpoint: str | None = None,
        progress_interval: float = 0.1,
    ) -> None:
        self.tokens = tokens
        self._root = data_dir / "downloads"
        self._models_dir = data_dir / "models"
        self._catalog = catalog
        self._interval = progress_interval
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
        self.hub = HubClient(http=self._http, token=tokens.get, endpoint=endpoint)
        self._downloads: dict[str, Download] = {}

    def states(self) -> list[DownloadState]:
        return [d.state() for d in self._downloads.values()]

    def get(self, download_id: str) -> Download:
        if download := self._downloads.get(download_id):
            return download
        raise NotFound(f"No download with id '{download_id}'; list them at /api/models/downloads.")

    def running(self, name: str) -> Download | None:
        """The download still fetching the model ``name``, if any."""
        return next(
            (
                d
                for d in self._downloads.values()
                if d.snapshot.repo_id == name and d.status == "downloading"
            ),
            None,
        )

    async def start(self, repo_id: str, revision: str | None = None) -> Download:
        """Start fetching ``repo_id``, or return the download already fetching it."""
        check_repo_id(repo_id)
        if running := self.running(repo_id):
            return running
        present = await asyncio.to_thread(self._catalog.refresh)
        if local := next((m for m in present if m.name == repo_id), None):
            raise Conflict(
                f"Model '{repo_id}' is already on this machine ({local.path}); delete it first "
                "to download it again."
            )
        snapshot = await self.hub.snapshot(repo_id, revision)
        # Another request may have started it while the Hub answered.
        if running := self.running(repo_id):
            return running
        return self._launch(uuid.uuid4().hex[:12], snapshot)

    def resume(self) -> None:
        """Restart the downloads that were running when the server last stopped."""
        for download_id, snapshot in self._read_pending():
            if download_id not in self._downloads and not self.running(snapshot.repo_id):
                log.info("Resuming the download of %s", snapshot.repo_id)
                self._launch(download_id, snapshot)

    async def cancel(self, download_id: str) -> DownloadState:
        """Stop a running download and delete its files; forget a finished one."""
        download = self.get(download_id)
        if download.task is not None and not download.task.done():
            download.task.cancel()
            await asyncio.wait({download.task})
            # A task cancelled before it ever ran did not clean up after itself.
            if download.status == "downloading":
                await self._discard(download)
        else:
            del self._downloads[download_id]
        return download.state()

    async def aclose(self) -> None:
        """Stop running downloads, keeping their files and their entry in ``pending.json``."""
        tasks = [d.task for d in self._downloads.values() if d.task and not d.task.done()]
        for download in self._downloads.values():
            if download.status == "downloading":
                download.finish("interrupted")
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        await self._http.aclose()

    def _launch(self, download_id: str, snapshot: RepoSnapshot) -> Download:
        download = Download(download_id=download_id, snapshot=snapshot, interval=self._interval)
        # A few stat calls: what a stop or failure left is counted from the first event on.
        download.bytes_done, download.files_done = _on_disk(self._staging(snapshot), snapshot.files)
        self._downloads[download_id] = download
        self._save_pending()
        download.task = asyncio.create_task(
            self._run(download), name=f"download {snapshot.repo_id}"
        )
        return download

    async def _discard(self, download: Download) -> None:
        snapshot = download.snapshot
        await asyncio.to_thread(_remove_own_files, self._staging(snapshot), snapshot.files)
        download.finish("cancelled")
        self._save_pending()

    def _staging(self, snapshot: RepoSnapshot) -> Path:
        return _inside(self._root, f"{snapshot.repo_id.replace('/', '--')}--{snapshot.commit}")

    async def _run(self, download: Download) -> None:
        snapshot = download.snapshot
        staging = self._staging(snapshot)
        try:
            for file in snapshot.files:
                if await self._fetch(download, staging, file):
                    download.files_done += 1
                    download.advance(0, force=True)
            target = _inside(self._models_dir, snapshot.repo_id)
            await asyncio.to_thread(self._install, staging, target)
            await asyncio.to_thread(self._catalog.refresh)
        except asyncio.CancelledError:
            if download.status != "interrupted":
                await self._discard(download)
            raise
        except GatewayError as exc:
            log.warning("Download of %s failed: %s", snapshot.repo_id, exc.message)
            download.finish("error", exc)
        except OSError as exc:
            log.warning("Download of %s failed: %s", snapshot.repo_id, exc)
            message = f"Could not write the files of '{snapshot.repo_id}': {exc}"
            download.finish("error", GatewayError(message))
        else:
            log.info("Downloaded %s", snapshot.repo_id)
            download.finish("done")
        self._save_pending()

    async def _fetch(self, download: Download, staging: Path, file: HubFile) -> bool:
        """Fetch one file into ``staging``; ``False`` when it was already there."""
        final, part = _file_paths(staging, file)
        if final.is_file():
            return False
        part.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, _TRIES + 1):
            try:
                await self._transfer(download, part, file)
                break
            except (UpstreamTimeout, UpstreamUnavailable) as exc:
                if attempt == _TRIES:
                    raise
                log.info("Retrying %s of %s: %s", file.path, download.snapshot.repo_id, exc)
                await asyncio.sleep(attempt)
        part.replace(final)
        return True

    async def _transfer(self, download: Download, part: Path, file: HubFile) -> None:
        offset = await asyncio.to_thread(_size, part)
        if offset == file.size:
            return
        async with self.hub.open_file(download.snapshot, file.path, offset=offset) as response:
            if offset and response.status_code != 206:
                # The server sent the whole file despite the Range: start the part again.
                download.advance(-offset)
                offset = 0
            # Chunks are small and land in the page cache: writing them here does not stall.
            with part.open("ab" if offset else "wb") as out:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
                    download.advance(len(chunk))
        size = await asyncio.to_thread(_size, part)
        if size != file.size:
            await asyncio.to_thread(part.unlink)
            download.advance(-size)
            raise UpstreamError(
                f"'{file.path}' of '{download.snapshot.repo_id}' arrived with {size} of "
                f"{file.size} bytes; start the download again.",
                provider=HUB,
            )

    def _install(self, staging: Path, target: Path) -> None:
        if target.exists():
            raise Conflict(f"'{target}' already exists; delete it, then download again.")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, target)

    def _save_pending(self) -> None:
        entries = [
            {
                "id": d.id,
                "repo_id": d.snapshot.repo_id,
                "revision": d.snapshot.revision,
                "commit": d.snapshot.commit,
                "files": [{"path": f.path, "size": f.size} for f in d.snapshot.files],
            }
            for d in self._downloads.values()
            if d.status in ("downloading", "interrupted")
        ]
        self._root.mkdir(parents=True, exist_ok=True)
        tmp = self._root / (_PENDING + ".new")
        tmp.write_text(json.dumps(entries, indent=1))
        os.replace(tmp, self._root / _PENDING)

    def _read_pending(self) -> list[tuple[str, RepoSnapshot]]:
        path = self._root / _PENDING
        if not path.exists():
            return []
        try:
            entries = json.loads(path.read_text())
            return [
                (
                    str(e["id"]),
                    RepoSnapshot(
                        repo_id=str(e["repo_id"]),
                        revision=str(e["revision"]),
                        commit=str(e["commit"]),
                        files=tuple(HubFile(str(f["path"]), int(f["size"])) for f in e["files"]),
                    ),
                )
                for e in entries
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("Ignoring unreadable %s: %s", path, exc)
        except GatewayError as exc:
            log.warning("Ignoring %s: %s", path, exc.message)
        return []


def _inside(base: Path, relative: str) -> Path:
    """``base / relative`` resolved, refused unless it lies strictly inside ``base`` resolved."""
    root = base.resolve()
    path = (root / relative).resolve()
    if path == root or not path.is_relative_to(root):
        raise UpstreamError(
            f"'{relative}' would be written at {path}, outside {root}; the download is refused.",
            provider=HUB,
        )
    return path


def _file_paths(staging: Path, file: HubFile) -> tuple[Path, Path]:
    """Where ``file`` lands, and its part while it downloads."""
    final = _inside(staging, file.path)
    return final, _inside(staging, file.path + ".part")


def _remove_own_files(staging: Path, files: tuple[HubFile, ...]) -> None:
    """Delete what a download of ``files`` writes into ``staging``, and the folders left empty;
    anything else found there stays, and so do the folders holding it."""
    if not staging.is_dir():
        return
    folders = {staging}
    for file in files:
        try:
            own = _file_paths(staging, file)
        except UpstreamError as exc:
            log.warning("Not deleting %s: %s", file.path, exc.message)
            continue
        for path in own:
            if path.is_file():
                path.unlink()
        folders.update(own[0].parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder.is_relative_to(staging):
            # A folder that still holds something the download did not write is kept.
            with contextlib.suppress(OSError):
                folder.rmdir()


def _on_disk(staging: Path, files: tuple[HubFile, ...]) -> tuple[int, int]:
    """Bytes already fetched (complete files and parts) and the number of complete files."""
    done = complete = 0
    for file in files:
        final, part = _file_paths(staging, file)
        if final.is_file():
            done += file.size
            complete += 1
        elif part.is_file():
            done += min(part.stat().st_size, file.size)
    return done, complete


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0
