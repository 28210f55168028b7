"""``POST /api/models/download`` against a Hub that answers paths meant to leave the data dir:
refused in the API's error shape, with nothing written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mlx_manager.settings import Settings
from tests.conftest import TINY_REPO, local_model_settings
from tests.fakes.hub import FakeHub

REPO = TINY_REPO


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    return local_model_settings(data_dir, tmp_path)


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


async def test_a_traversal_commit_is_refused_with_a_502(
    client: httpx.AsyncClient, hub: FakeHub, tmp_path: Path
) -> None:
    hub.repos[REPO].answered_commit = "../../../../escaped"
    before = listing(tmp_path)

    response = await client.post("/api/models/download", json={"repo_id": REPO})

    assert (response.status_code, response.json()["code"]) == (502, "upstream_error")
    assert response.json()["detail"] == (
        "The Hugging Face Hub answered '../../../../escaped' as the commit of "
        "'mlx-community/tiny-llama', which would name a place outside the download folder; "
        "the download is refused. Check HF_ENDPOINT."
    )
    assert listing(tmp_path) == before
    assert (await client.get("/api/models/downloads")).json()["downloads"] == []


async def test_a_traversal_file_name_is_refused_with_a_502(
    client: httpx.AsyncClient, hub: FakeHub, tmp_path: Path
) -> None:
    hub.repos[REPO].files["a/../../../../../escaped"] = b"evil"
    before = listing(tmp_path)

    response = await client.post("/api/models/download", json={"repo_id": REPO})

    assert (response.status_code, response.json()["code"]) == (502, "upstream_error")
    assert "listed a file 'a/../../../../../escaped'" in response.json()["detail"]
    assert "an empty, '.' or '..' part" in response.json()["detail"]
    assert listing(tmp_path) == before
