"""The live gateway of the inference tests, with a request log that flushes at once."""

from __future__ import annotations

import time

import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway, gateway

__all__ = ["gateway"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "request_log_flush_interval": 0.02,
            "health_min_requests": 2,
            "health_cooldown_base": 30.0,
            "retry_backoff_cap": 0.01,
        }
    )


def logged(gateway: Gateway, count: int, **params: object) -> list[dict[str, object]]:
    """The newest ``count`` request-log rows, oldest first, once that many are written."""
    deadline = time.monotonic() + 10
    with gateway.server.admin() as admin:
        while True:
            response = admin.get("/api/logs", params={"limit": count, **params})
            assert response.status_code == 200, response.text
            items: list[dict[str, object]] = response.json()["items"]
            if len(items) >= count or time.monotonic() > deadline:
                return list(reversed(items))
            time.sleep(0.02)
