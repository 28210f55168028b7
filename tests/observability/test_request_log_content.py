"""With ``request_log_content`` on, the request log keeps the prompt and the completion."""

from __future__ import annotations

import httpx
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway
from tests.observability.conftest import logged


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_log_content": True})


def test_prompt_and_completion_are_kept_when_turned_on(gateway: Gateway) -> None:
    response = httpx.post(
        gateway.server.base_url + "/v1/chat/completions",
        json={"model": "up-openai/echo-1", "messages": [{"role": "user", "content": "secret"}]},
    )
    assert response.status_code == 200
    [row] = logged(gateway, 1)
    assert "secret" in str(row["prompt"])
    assert "user=[secret]" in str(row["completion"])
