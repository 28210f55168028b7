"""A fake Hugging Face Hub on loopback, speaking the HTTP API that downloads of model repos use.

It serves repos built from local folders: repo info (``/api/models/{repo}/revision/{rev}``), the
recursive file tree (``/api/models/{repo}/tree/{rev}``) and files (``/{repo}/resolve/{rev}/{path}``,
HEAD and GET, with ``ETag``, ``X-Repo-Commit``, ``Content-Length`` and ``Range``), enough for
``huggingface_hub.snapshot_download`` itself. ``*.safetensors`` files are LFS files, as on the Hub.
Tests read back the requests and the bytes served per file, slow the files down, make the hub
ignore ``Range``, or gate a repo behind a token. A hostile hub is one where the test sets the
commit a repo answers (``answered_commit``), lists files of its choosing (any key of ``files``)
or points the file tree's next page elsewhere (``tree_next``).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import huggingface_hub.constants
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.upstream import free_port


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, bytes]
    commit: str
    # A gated repo answers only callers sending ``Authorization: Bearer <token>``.
    token: str | None = None
    # What the repo info answers as its commit ("sha"), and accepts as a revision; None: ``commit``.
    answered_commit: str | None = None

    def is_lfs(self, path: str) -> bool:
        return path.endswith(".safetensors")

    def etag(self, path: str) -> str:
        """What the Hub sends: the LFS sha256 for LFS files, the git blob id for the others."""
        content = self.files[path]
        if self.is_lfs(path):
            return hashlib.sha256(content).hexdigest()
        return _git_blob_id(content)


def _git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@dataclass
class HubRequest:
    method: str
    path: str
    range: str | None
    authorization: str | None


@dataclass
class FakeHub:
    repos: dict[str, HubRepo] = field(default_factory=dict)
    requests: list[HubRequest] = field(default_factory=list)
    # Body bytes sent, by ``repo/path``.
    served: Counter[str] = field(default_factory=Counter)
    chunk_size: int = 64 * 1024
    # Seconds between chunks of a file body: a slow link.
    chunk_delay: float = 0.0
    honour_range: bool = True
    # A ``Link: <url>; rel="next"`` header sent with every file tree.
    tree_next: str | None = None

    def __post_init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def add_repo(self, repo_id: str, folder: Path, *, token: str | None = None) -> HubRepo:
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        digest = hashlib.sha1(repo_id.encode(), usedforsecurity=False)
        for path, content in files.items():
            digest.update(path.encode() + hashlib.sha256(content).digest())
        repo = HubRepo(repo_id=repo_id, files=files, commit=digest.hexdigest(), token=token)
        self.repos[repo_id] = repo
        return repo

    def use(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point huggingface_hub at this hub (it reads ``HF_ENDPOINT`` once, at import)."""
        monkeypatch.setenv("HF_ENDPOINT", self.endpoint)
        constants = huggingface_hub.constants
        monkeypatch.setattr(constants, "ENDPOINT", self.endpoint)
        template = self.endpoint + "/{repo_id}/resolve/{revision}/{filename}"
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
        monkeypatch.delenv("HF_TOKEN", raising=False)

    def ranges(self, path: str) -> list[str | None]:
        """The ``Range`` headers of the GETs of a file, in order."""
        return [r.range for r in self.requests if r.method == "GET" and r.path.endswith(path)]

    # Answers

    def _record(self, request: Request) -> None:
        self.requests.append(
            HubRequest(
                method=request.method,
                path=request.url.path,
                range=request.headers.get("range"),
                authorization=request.headers.get("authorization"),
            )
        )

    def _lookup(self, request: Request, repo_id: str, revision: str) -> HubRepo | Response:
        repo = self.repos.get(repo_id)
        if repo is None:
            # Like the Hub: an unknown repo looks like a private one to an anonymous caller.
            return _error(401, "RepoNotFound", f"Repository Not Found for url: {request.url}.")
        if repo.token and request.headers.get("authorization") != f"Bearer {repo.token}":
            return _error(401, "GatedRepo", f"Access to model {repo_id} is restricted.")
        if revision not in ("main", repo.commit, repo.answered_commit):
            return _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return repo

    async def _api(self, request: Request) -> Response:
        self._record(request)
        parts = request.path_params["rest"].split("/")
        if len(parts) < 4 or parts[2] not in ("revision", "tree"):
            return _error(404, None, "Not found")
        found = self._lookup(request, "/".join(parts[:2]), parts[3])
        if isinstance(found, Response):
            return found
        if parts[2] == "revision":
            return JSONResponse(
                {
                    "_id": found.commit[:24],
                    "id": found.repo_id,
                    "modelId": found.repo_id,
                    "sha": found.commit if found.answered_commit is None else found.answered_commit,
                    "private": False,
                    "gated": "auto" if found.token else False,
                    "tags": ["mlx"],
                    "siblings": [{"rfilename": path} for path in found.files],
                }
            )
        tree = []
        for path, content in found.files.items():
            entry: dict[str, object] = {
                "type": "file",
                "oid": _git_blob_id(content),
                "size": len(content),
                "path": path,
            }
            if found.is_lfs(path):
                entry["lfs"] = {"oid": found.etag(path), "size": len(content), "pointerSize": 134}
            tree.append(entry)
        headers = {"Link": f'<{self.tree_next}>; rel="next"'} if self.tree_next else None
        return JSONResponse(tree, headers=headers)

    async def _resolve(self, request: Request) -> Response:
        self._record(request)
        parts = request.path_params["rest"].split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            return _error(404, None, "Not found")
        found = self._lookup(request, "/".join(parts[:2]), parts[3])
        if isinstance(found, Response):
            return found
        path = "/".join(parts[4:])
        if path not in found.files:
            return _error(404, "EntryNotFound", f"{path} does not exist on {parts[3]}")
        content = found.files[path]
        headers = {
            "ETag": f'"{found.etag(path)}"',
            "X-Repo-Commit": found.commit,
            "Accept-Ranges": "bytes",
        }
        start, status = 0, 200
        wanted = request.headers.get("range")
        if wanted and self.honour_range:
            first, _, last = wanted.removeprefix("bytes=").partition("-")
            start = int(first)
            if start >= len(content):
                return Response(status_code=416, headers={"Content-Range": f"*/{len(content)}"})
            end = int(last) + 1 if last else len(content)
            content = content[start:end]
            status = 206
            headers["Content-Range"] = (
                f"bytes {start}-{start + len(content) - 1}/{len(found.files[path])}"
            )
        headers["Content-Length"] = str(len(content))
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        key = f"{found.repo_id}/{path}"
        return StreamingResponse(self._body(key, content), status_code=status, headers=headers)

    async def _body(self, key: str, content: bytes) -> AsyncIterator[bytes]:
        for offset in range(0, len(content), self.chunk_size):
            chunk = content[offset : offset + self.chunk_size]
            self.served[key] += len(chunk)
            yield chunk
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)

    # Lifecycle

    def start(self) -> FakeHub:
        app = Starlette(
            routes=[
                Route("/api/models/{rest:path}", self._api, methods=["GET"]),
                Route("/{rest:path}", self._resolve, methods=["GET", "HEAD"]),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="critical")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake hub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


def _error(status: int, code: str | None, message: str) -> Response:
    headers = {"X-Error-Code": code, "X-Error-Message": message} if code else {}
    return JSONResponse({"error": message}, status_code=status, headers=headers)
