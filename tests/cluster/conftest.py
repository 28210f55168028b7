"""Real replicas: ``python -m mlx_manager serve`` processes on one PostgreSQL database and one
Redis, and a private ``redis-server`` a test may stop and start again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from mlx_manager.storage.migrate import upgrade_to_head
from tests.conftest import ADMIN_TOKEN
from tests.fakes.upstream import free_port

STARTUP_TIMEOUT = 30.0
# Loopback only, and nothing written to disk: a restart starts empty, like a lost Redis.
_EPHEMERAL = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
SERVE = (sys.executable, "-m", "mlx_manager", "serve")


class PrivateRedis:
    """A ``redis-server`` of the test's own, without persistence, on a free port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), *_EPHEMERAL, "--dir", str(self._workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class Replica:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )

    def metric(self, name: str) -> float | None:
        """A sample's value from ``/metrics`` (``name`` with its labels, as exposed)."""
        text = httpx.get(self.base_url + "/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
        return None


@dataclass
class Replicas:
    members: list[Replica] = field(default_factory=list)

    def __getitem__(self, index: int) -> Replica:
        return self.members[index]

    def __iter__(self) -> Iterator[Replica]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)


def _wait_healthy(replica: Replica) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            break
        try:
            if httpx.get(replica.base_url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"replica on {replica.port} did not start:\n{replica.log_path.read_text()}")


def launch(
    tmp_path: Path, *, count: int, database_url: str, redis_url: str, extra: dict[str, str]
) -> Replicas:
    """Start ``count`` replicas sharing the database and Redis (the schema migrated first, as a
    deployment's release step does)."""
    upgrade_to_head(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLX_MANAGER_")}
    env |= {
        "MLX_MANAGER_DATABASE_URL": database_url,
        "MLX_MANAGER_REDIS_URL": redis_url,
        "MLX_MANAGER_REDIS_PREFIX": f"mlxm-test-{uuid.uuid4().hex[:8]}",
        "MLX_MANAGER_SECRET_KEY": "cluster-test-secret",
        "MLX_MANAGER_ADMIN_TOKEN": ADMIN_TOKEN,
        "MLX_MANAGER_DRAIN_TIMEOUT": "1",
        "MLX_MANAGER_LOG_LEVEL": "warning",
        **extra,
    }
    replicas = Replicas()
    for index in range(count):
        port = free_port()
        data_dir = tmp_path / f"replica-{index}"
        log_path = tmp_path / f"replica-{index}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*SERVE, "--port", str(port), "--data-dir", str(data_dir)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        replicas.members.append(Replica(port=port, process=process, log_path=log_path))
    try:
        for replica in replicas:
            _wait_healthy(replica)
    except RuntimeError:
        stop(replicas)
        raise
    return replicas


def stop(replicas: Replicas) -> None:
    for replica in replicas:
        if replica.process.poll() is None:
            replica.process.send_signal(signal.SIGTERM)
    for replica in replicas:
        try:
            replica.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            replica.process.kill()
            replica.process.wait(timeout=5)


def eventually(check: Callable[[], bool], *, timeout: float, interval: float = 0.01) -> float:
    """Seconds until ``check()`` is true; fails the test after ``timeout``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not true within {timeout} s: {getattr(check, '__name__', check)}")
        time.sleep(interval)
    return time.monotonic() - start
