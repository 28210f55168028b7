"""The request log through a database outage: requests keep succeeding, rows wait in memory
(up to the queue size, the oldest dropped and counted beyond) and are written once it is back."""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway
from tests.conftest import POSTGRES_ADMIN_DSN
from tests.observability.conftest import logged
from tests.observability.test_metrics import labels, samples

HELLO = [{"role": "user", "content": "hello"}]
pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(settings: Settings, postgres_url: str) -> Settings:
    return settings.model_copy(update={"database_url": postgres_url, "request_log_queue_size": 3})


def set_database_open(url: str, is_open: bool) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(is_open).lower()}')
        if not is_open:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_requests_succeed_while_the_database_is_down(gateway: Gateway, settings: Settings) -> None:
    base = gateway.server.base_url
    assert settings.database_url is not None
    set_database_open(settings.database_url, False)
    try:
        for n in range(5):
            response = httpx.post(
                base + "/v1/chat/completions",
                json={"model": "up-openai/echo-1", "messages": HELLO},
                headers={"x-request-id": f"down-{n}"},
                timeout=5,
            )
            assert response.status_code == 200, response.text
        assert httpx.get(base + "/ready", timeout=5).status_code == 503
        # Queued or in a write attempt, three rows wait; the two oldest were dropped.
        waiting = (
            ("mlx_manager_request_log_queue_depth", labels()),
            ("mlx_manager_request_log_dropped_total", labels()),
        )
        deadline = time.monotonic() + 5
        while True:
            got = samples(httpx.get(base + "/metrics").text)
            if [got[name] for name in waiting] == [3, 2] or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert [got[name] for name in waiting] == [3, 2]
    finally:
        set_database_open(settings.database_url, True)
    rows = logged(gateway, 3)
    assert [row["request_id"] for row in rows] == ["down-2", "down-3", "down-4"]
    assert httpx.get(base + "/ready").status_code == 200
