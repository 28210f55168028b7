"""``GET /metrics``: the series after real traffic, breakers, the engine, and model labels that
are bounded and only name models that answered."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from mlx_manager.observability.metrics import MAX_MODEL_LABELS, GatewayMetrics
from mlx_manager.observability.record import RequestRecord
from tests.api.inference.conftest import Gateway
from tests.fakes.upstream import Reply
from tests.observability.conftest import logged

HELLO = [{"role": "user", "content": "hello"}]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


def test_metrics_after_traffic(gateway: Gateway) -> None:
    base = gateway.server.base_url
    for _ in range(2):
        httpx.post(
            base + "/v1/chat/completions", json={"model": "up-openai/echo-1", "messages": HELLO}
        )
    httpx.post(
        base + "/v1/messages",
        json={"model": "up-anthropic/echo-1", "max_tokens": 9, "messages": HELLO, "stream": True},
    )
    httpx.post(base + "/v1/chat/completions", json={"model": "no-such", "messages": HELLO})
    sick = gateway.add_upstream("sick", "openai")
    sick.reply("/v1/chat/completions", Reply(status=500, json={"error": {"message": "boom"}}))
    gateway.add_rule("cb-*", [{"provider": gateway.provider_ids["sick"], "model": "m"}])
    httpx.post(base + "/v1/chat/completions", json={"model": "cb-1", "messages": HELLO})
    logged(gateway, 5)  # every request has been finished

    response = httpx.get(base + "/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    openai = labels(protocol="openai", provider="up-openai", model="echo-1")
    anthropic = labels(protocol="anthropic", provider="up-anthropic", model="echo-1")
    assert got["mlx_manager_requests_total", openai | labels(status="200")] == 2
    assert got["mlx_manager_requests_total", anthropic | labels(status="200")] == 1
    unrouted = labels(protocol="openai", provider="", model="")
    assert got["mlx_manager_requests_total", unrouted | labels(status="404")] == 1
    assert got["mlx_manager_request_errors_total", unrouted | labels(code="model_not_found")] == 1
    assert (
        got["mlx_manager_request_errors_total", unrouted | labels(code="no_route_available")] == 1
    )
    assert got["mlx_manager_request_duration_seconds_count", openai] == 2
    assert got["mlx_manager_time_to_first_token_seconds_count", anthropic] == 1
    assert ("mlx_manager_time_to_first_token_seconds_count", openai) not in got or (
        got["mlx_manager_time_to_first_token_seconds_count", openai] == 0
    )
    assert got["mlx_manager_tokens_total", openai | labels(direction="input")] == 2
    assert got["mlx_manager_tokens_total", openai | labels(direction="output")] == 6
    assert got["mlx_manager_tokens_total", anthropic | labels(direction="input")] == 3
    # Two failures (a try and a retry) of two requests: the target is out.
    target = f"provider:{gateway.provider_ids['sick']}/m"
    assert got["mlx_manager_target_state", labels(target=target, state="backing_off")] == 1
    assert got["mlx_manager_target_state", labels(target=target, state="healthy")] == 0
    assert got["mlx_manager_target_error_rate", labels(target=target)] == 1.0
    assert got["mlx_manager_target_in_flight", labels(target=target)] == 0
    served = f"provider:{gateway.provider_ids['openai']}/echo-1"
    assert got["mlx_manager_target_latency_seconds", labels(target=served)] > 0
    assert got["mlx_manager_local_models_loaded", labels()] == 0
    assert got["mlx_manager_local_memory_bytes", labels()] == 0
    assert got["mlx_manager_request_log_queue_depth", labels()] == 0
    assert got["mlx_manager_request_log_written_total", labels()] >= 5
    assert got["mlx_manager_request_log_dropped_total", labels()] == 0


def test_model_labels_are_bounded() -> None:
    registry = GatewayMetrics()
    for n in range(MAX_MODEL_LABELS + 50):
        record = RequestRecord(protocol="openai", provider="p", model=f"m{n}", status=200)
        registry.observe(record)
    got = samples(registry.exposition().decode())
    models = {dict(key)["model"] for name, key in got if name == "mlx_manager_requests_total"}
    assert len(models) == MAX_MODEL_LABELS + 1
    other = labels(protocol="openai", provider="p", model="other", status="200")
    assert got["mlx_manager_requests_total", other] == 50


def test_failed_names_take_no_label_slot() -> None:
    registry = GatewayMetrics()
    registry.observe(RequestRecord(protocol="openai", provider="p", model="real", status=200))
    # A glob rule passes junk names through; the upstream answers 404 for each.
    for n in range(300):
        registry.observe(RequestRecord(protocol="openai", provider="p", model=f"j{n}", status=404))
    registry.observe(RequestRecord(protocol="openai", provider="p", model="real", status=500))
    # A model that answers for the first time after the junk still gets its own label.
    registry.observe(RequestRecord(protocol="openai", provider="p", model="new", status=200))
    got = samples(registry.exposition().decode())
    models = {dict(key)["model"] for name, key in got if name == "mlx_manager_requests_total"}
    assert models == {"real", "new", "other"}
    real = labels(protocol="openai", provider="p", model="real")
    assert got["mlx_manager_requests_total", real | labels(status="200")] == 1
    assert got["mlx_manager_requests_total", real | labels(status="500")] == 1
    other = labels(protocol="openai", provider="p", model="other")
    assert got["mlx_manager_requests_total", other | labels(status="404")] == 300
    assert got["mlx_manager_request_errors_total", other | labels(code="http_404")] == 300


def test_a_pair_is_labelled_from_its_first_success() -> None:
    registry = GatewayMetrics()
    for status in (503, 200, 503):
        registry.observe(RequestRecord(protocol="openai", provider="p", model="m", status=status))
    # The same name at another provider is another pair, not yet known there.
    registry.observe(RequestRecord(protocol="openai", provider="q", model="m", status=404))
    got = samples(registry.exposition().decode())
    m = labels(protocol="openai", provider="p", model="m")
    other = labels(protocol="openai", provider="p", model="other")
    assert got["mlx_manager_requests_total", other | labels(status="503")] == 1
    assert got["mlx_manager_requests_total", m | labels(status="200")] == 1
    assert got["mlx_manager_requests_total", m | labels(status="503")] == 1
    q = labels(protocol="openai", provider="q", model="other", status="404")
    assert got["mlx_manager_requests_total", q] == 1
