"""Model downloads against a fake Hugging Face Hub on loopback, and the stored Hub token."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import huggingface_hub
import pytest

from mlx_manager.backends.mlx import ModelCatalog
from mlx_manager.backends.mlx.download import Download, DownloadState, ModelDownloads
from mlx_manager.backends.mlx.hub_token import HubTokenStore
from mlx_manager.errors import (
    Conflict,
    CredentialUnreadable,
    Forbidden,
    InvalidRequest,
    NotFound,
    UpstreamError,
)
from mlx_manager.providers.secrets import KeyCipher
from tests.fakes.hub import FakeHub, HubRepo

REPO = "mlx-community/tiny-llama"
WEIGHTS = "model.safetensors"


@pytest.fixture
def hub(tiny_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    server = FakeHub().start()
    server.add_repo(REPO, tiny_model_path)
    server.use(monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def make_downloads(data_dir: Path) -> ModelDownloads:
    catalog = ModelCatalog(hf_cache=data_dir.parent / "hf", models_dir=data_dir / "models")
    tokens = HubTokenStore(data_dir, KeyCipher("test-secret"))
    return ModelDownloads(data_dir=data_dir, catalog=catalog, tokens=tokens, progress_interval=0)


@pytest.fixture
async def downloads(data_dir: Path) -> AsyncIterator[ModelDownloads]:
    manager = make_downloads(data_dir)
    yield manager
    await manager.aclose()


async def follow(
    download: Download, until: Callable[[DownloadState], bool] = lambda s: s.finished
) -> list[DownloadState]:
    seen = []
    async with asyncio.timeout(15):
        async for state in download.updates():
            seen.append(state)
            if until(state):
                break
    return seen


def staging(data_dir: Path, repo: HubRepo) -> Path:
    return data_dir / "downloads" / f"{repo.repo_id.replace('/', '--')}--{repo.commit}"


def test_fake_hub_speaks_the_real_client(hub: FakeHub, tmp_path: Path) -> None:
    folder = huggingface_hub.snapshot_download(REPO, cache_dir=tmp_path / "cache")
    repo = hub.repos[REPO]
    assert {p.name: p.read_bytes() for p in Path(folder).iterdir()} == repo.files


async def test_download_installs_the_model(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path
) -> None:
    hub.chunk_size = 32 * 1024
    download = await downloads.start(REPO)
    states = await follow(download)

    repo = hub.repos[REPO]
    total = sum(len(c) for c in repo.files.values())
    done = [s.bytes_done for s in states]
    assert done == sorted(done)
    assert len(set(done)) > 2
    assert {s.bytes_total for s in states} == {total}
    final = states[-1]
    assert (final.status, final.bytes_done, final.files_done, final.files_total) == (
        "done",
        total,
        len(repo.files),
        len(repo.files),
    )
    target = data_dir / "models" / REPO
    assert {p.name: p.read_bytes() for p in target.iterdir()} == repo.files
    assert not staging(data_dir, repo).exists()
    assert json.loads((data_dir / "downloads" / "pending.json").read_text()) == []
    local = downloads._catalog.get(REPO)
    assert (local.source, local.architecture, local.kind) == ("models_dir", "llama", "text")


async def test_a_part_resumes_with_range(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path
) -> None:
    repo = hub.repos[REPO]
    folder = staging(data_dir, repo)
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes(repo.files["config.json"])
    (folder / f"{WEIGHTS}.part").write_bytes(repo.files[WEIGHTS][:100_000])

    states = await follow(await downloads.start(REPO))

    assert states[0].bytes_done >= 100_000 + len(repo.files["config.json"])
    assert states[-1].status == "done"
    assert hub.ranges(WEIGHTS) == ["bytes=100000-"]
    assert hub.served[f"{REPO}/{WEIGHTS}"] == len(repo.files[WEIGHTS]) - 100_000
    assert hub.ranges("/config.json") == []
    assert (data_dir / "models" / REPO / WEIGHTS).read_bytes() == repo.files[WEIGHTS]


async def test_a_hub_ignoring_range_restarts_the_file(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path
) -> None:
    hub.honour_range = False
    repo = hub.repos[REPO]
    folder = staging(data_dir, repo)
    folder.mkdir(parents=True)
    (folder / f"{WEIGHTS}.part").write_bytes(b"x" * 1000)

    states = await follow(await downloads.start(REPO))

    assert states[-1].status == "done"
    assert states[-1].bytes_done == states[-1].bytes_total
    assert (data_dir / "models" / REPO / WEIGHTS).read_bytes() == repo.files[WEIGHTS]


async def test_cancel_deletes_the_partial_files(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path
) -> None:
    hub.chunk_size, hub.chunk_delay = 4096, 0.01
    download = await downloads.start(REPO)
    await follow(download, until=lambda s: s.bytes_done > 20_000)

    state = await downloads.cancel(download.id)

    assert state.status == "cancelled"
    assert (await follow(download))[-1].status == "cancelled"
    assert not staging(data_dir, hub.repos[REPO]).exists()
    assert not (data_dir / "models" / REPO).exists()
    assert json.loads((data_dir / "downloads" / "pending.json").read_text()) == []
    # A finished download is forgotten by a second cancel.
    await downloads.cancel(download.id)
    with pytest.raises(NotFound):
        downloads.get(download.id)


async def test_a_second_start_joins_the_running_download(
    hub: FakeHub, downloads: ModelDownloads
) -> None:
    hub.chunk_size, hub.chunk_delay = 4096, 0.01
    first = await downloads.start(REPO)
    assert await downloads.start(REPO) is first
    await downloads.cancel(first.id)


@pytest.mark.parametrize(
    "repo_id",
    [
        "no-org",
        "org/../etc",
        "../etc/passwd",
        "org/name/extra",
        "org/na--me",
        "org/.hidden",
        "-org/name",
        "órg/name",
        "org/name\n",
        "org\\name/x",
        "org/" + "a" * 97,
    ],
)
async def test_repo_ids_are_checked(downloads: ModelDownloads, repo_id: str) -> None:
    with pytest.raises(InvalidRequest, match="is not a Hugging Face repo id") as refused:
        await downloads.start(repo_id)
    assert refused.value.param == "repo_id"


@pytest.mark.parametrize("revision", ["../../x", "/main", "a b", "v1..v2", "x" * 256, "main\n"])
async def test_revisions_are_checked(downloads: ModelDownloads, revision: str) -> None:
    with pytest.raises(InvalidRequest, match="is not a revision") as refused:
        await downloads.start(REPO, revision=revision)
    assert refused.value.param == "revision"


async def test_refusals(
    hub: FakeHub, downloads: ModelDownloads, tmp_path: Path, tiny_model_path: Path
) -> None:
    with pytest.raises(NotFound, match="No model repo 'mlx-community/missing'"):
        await downloads.start("mlx-community/missing")
    with pytest.raises(NotFound, match="revision"):
        await downloads.start(REPO, revision="v9")

    text_only = tmp_path / "text-only"
    text_only.mkdir()
    (text_only / "config.json").write_text("{}")
    hub.add_repo("someone/not-mlx", text_only)
    with pytest.raises(InvalidRequest, match="no MLX model"):
        await downloads.start("someone/not-mlx")

    await follow(await downloads.start(REPO))
    with pytest.raises(Conflict, match="already on this machine"):
        await downloads.start(REPO)


async def test_gated_repo_needs_the_stored_token(
    hub: FakeHub, downloads: ModelDownloads, tiny_model_path: Path
) -> None:
    hub.add_repo("meta/gated", tiny_model_path, token="hf_secret_token_1234")
    with pytest.raises(Forbidden, match="gated"):
        await downloads.start("meta/gated")

    downloads.tokens.set("hf_secret_token_1234")
    states = await follow(await downloads.start("meta/gated"))

    assert states[-1].status == "done"
    gets = [r for r in hub.requests if r.path.startswith("/meta/gated/resolve/")]
    assert gets
    assert {r.authorization for r in gets} == {"Bearer hf_secret_token_1234"}


def test_token_store_keeps_the_token_sealed(data_dir: Path) -> None:
    store = HubTokenStore(data_dir, KeyCipher("test-secret"))
    assert store.get() is None
    assert not store.info().has_token

    info = store.set("hf_abcdefghijkl9876")

    assert (info.has_token, info.last4, info.readable) == (True, "9876", True)
    path = data_dir / "huggingface_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "hf_abcdefghijkl9876" not in path.read_text()
    assert store.get() == "hf_abcdefghijkl9876"
    assert store.set("hf_replacement_5555").last4 == "5555"

    other = HubTokenStore(data_dir, KeyCipher("another-secret"))
    assert other.info() == type(info)(has_token=True, last4="", readable=False)
    with pytest.raises(CredentialUnreadable):
        other.get()

    store.clear()
    assert store.get() is None


def files_under(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file contents, ``dir`` or the target of a link."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = f"link to {path.readlink()}"
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = path.read_bytes()
    return found


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder with files of its own, which a hostile Hub would like written or deleted."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("kept")
    return folder


@pytest.mark.parametrize(
    "commit",
    [
        # Joined as ``<org>--<name>--<commit>``, this lands in ``tmp_path/victim``.
        "../../../../victim",
        "../../x",
        "/etc/x",
        "0" * 40 + "/../../../../victim",
        "0" * 40 + "\n",
        "0" * 39,
        "",
    ],
)
async def test_a_commit_that_is_no_sha_is_refused(
    hub: FakeHub, downloads: ModelDownloads, tmp_path: Path, victim: Path, commit: str
) -> None:
    hub.repos[REPO].answered_commit = commit
    before = files_under(tmp_path)

    with pytest.raises(
        UpstreamError, match="as the commit of 'mlx-community/tiny-llama'"
    ) as refused:
        await downloads.start(REPO)

    assert "would name a place outside the download folder" in refused.value.message
    assert files_under(tmp_path) == before
    assert downloads.states() == []
    assert not [r for r in hub.requests if "/tree/" in r.path or "/resolve/" in r.path]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../evil", "'..' part"),
        ("../../../../victim/evil", "'..' part"),
        ("/etc/x", "an absolute path"),
        ("a/../../b", "'..' part"),
        ("a/./b", "'.' or '..' part"),
        ("a//b", "an empty"),
        ("dir/", "an empty"),
        ("..\\evil", "a backslash"),
        ("a\x00b", "a control character"),
        ("a\nb", "a control character"),
        ("x" * 1025, "1 to 1024 characters"),
    ],
)
async def test_a_file_path_that_leaves_the_folder_is_refused(
    hub: FakeHub,
    downloads: ModelDownloads,
    tmp_path: Path,
    victim: Path,
    path: str,
    problem: str,
) -> None:
    hub.repos[REPO].files[path] = b"evil"
    before = files_under(tmp_path)

    with pytest.raises(UpstreamError, match="listed a file") as refused:
        await downloads.start(REPO)

    assert problem in refused.value.message
    assert files_under(tmp_path) == before
    assert downloads.states() == []
    assert not [r for r in hub.requests if "/resolve/" in r.path]


async def test_a_link_in_the_staging_folder_is_not_written_through(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path, tmp_path: Path, victim: Path
) -> None:
    folder = staging(data_dir, hub.repos[REPO])
    folder.mkdir(parents=True)
    (folder / f"{WEIGHTS}.part").symlink_to(victim / "precious.txt")
    before = files_under(tmp_path)

    with pytest.raises(UpstreamError, match="outside"):
        await downloads.start(REPO)

    assert files_under(tmp_path) == before


async def test_the_next_page_of_files_goes_only_to_the_hub(
    hub: FakeHub, downloads: ModelDownloads, tmp_path: Path
) -> None:
    downloads.tokens.set("hf_secret_token_1234")
    hub.tree_next = f"http://localhost:{hub.port}/api/models/elsewhere/steal/x/y"
    before = files_under(tmp_path)

    with pytest.raises(UpstreamError, match=r"sent the next page of '.*' to another host"):
        await downloads.start(REPO)

    assert not [r for r in hub.requests if "elsewhere" in r.path]
    assert files_under(tmp_path) == before


async def test_nested_files_land_inside_the_model_folder(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path
) -> None:
    hub.repos[REPO].files["extra/deep/notes.txt"] = b"notes"

    states = await follow(await downloads.start(REPO))

    assert states[-1].status == "done", states[-1].error
    assert (data_dir / "models" / REPO / "extra/deep/notes.txt").read_bytes() == b"notes"


async def test_cancel_deletes_only_what_the_download_wrote(
    hub: FakeHub, downloads: ModelDownloads, data_dir: Path, tmp_path: Path, victim: Path
) -> None:
    repo = hub.repos[REPO]
    repo.files["extra/notes.txt"] = b"notes"
    folder = staging(data_dir, repo)
    (folder / "extra").mkdir(parents=True)
    # Not files of the download: they were there before it and stay after it.
    (folder / "README.mine").write_text("mine")
    (folder / "extra" / "mine.txt").write_text("mine too")
    (folder / "kept").mkdir()
    outside = files_under(tmp_path / "victim")
    hub.chunk_size, hub.chunk_delay = 4096, 0.01
    download = await downloads.start(REPO)
    await follow(download, until=lambda s: s.files_done >= 1 and s.bytes_done > 20_000)

    assert (await downloads.cancel(download.id)).status == "cancelled"

    assert files_under(folder) == {
        "README.mine": b"mine",
        "extra": "dir",
        "extra/mine.txt": b"mine too",
        "kept": "dir",
    }
    assert files_under(tmp_path / "victim") == outside
    assert not (data_dir / "models" / REPO).exists()


async def test_a_pending_download_with_a_hostile_commit_is_not_resumed(
    hub: FakeHub, data_dir: Path, tmp_path: Path, victim: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = data_dir / "downloads"
    root.mkdir(parents=True)
    entry = {
        "id": "abc",
        "repo_id": REPO,
        "revision": "main",
        "commit": "../../../../victim",
        "files": [{"path": "precious.txt", "size": 4}],
    }
    (root / "pending.json").write_text(json.dumps([entry]))
    before = files_under(tmp_path)

    manager = make_downloads(data_dir)
    manager.resume()
    await manager.aclose()

    assert manager.states() == []
    assert "Ignoring" in caplog.text
    assert "as the commit of" in caplog.text
    assert files_under(tmp_path) == before
