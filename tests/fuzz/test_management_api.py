"""Schemathesis against the live server's own OpenAPI schema: every operation, with generated
(valid and invalid) input, as the admin; no answer may be a 5xx, and none may hang.

Bounded: a few dozen examples per operation, no shrinking, a timeout per call.
"""

from __future__ import annotations

import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from mlx_manager.settings import Settings
from tests.conftest import ADMIN_TOKEN, LiveServer

# Thousands of generated cases: the slow group (`make test-slow`), which CI runs.
pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 25
# Starts real downloads from the Hugging Face Hub.
NOT_FUZZED = {("POST", "/api/models/download")}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"provider_test_timeout": 0.3, "sign_in_attempts_per_minute": 1000}
    )


def test_no_operation_answers_5xx_or_hangs(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_dict(live_server.app.openapi())
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    slowest = 0.0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in NOT_FUZZED:
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            nonlocal slowest
            started = time.monotonic()
            response = case.call(base_url=live_server.base_url, session=session, timeout=10)
            slowest = max(slowest, time.monotonic() - started)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:500]}"
            )

        call()
    session.close()
    assert slowest < 10
