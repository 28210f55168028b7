"""``models`` against a live server: a tiny model built on the fly, pulled from a fake Hub."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from mlx_manager.settings import Settings
from tests.cli.conftest import Cli
from tests.conftest import TINY_REPO, local_model_settings
from tests.fakes.hub import FakeHub

REPO = TINY_REPO


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    return local_model_settings(data_dir, tmp_path, local_max_memory_gb=4)


def test_list_load_unload_and_remove(
    cli: Cli, admin: httpx.Client, data_dir: Path, tiny_model_path: Path
) -> None:
    shutil.copytree(tiny_model_path, data_dir / "models" / "tiny-llama")

    table = cli.ok("models", "list")
    row = next(line for line in table.splitlines() if "tiny-llama" in line)
    assert "llama" in row and "models_dir" in row and "text" in row
    assert "Loaded tiny-llama (pinned)." in cli.ok("models", "load", "tiny-llama", "--pin")
    (model,) = json.loads(cli.ok("models", "list", "--json"))
    assert (model["name"], model["loaded"], model["pinned"]) == ("tiny-llama", True, True)
    status = json.loads(cli.ok("status", "--json"))
    assert [m["name"] for m in status["local"]["loaded"]] == ["tiny-llama"]

    line = cli.fails("models", "rm", "tiny-llama")  # refused while loaded
    assert "(409)" in line
    assert json.loads(cli.ok("models", "unload", "tiny-llama", "--json"))["loaded"] is False
    assert "Removed tiny-llama." in cli.ok("models", "rm", "tiny-llama")
    assert admin.get("/api/models").json()["models"] == []
    assert "(404)" in cli.fails("models", "load", "tiny-llama")


def test_pull_shows_progress_speed_and_time_left(
    cli: Cli, hub: FakeHub, admin: httpx.Client
) -> None:
    hub.chunk_size, hub.chunk_delay = 16 * 1024, 0.005
    total = sum(len(c) for c in hub.repos[REPO].files.values())

    ran = cli("models", "pull", REPO)
    assert ran.code == 0, ran.err
    assert f"Pulled {REPO}" in ran.out and "5 files" in ran.out
    # The bar's last state: every file, the byte count, the speed and the time left.
    assert f"{REPO} (5/5 files)" in ran.err
    assert f"{total / 1000:.1f}/{total / 1000:.1f} kB" in ran.err
    assert re.search(r" [\d.]+ [kMG]?B/s 0:00:00$", ran.err.strip()), ran.err
    listed = {m["name"]: m for m in admin.get("/api/models").json()["models"]}
    assert listed[REPO]["source"] == "models_dir"

    again = cli.fails("models", "pull", REPO)
    assert "(409)" in again
    missing = cli.fails("models", "pull", "mlx-community/nope")
    assert "No model repo 'mlx-community/nope'" in missing and "(404)" in missing


def test_pull_json_prints_the_finished_download(cli: Cli, hub: FakeHub) -> None:
    ran = cli("models", "pull", REPO, "--json")
    assert ran.code == 0, ran.err
    done = json.loads(ran.out)
    assert (done["status"], done["model"], done["files_done"]) == ("done", REPO, 5)
    assert ran.err == ""
