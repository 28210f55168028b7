"""``serve`` and ``migrate``: their options, and what every start says and records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mlx_manager.cli import main, server
from mlx_manager.cli.client import URL_FILE, local_url
from mlx_manager.settings import DEFAULT_PORT, Settings
from tests.fakes.upstream import free_port


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """The settings ``serve`` would run the server with, instead of running it."""
    runs: list[Settings] = []

    def run(settings: Settings) -> int:
        runs.append(settings)
        return 0

    monkeypatch.setattr(server, "run_server", run)
    return runs


def test_serve_defaults_bind_loopback_on_the_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLX_MANAGER_DATA_DIR", raising=False)
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", DEFAULT_PORT == 10242 and 10242)
    assert settings.data_dir == Path.home() / ".mlx-manager"
    assert str(DEFAULT_PORT) == server.DEFAULT_PORT_TEXT


def test_environment_selects_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLX_MANAGER_DATA_DIR", str(tmp_path))
    assert Settings().data_dir == tmp_path


def test_serve_accepts_host_port_data_dir_config_and_workers(served: list[Settings]) -> None:
    args = ["--host", "0.0.0.0", "--port", "9000", "--data-dir", "/tmp/x", "--workers", "3"]
    assert main(["serve", *args, "--config", "/tmp/c.yaml"]) == 0
    (settings,) = served
    assert (settings.host, settings.port, settings.data_dir) == ("0.0.0.0", 9000, Path("/tmp/x"))
    assert (settings.config, settings.workers) == (Path("/tmp/c.yaml"), 3)


def test_allow_open_is_off_unless_asked_for(served: list[Settings]) -> None:
    assert main(["serve"]) == 0
    assert main(["serve", "--host", "0.0.0.0", "--allow-open"]) == 0
    closed, opened = served
    assert closed.allow_open is False
    assert opened.allow_open is True and not opened.loopback_only
    assert Settings(host="::1").loopback_only and Settings(host="localhost").loopback_only


def test_a_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "many"]) == 2
    assert "Invalid value for '--port'" in capsys.readouterr().err


def test_migrate_creates_the_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--data-dir", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "mlx-manager.db").exists()
    assert "latest schema" in capsys.readouterr().out


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "migrate", "status", "providers", "rules", "keys", "models", "logs"):
        assert command in out
    assert "config" in out and "token" in out


def test_local_url_reaches_wildcard_and_ipv6_binds() -> None:
    assert local_url("0.0.0.0", 1) == "http://127.0.0.1:1"
    assert local_url("::", 2) == "http://[::1]:2"
    assert local_url("fd00::5", 3) == "http://[fd00::5]:3"
    assert local_url("gateway.lan", 4) == "http://gateway.lan:4"


def _serve(data_dir: Path, port: int, log: Path, *, while_up: Callable[[], None]) -> str:
    """``mlx-manager serve`` in a process of its own: ``while_up`` once it answers; then what it
    printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLX_MANAGER_")}
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlx_manager", "serve", "--port", str(port)],
            env={**env, "MLX_MANAGER_DATA_DIR": str(data_dir), "MLX_MANAGER_SECRET_KEY": "s"},
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert process.poll() is None, log.read_text()
        while_up()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return log.read_text()


@pytest.mark.slow
def test_every_start_says_where_the_ui_and_token_are_and_records_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for name in ("MLX_MANAGER_URL", "MLX_MANAGER_ADMIN_TOKEN", "MLX_MANAGER_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)

    def found_by_the_data_dir_alone() -> None:
        capsys.readouterr()
        assert main(["--data-dir", str(data_dir), "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["url"] == url

    first = _serve(data_dir, port, tmp_path / "first.log", while_up=lambda: None)
    token = (data_dir / "admin_token").read_text().strip()
    said = f"UI at {url}/ ; admin token in {data_dir / 'admin_token'}"
    assert said in first and token in first  # the first start also shows the new token once
    again = _serve(data_dir, port, tmp_path / "again.log", while_up=found_by_the_data_dir_alone)
    assert said in again and token not in again
    assert (data_dir / URL_FILE).read_text().strip() == url
