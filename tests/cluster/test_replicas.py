"""Several real replicas on one PostgreSQL database and one Redis behave as one gateway:
changes made through one are used by all within a second, a key's limit holds across them, a
target taken out by one is out on all, and Redis going away fails no request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cluster.conftest import PrivateRedis, Replica, Replicas, eventually, launch, stop
from tests.conftest import fresh_postgres_database
from tests.fakes.llm import serve_echo_model
from tests.fakes.upstream import FakeUpstream, Reply

pytestmark = pytest.mark.postgres

PROPAGATION_LIMIT = 1.0


def chat(replica: Replica, model: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(
        replica.base_url + "/v1/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
        headers=headers,
        timeout=10,
    )


def add_provider(replica: Replica, name: str, base_url: str) -> int:
    with replica.admin() as admin:
        response = admin.post(
            "/api/settings/providers",
            json={"name": name, "backend_type": "openai_compatible", "base_url": base_url},
        )
    assert response.status_code == 201, response.text
    provider_id: int = response.json()["id"]
    return provider_id


def add_rule(replica: Replica, pattern: str, targets: list[dict[str, Any]]) -> int:
    with replica.admin() as admin:
        response = admin.post(
            "/api/settings/rules",
            json={"pattern": pattern, "pattern_type": "exact", "targets": targets},
        )
    assert response.status_code == 201, response.text
    rule_id: int = response.json()["id"]
    return rule_id


def knows_rule(replica: Replica, pattern: str) -> bool:
    with replica.admin() as admin:
        rules = admin.get("/api/settings/rules").json()["rules"]
    return any(rule["pattern"] == pattern for rule in rules)


def wait_for_rule(replicas: list[Replica], pattern: str) -> float:
    """Seconds until every replica in ``replicas`` routes by the rule."""
    return max(
        eventually(lambda r=r: knows_rule(r, pattern), timeout=PROPAGATION_LIMIT) for r in replicas
    )


@pytest.fixture
def echo(upstream: FakeUpstream) -> FakeUpstream:
    serve_echo_model(upstream)
    return upstream


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Replicas]:
    """Three replicas, shared by this module's tests (starting them is most of their time)."""
    with fresh_postgres_database() as database_url:
        replicas = launch(
            tmp_path_factory.mktemp("trio"),
            count=3,
            database_url=database_url,
            redis_url=redis_url,
            extra={
                "MLX_MANAGER_HEALTH_MIN_REQUESTS": "2",
                "MLX_MANAGER_HEALTH_COOLDOWN_BASE": "60",
                "MLX_MANAGER_HEALTH_COOLDOWN_MAX": "60",
                "MLX_MANAGER_RETRIES_PER_TARGET": "0",
            },
        )
        yield replicas
        stop(replicas)


def test_a_rule_made_on_one_replica_routes_on_the_others_within_a_second(
    trio: Replicas, echo: FakeUpstream
) -> None:
    provider = add_provider(trio[0], "echo-rules", echo.base_url)
    # Another replica's rule check needs the provider, so it must have arrived first.
    with trio[1].admin() as admin:

        def routes_to_provider() -> bool:
            test = admin.post("/api/settings/rules/test", json={"model": "echo-rules/echo-1"})
            return test.json()["error"] is None

        eventually(routes_to_provider, timeout=PROPAGATION_LIMIT)
    add_rule(trio[0], "team-model", [{"provider": provider, "model": "echo-2"}])
    delay = wait_for_rule([trio[1], trio[2]], "team-model")
    print(f"rule propagation: {delay * 1000:.0f} ms")
    for replica in trio:
        assert chat(replica, "team-model").status_code == 200
    assert [r.json()["model"] for r in echo.received[-3:]] == ["echo-2"] * 3


def test_a_keys_request_limit_holds_across_replicas(trio: Replicas, echo: FakeUpstream) -> None:
    add_provider(trio[0], "echo-keys", echo.base_url)
    with trio[0].admin() as admin:
        response = admin.post("/api/keys", json={"name": "ci", "requests_per_minute": 6})
    assert response.status_code == 201, response.text
    key = response.json()["key"]
    try:
        _check_limit_across(trio, key)
    finally:
        # Other tests here call /v1 without a key, as it is open while no key exists.
        with trio[0].admin() as admin:
            admin.delete(f"/api/keys/{response.json()['id']}")
        for replica in trio:
            eventually(lambda r=replica: chat(r, "nothing").status_code == 404, timeout=1)


def _check_limit_across(trio: Replicas, key: str) -> None:
    # Until the key arrives a replica answers 401; the first admitted call uses one request.
    def admitted(replica: Replica) -> bool:
        response = httpx.get(
            replica.base_url + "/v1/models", headers={"Authorization": f"Bearer {key}"}
        )
        return response.status_code != 401

    for replica in (trio[1], trio[2]):
        eventually(lambda r=replica: admitted(r), timeout=PROPAGATION_LIMIT)
    statuses = [chat(trio[i % 3], "echo-keys/echo-1", key).status_code for i in range(9)]
    # 6 a minute, 2 used by the checks above: 4 more pass, wherever they land.
    assert sorted(statuses) == [200] * 4 + [429] * 5
    assert statuses[:4] == [200] * 4


def test_a_target_taken_out_on_one_replica_is_out_on_the_others(
    trio: Replicas, echo: FakeUpstream
) -> None:
    failing = FakeUpstream().start()
    try:
        failing.reply("/v1/chat/completions", Reply(status=500, json={"error": "down"}))
        bad = add_provider(trio[0], "flaky", failing.base_url)
        good = add_provider(trio[0], "echo-breakers", echo.base_url)
        targets = [{"provider": bad, "model": "m"}, {"provider": good, "model": "echo-1"}]
        add_rule(trio[0], "m", targets)
        wait_for_rule([trio[1], trio[2]], "m")
        # A minimum of 2: two failures on replica 0 take the target out (each fails over).
        assert [chat(trio[0], "m").status_code for _ in range(2)] == [200, 200]
        assert len(failing.received) == 2
        open_sample = f'mlx_manager_target_state{{state="backing_off",target="provider:{bad}/m"}}'
        for replica in (trio[1], trio[2]):
            delay = eventually(
                lambda r=replica: r.metric(open_sample) == 1.0, timeout=PROPAGATION_LIMIT
            )
            print(f"health propagation: {delay * 1000:.0f} ms")
        statuses = [chat(trio[1 + i % 2], "m").status_code for i in range(6)]
        assert statuses == [200] * 6
        assert len(failing.received) == 2  # nobody called the open target again
    finally:
        failing.stop()


@pytest.mark.slow
def test_requests_are_served_while_redis_is_down_and_shared_mode_recovers(
    tmp_path: Path, postgres_url: str, private_redis: PrivateRedis, echo: FakeUpstream
) -> None:
    pair = launch(
        tmp_path,
        count=2,
        database_url=postgres_url,
        redis_url=private_redis.url,
        extra={"MLX_MANAGER_SHARED_CHECK_INTERVAL": "1"},
    )
    try:
        provider = add_provider(pair[0], "echo", echo.base_url)
        with pair[0].admin() as admin:
            key = admin.post("/api/keys", json={"name": "k", "requests_per_minute": 1000}).json()
        eventually(lambda: chat(pair[1], "echo/echo-1", key["key"]).status_code == 200, timeout=1)
        degraded = "mlx_manager_shared_mode_degraded"
        assert [r.metric(degraded) for r in pair] == [0.0, 0.0]

        private_redis.stop()
        statuses = [chat(pair[i % 2], "echo/echo-1", key["key"]).status_code for i in range(10)]
        assert statuses == [200] * 10
        for replica in pair:
            eventually(lambda r=replica: r.metric(degraded) == 1.0, timeout=5)
        # Without Redis, the other replica still learns of a change from the database.
        add_rule(pair[0], "during-outage", [{"provider": provider, "model": "echo-1"}])
        eventually(lambda: knows_rule(pair[1], "during-outage"), timeout=5)

        private_redis.start()
        for replica in pair:
            eventually(lambda r=replica: r.metric(degraded) == 0.0, timeout=10)
        add_rule(pair[0], "after-outage", [{"provider": provider, "model": "echo-1"}])
        delay = wait_for_rule([pair[1]], "after-outage")
        print(f"rule propagation after recovery: {delay * 1000:.0f} ms")
        assert chat(pair[1], "after-outage", key["key"]).status_code == 200
    finally:
        stop(pair)
