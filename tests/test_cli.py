from pathlib import Path

import pytest

from mlx_manager.cli import build_parser, main
from mlx_manager.settings import DEFAULT_PORT, Settings


def test_serve_defaults_bind_loopback_on_the_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLX_MANAGER_DATA_DIR", raising=False)
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", DEFAULT_PORT == 10242 and 10242)
    assert settings.data_dir == Path.home() / ".mlx-manager"


def test_environment_selects_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLX_MANAGER_DATA_DIR", str(tmp_path))
    assert Settings().data_dir == tmp_path


def test_serve_accepts_host_port_and_data_dir() -> None:
    args = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--data-dir", "/tmp/x"]
    )
    assert (args.host, args.port, args.data_dir) == ("0.0.0.0", 9000, Path("/tmp/x"))


def test_migrate_creates_the_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--data-dir", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "mlx-manager.db").exists()
    assert "latest schema" in capsys.readouterr().out


def test_allow_open_is_off_unless_asked_for() -> None:
    from mlx_manager.cli import _settings

    assert _settings(build_parser().parse_args(["serve"])).allow_open is False
    opened = _settings(build_parser().parse_args(["serve", "--host", "0.0.0.0", "--allow-open"]))
    assert opened.allow_open is True and not opened.loopback_only
    assert Settings(host="::1").loopback_only and Settings(host="localhost").loopback_only
