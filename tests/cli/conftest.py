"""The command line against a real server: the app under uvicorn on a loopback port (the
``live_server`` fixture), called through ``main`` as the console script calls it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from mlx_manager.cli import main
from tests.conftest import ADMIN_TOKEN, LiveServer


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    """``mlx-manager --url … --token … <args>``, its exit status and what it printed."""

    url: str
    token: str
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *args: str) -> Ran:
        self.capsys.readouterr()
        code = main(["--url", self.url, "--token", self.token, *args])
        captured = self.capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    def ok(self, *args: str) -> str:
        ran = self(*args)
        assert ran.code == 0, ran.err
        return ran.out

    def fails(self, *args: str) -> str:
        """A refusal: a non-zero exit and one plain line on stderr, no traceback."""
        ran = self(*args)
        assert ran.code != 0, ran.out
        lines = ran.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mlx-manager: "), ran.err
        assert "Traceback" not in ran.err
        return lines[0]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tables laid out on one line per row, whatever terminal runs the tests.
    monkeypatch.setenv("COLUMNS", "250")
    for name in ("MLX_MANAGER_URL", "MLX_MANAGER_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(live_server: LiveServer, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(url=live_server.base_url, token=ADMIN_TOKEN, capsys=capsys)


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The admin API directly, to check what the commands changed."""
    with live_server.admin() as client:
        yield client
