"""``token show|rotate`` on a server whose admin token lives in its data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlx_manager.cli import main
from mlx_manager.settings import Settings
from tests.cli.conftest import Cli
from tests.conftest import LiveServer


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    # No MLX_MANAGER_ADMIN_TOKEN: the server makes one into the data dir.
    return Settings(data_dir=data_dir, secret_key="test-secret")


def test_show_prints_the_data_dirs_token_or_the_given_one(
    live_server: LiveServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = (data_dir / "admin_token").read_text().strip()
    assert main(["--data-dir", str(data_dir), "token", "show"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == stored and str(data_dir / "admin_token") in captured.err
    assert main(["--token", "given", "token", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["token"] == "given"
    assert main(["--data-dir", str(data_dir / "elsewhere"), "token", "show"]) == 1
    assert "No admin token" in capsys.readouterr().err


def test_rotate_replaces_the_token_at_once(
    live_server: LiveServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (data_dir / "admin_token").read_text().strip()
    cli = Cli(url=live_server.base_url, token=old, capsys=capsys)
    ran = cli("token", "rotate")
    assert ran.code == 0, ran.err
    new = ran.out.strip()
    assert new != old and (data_dir / "admin_token").read_text().strip() == new
    assert "the old one no longer works" in ran.err
    assert (data_dir / "admin_token").stat().st_mode & 0o777 == 0o600

    assert "refused the admin token (401)" in cli.fails("keys", "list")
    cli.token = new
    cli.ok("keys", "list")
    # Found in the data dir, as the other commands find it.
    capsys.readouterr()
    args = ["--url", live_server.base_url, "--data-dir", str(data_dir), "token", "rotate", "--json"]
    assert main(args) == 0
    assert (
        json.loads(capsys.readouterr().out)["token"]
        == (data_dir / "admin_token").read_text().strip()
    )
