"""``mlx-manager serve --workers N``: worker processes on one port share state through Redis,
here over one SQLite file (WAL) in the data dir."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from mlx_manager.cli import main
from tests.cluster.conftest import SERVE, eventually
from tests.conftest import ADMIN_TOKEN
from tests.fakes.upstream import free_port


def test_workers_need_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MLX_MANAGER_REDIS_URL", raising=False)
    assert main(["serve", "--workers", "2", "--data-dir", str(tmp_path)]) == 2
    assert "MLX_MANAGER_REDIS_URL" in capsys.readouterr().err


@pytest.mark.slow
def test_a_rule_made_through_one_worker_is_seen_by_every_worker(
    tmp_path: Path, redis_url: str
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLX_MANAGER_")}
    env |= {
        "MLX_MANAGER_REDIS_URL": redis_url,
        "MLX_MANAGER_REDIS_PREFIX": f"mlxm-test-{uuid.uuid4().hex[:8]}",
        "MLX_MANAGER_ADMIN_TOKEN": ADMIN_TOKEN,
        "MLX_MANAGER_DRAIN_TIMEOUT": "1",
    }
    # A set-up file is applied once before the workers start, not by each of them at once.
    setup = tmp_path / "setup.yaml"
    setup.write_text(
        "providers:\n  - {name: cfg-vllm, backend_type: openai_compatible,"
        " base_url: 'http://127.0.0.1:9'}\n"
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *SERVE,
                "--workers",
                "2",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
                "--config",
                str(setup),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def answers() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            return httpx.get(base + "/ready", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually(answers, timeout=30, interval=0.05)
        for _ in range(6):  # whichever worker answers
            providers = httpx.get(base + "/api/settings/providers", headers=headers).json()
            assert [p["name"] for p in providers["providers"]] == ["cfg-vllm"]
        created = httpx.post(
            base + "/api/settings/rules",
            headers=headers,
            json={"pattern": "alias", "pattern_type": "exact", "targets": [{"provider": "local"}]},
        )
        assert created.status_code == 201, created.text
        # New connections land on either worker; each must know the rule within a second.
        eventually(
            lambda: all(
                len(httpx.get(base + "/api/settings/rules", headers=headers).json()["rules"]) == 1
                for _ in range(6)
            ),
            timeout=1,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
