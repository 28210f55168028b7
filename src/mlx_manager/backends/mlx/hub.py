"""The Hugging Face Hub as a source of model repos: what a repo holds at a revision, and its files.

The Hub (or the mirror ``HF_ENDPOINT`` names, read by ``huggingface_hub``) is asked over our own
async HTTP client, so a transfer can resume with ``Range`` and be cancelled at once;
``huggingface_hub`` supplies the endpoint (``HF_ENDPOINT``) and, when we store none, the token
(``HF_TOKEN`` or the one of ``hf auth login``). Hub failures are mapped into the error tree here.

What the Hub answers is not trusted: a commit id and file paths become parts of paths on disk, so
a snapshot holds only a commit that looks like a git sha and paths that stay inside the folder
they are joined to (``RepoSnapshot`` checks them, whatever built it), and a next page is fetched
only from the Hub's own origin, which is the only place our token goes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from mlx_manager import __version__
from mlx_manager.backends.http.errors import error_from_status
from mlx_manager.errors import (
    Forbidden,
    GatewayError,
    InvalidRequest,
    NotFound,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

HUB = "Hugging Face Hub"
# Where a token is set: the UI has no screen for it.
_HOW_TO_SET_IT = "PUT /api/settings/huggingface-token, or HF_TOKEN in the server's environment"
# The Hub's own rule: ASCII letters, digits, ``_.-``, at most 96 per part, no ``--`` or ``..``.
_REPO_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(f"{_REPO_PART}/{_REPO_PART}")
# A branch, tag or commit: git's ref characters, without the ones a shell or a URL would mangle.
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}")
# What the Hub answers as a commit: a git sha-1 (or sha-256) in lowercase hex.
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_PATH = 1024


@dataclass(frozen=True, slots=True)
class HubFile:
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class RepoSnapshot:
    """A repo's files at one commit: a download is pinned to it, so a resume fetches the same.

    Refuses (``InvalidRequest`` or ``UpstreamError``) a repo id, commit or file path that could
    name a place outside the download's folder."""

    repo_id: str
    revision: str
    commit: str
    files: tuple[HubFile, ...]

    def __post_init__(self) -> None:
        check_repo_id(self.repo_id)
        check_revision(self.revision)
        _check_commit(self.commit, repo_id=self.repo_id)
        for file in self.files:
            if problem := _path_problem(file.path):
                raise _unsafe(f"listed a file {_quoted(file.path)} in '{self.repo_id}' ({problem})")
            if file.size < 0:
                raise UpstreamError(
                    f"The {HUB} gave '{file.path}' of '{self.repo_id}' a negative size.",
                    provider=HUB,
                )

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


def check_repo_id(repo_id: str) -> None:
    if not _REPO_ID.fullmatch(repo_id) or ".." in repo_id or "--" in repo_id:
        raise InvalidRequest(
            f"{_quoted(repo_id)} is not a Hugging Face repo id; write it as 'org/name' (letters, "
            "digits, '_', '.', '-'), for example 'mlx-community/Qwen2.5-0.5B-Instruct-4bit'.",
            param="repo_id",
        )


def check_revision(revision: str) -> None:
    if not _REVISION.fullmatch(revision) or ".." in revision or "//" in revision:
        raise InvalidRequest(
            f"{_quoted(revision)} is not a revision; give a branch, a tag or a commit id, for "
            "example 'main'.",
            param="revision",
        )


def _check_commit(commit: str, *, repo_id: str) -> None:
    if not _COMMIT.fullmatch(commit):
        raise _unsafe(f"answered {_quoted(commit)} as the commit of '{repo_id}'")


def _path_problem(path: str) -> str | None:
    """Why ``path`` may not be joined to a folder, or None: it must stay inside it."""
    if not path or len(path) > _MAX_PATH:
        return f"a path must have 1 to {_MAX_PATH} characters"
    if path.startswith("/"):
        return "an absolute path"
    if "\\" in path:
        return "a backslash"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return "a control character"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "an empty, '.' or '..' part"
    return None


def _quoted(text: str) -> str:
    """A Hub-given string for a message: shown as a literal, and never at length."""
    return repr(text if len(text) <= 80 else text[:80] + "…")


def _unsafe(what: str) -> UpstreamError:
    return UpstreamError(
        f"The {HUB} {what}, which would name a place outside the download folder; the download "
        "is refused. Check HF_ENDPOINT.",
        provider=HUB,
    )


class HubClient:
    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        token: Callable[[], str | None] = lambda: None,
        endpoint: str | None = None,
    ) -> None:
        self._http = http
        self._token = token
        self._endpoint = endpoint

    @property
    def endpoint(self) -> str:
        # huggingface_hub is imported on first use: it would add a tenth of a second to start-up.
        from huggingface_hub import constants

        return (self._endpoint or constants.ENDPOINT).rstrip("/")

    def headers(self) -> dict[str, str]:
        from huggingface_hub import get_token

        headers = {"user-agent": f"mlx-manager/{__version__}"}
        # Without a stored token, the one huggingface_hub knows: HF_TOKEN or `hf auth login`.
        if token := self._token() or get_token():
            headers["authorization"] = f"Bearer {token}"
        return headers

    async def snapshot(self, repo_id: str, revision: str | None = None) -> RepoSnapshot:
        """The files of ``repo_id`` at ``revision``; refused unless it holds MLX weights."""
        from huggingface_hub import constants

        check_repo_id(repo_id)
        revision = revision or constants.DEFAULT_REVISION
        check_revision(revision)
        base = f"{self.endpoint}/api/models/{repo_id}"
        info = await self._get_json(f"{base}/revision/{quote(revision, safe='')}", repo_id)
        commit = info.get("sha") if isinstance(info, dict) else None
        if not isinstance(commit, str):
            raise UpstreamError(
                f"The {HUB} did not say which commit '{revision}' of '{repo_id}' is.", provider=HUB
            )
        _check_commit(commit, repo_id=repo_id)
        files: list[HubFile] = []
        url: str | None = f"{base}/tree/{commit}?recursive=true"
        while url:
            page, url = await self._get_page(url, repo_id)
            for entry in page:
                if isinstance(entry, dict) and entry.get("type") == "file":
                    path, size = entry.get("path"), entry.get("size")
                    if not isinstance(path, str) or type(size) is not int:
                        raise UpstreamError(
                            f"The {HUB} listed a file of '{repo_id}' without a path or size.",
                            provider=HUB,
                        )
                    files.append(HubFile(path=path, size=size))
        snapshot = RepoSnapshot(
            repo_id=repo_id, revision=revision, commit=commit, files=tuple(files)
        )
        names = {f.path for f in files}
        if "config.json" not in names or not any(n.endswith(".safetensors") for n in names):
            raise InvalidRequest(
                f"'{repo_id}' holds no MLX model (a config.json and *.safetensors weights); pick "
                "a converted repo, for example from huggingface.co/mlx-community.",
                param="repo_id",
            )
        return snapshot

    @asynccontextmanager
    async def open_file(
        self, snapshot: RepoSnapshot, path: str, *, offset: int = 0
    ) -> AsyncIterator[httpx.Response]:
        """A streaming GET of one file, from byte ``offset``; 206 when the Hub honoured it."""
        url = f"{self.endpoint}/{snapshot.repo_id}/resolve/{snapshot.commit}/{quote(path)}"
        headers = self.headers()
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with hub_transport_errors():
            # Redirects lead to the CDN; httpx drops the token when the host changes.
            async with self._http.stream(
                "GET", url, headers=headers, follow_redirects=True
            ) as response:
                if response.status_code >= 400 and response.status_code != 416:
                    raise hub_error(response, await response.aread(), repo_id=snapshot.repo_id)
                yield response

    async def _get_json(self, url: str, repo_id: str) -> object:
        return (await self._get(url, repo_id)).json()

    async def _get_page(self, url: str, repo_id: str) -> tuple[list[object], str | None]:
        response = await self._get(url, repo_id)
        page = response.json()
        next_url = response.links.get("next", {}).get("url")
        if next_url is not None and _origin(next_url) != _origin(self.endpoint):
            # Our token goes with every page: only to the Hub itself.
            raise UpstreamError(
                f"The {HUB} sent the next page of '{repo_id}' to another host "
                f"({_quoted(next_url)}); the download is refused. Check HF_ENDPOINT.",
                provider=HUB,
            )
        return (page if isinstance(page, list) else []), next_url

    async def _get(self, url: str, repo_id: str) -> httpx.Response:
        with hub_transport_errors():
            response = await self._http.get(url, headers=self.headers(), follow_redirects=True)
        if response.status_code >= 400:
            raise hub_error(response, response.content, repo_id=repo_id)
        if not response.headers.get("content-type", "").startswith("application/json"):
            raise UpstreamError(
                f"{self.endpoint} does not answer like the {HUB} (no JSON from {url}); check "
                "HF_ENDPOINT.",
                provider=HUB,
            )
        return response


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@contextmanager
def hub_transport_errors() -> Iterator[None]:
    """httpx failures talking to the Hub, as errors of the tree."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"The {HUB} did not answer in time.", provider=HUB) from exc
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(
            f"The {HUB} could not be reached ({type(exc).__name__}).", provider=HUB
        ) from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(
            f"Request to the {HUB} failed ({type(exc).__name__}).", provider=HUB
        ) from exc


def hub_error(response: httpx.Response, body: bytes, *, repo_id: str) -> GatewayError:
    """The Hub says what went wrong in ``X-Error-Code``; anonymous callers get 401 for 404."""
    code = response.headers.get("x-error-code")
    status = response.status_code
    if code == "GatedRepo":
        return Forbidden(
            f"'{repo_id}' is gated: accept its terms on huggingface.co/{repo_id}, then set a "
            f"Hugging Face token ({_HOW_TO_SET_IT})."
        )
    if code == "RevisionNotFound":
        return NotFound(f"'{repo_id}' has no such revision on the {HUB}.", param="revision")
    if code in ("RepoNotFound", "EntryNotFound") or status == 404:
        return NotFound(
            f"No model repo '{repo_id}' on the {HUB}. Check the name; a private repo needs a "
            f"Hugging Face token ({_HOW_TO_SET_IT}).",
            param="repo_id",
        )
    if status in (401, 403):
        return Forbidden(
            f"The {HUB} refused access to '{repo_id}' ({status}); check the Hugging Face token "
            f"({_HOW_TO_SET_IT})."
        )
    return error_from_status(response.status_code, response.headers, body, provider=HUB)
