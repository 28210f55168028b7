"""What requests cost, end to end: a model with no price is logged as unpriced and listed for
the operator; once priced (``PATCH /api/settings/providers/{id}`` with ``prices``), every
request's log row has its cost, non-streamed replies say it in a header, and ``/metrics``
counts it, whichever protocol the caller and the provider speak, streamed or not, with or
without ``include_usage``. A provider that sends no usage is counted with a tokenizer."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mlx_manager.api.state import AppState
from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.settings import Settings
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.api.inference.test_claude_code_surface import byte_encoding
from tests.fakes.upstream import Reply
from tests.observability.conftest import logged
from tests.observability.test_metrics import labels, samples

HELLO: Any = [{"role": "user", "content": "hello there"}]
PRICE = {
    "input_per_mtok": 3.0,
    "output_per_mtok": 15.0,
    "cache_read_per_mtok": 0.3,
    "cache_write_per_mtok": 3.75,
}
COST_HEADER = "x-mlx-manager-cost-usd"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_log_flush_interval": 0.02})


def price(gateway: Gateway, up: str, prices: dict[str, Any]) -> dict[str, Any]:
    with gateway.server.admin() as admin:
        response = admin.patch(
            f"/api/settings/providers/{gateway.provider_ids[up]}", json={"prices": prices}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def expected_cost(row: dict[str, Any]) -> float:
    cached, written = row["cache_read_tokens"], row["cache_write_tokens"]
    return (
        (row["input_tokens"] - cached - written) * PRICE["input_per_mtok"]
        + cached * PRICE["cache_read_per_mtok"]
        + written * PRICE["cache_write_per_mtok"]
        + row["output_tokens"] * PRICE["output_per_mtok"]
    ) / 1e6


def unpriced(gateway: Gateway) -> list[dict[str, Any]]:
    with gateway.server.admin() as admin:
        response = admin.get("/api/logs/unpriced")
    assert response.status_code == 200, response.text
    models: list[dict[str, Any]] = response.json()["models"]
    return models


def test_an_unpriced_model_is_logged_so_listed_then_priced(gateway: Gateway) -> None:
    reply = gateway.openai().chat.completions.with_raw_response.create(
        model="up-openai/echo-1", messages=HELLO
    )
    assert COST_HEADER not in reply.headers
    [row] = logged(gateway, 1)
    assert (row["priced"], row["cost_usd"]) == ("unpriced", None)
    assert row["input_tokens"] == 2
    [listed] = unpriced(gateway)
    assert {k: listed[k] for k in ("provider", "provider_id", "model", "requests")} == {
        "provider": "up-openai",
        "provider_id": gateway.provider_ids["openai"],
        "model": "echo-1",
        "requests": 1,
    }

    shown = price(gateway, "openai", {"echo-1": PRICE})
    assert shown["prices"] == {"echo-1": PRICE}
    assert unpriced(gateway) == []  # priced since: no longer listed
    reply = gateway.openai().chat.completions.with_raw_response.create(
        model="up-openai/echo-1", messages=HELLO
    )
    _, row = logged(gateway, 2)
    assert row["priced"] == "override"
    assert row["cost_usd"] == pytest.approx(expected_cost(row))
    assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (2, 2, 4)
    assert float(reply.headers[COST_HEADER]) == pytest.approx(row["cost_usd"])


@pytest.mark.parametrize("caller", ["openai", "anthropic"])
@pytest.mark.parametrize("up", ["openai", "anthropic"])
@pytest.mark.parametrize(
    "mode", ["non-stream", "stream", "stream-include-usage"], ids=lambda m: str(m)
)
def test_every_protocol_pair_and_mode_is_costed(
    gateway: Gateway, caller: str, up: str, mode: str
) -> None:
    price(gateway, up, {"echo-1": PRICE})
    model = f"{PROVIDERS[up]}/echo-1"
    stream = mode != "non-stream"
    headers: httpx.Headers | None = None
    if caller == "openai":
        extra: dict[str, Any] = {}
        if mode == "stream-include-usage":
            extra["stream_options"] = {"include_usage": True}
        client = gateway.openai()
        if stream:
            chunks = list(
                client.chat.completions.create(model=model, messages=HELLO, stream=True, **extra)
            )
            with_usage = [c for c in chunks if c.usage is not None]
            # The caller gets usage exactly when it asked for it.
            assert len(with_usage) == (1 if extra else 0)
        else:
            raw = client.chat.completions.with_raw_response.create(model=model, messages=HELLO)
            headers = raw.headers
    else:
        anthropic = gateway.anthropic()
        if stream:
            with anthropic.messages.stream(model=model, max_tokens=64, messages=HELLO) as events:
                events.until_done()
        else:
            raw_message = anthropic.messages.with_raw_response.create(
                model=model, max_tokens=64, messages=HELLO
            )
            headers = raw_message.headers
    [row] = logged(gateway, 1)
    assert (row["status"], row["priced"], row["tokens_estimated"]) == (200, "override", False)
    assert row["input_tokens"] and row["output_tokens"]
    assert row["cost_usd"] == pytest.approx(expected_cost(row))
    if headers is not None:
        assert float(headers[COST_HEADER]) == pytest.approx(row["cost_usd"])


def test_cost_is_counted_in_metrics_by_provider_model_and_key(gateway: Gateway) -> None:
    price(gateway, "openai", {"echo-1": PRICE})
    with gateway.server.admin() as admin:
        created = admin.post("/api/keys", json={"name": f"team-{time.monotonic_ns()}"})
        assert created.status_code == 201, created.text
    key, name = created.json()["key"], created.json()["name"]
    for _ in range(2):
        httpx.post(
            gateway.server.base_url + "/v1/chat/completions",
            json={"model": "up-openai/echo-1", "messages": HELLO},
            headers={"Authorization": f"Bearer {key}"},
        ).raise_for_status()
    rows = logged(gateway, 2)
    got = samples(httpx.get(gateway.server.base_url + "/metrics").text)
    series = labels(provider="up-openai", model="echo-1", key=name)
    assert got["mlx_manager_cost_usd_total", series] == pytest.approx(
        sum(r["cost_usd"] for r in rows)
    )


def no_usage_openai(body: dict[str, Any]) -> Reply:
    head = {"id": "chatcmpl-1", "created": 1, "model": body["model"]}
    if not body.get("stream"):
        message = {"role": "assistant", "content": "four words of reply"}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        return Reply(json={**head, "object": "chat.completion", "choices": [choice]})
    chunk = {**head, "object": "chat.completion.chunk"}
    deltas = [{"role": "assistant", "content": "four words"}, {"content": " of reply"}]
    events: list[tuple[str | None, Any]] = [
        (None, {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": None}]})
        for d in deltas
    ]
    events.append(
        (None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    )
    events.append((None, "[DONE]"))
    return Reply(sse=events)


@pytest.mark.parametrize("stream", [False, True], ids=["non-stream", "stream"])
def test_a_provider_that_sends_no_usage_is_counted_by_tokenizer(
    gateway: Gateway, stream: bool
) -> None:
    state: AppState = gateway.server.app.state.mm
    state.observer.estimator = TokenEstimator(byte_encoding)
    silent = gateway.add_upstream("silent", "openai")
    silent.reply("/v1/chat/completions", Reply(compute=no_usage_openai))
    price(gateway, "silent", {"quiet-1": PRICE})
    client = gateway.openai()
    if stream:
        chunks = list(
            client.chat.completions.create(model="silent/quiet-1", messages=HELLO, stream=True)
        )
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
            "four words of reply"
        )
    else:
        raw = client.chat.completions.with_raw_response.create(
            model="silent/quiet-1", messages=HELLO
        )
        # Not known before the reply went out: the log has it.
        assert COST_HEADER not in raw.headers
    [row] = logged(gateway, 1)
    assert row["tokens_estimated"] is True
    # One token per byte: "hello there" plus 3 for the message and 3 to open the reply.
    assert row["input_tokens"] == len("hello there") + 3 + 3
    assert row["output_tokens"] == len("four words of reply")
    assert row["cost_usd"] == pytest.approx(expected_cost(row))


def test_prices_are_checked_and_can_be_removed(gateway: Gateway) -> None:
    provider_id = gateway.provider_ids["openai"]
    with gateway.server.admin() as admin:
        api = f"/api/settings/providers/{provider_id}"
        refused = admin.patch(
            api, json={"prices": {"m": {"input_per_mtok": -1, "output_per_mtok": 1}}}
        )
        assert refused.status_code == 422
        missing = admin.patch(api, json={"prices": {"m": {"input_per_mtok": 1}}})
        assert missing.status_code == 422
        assert admin.patch(api, json={"prices": {"m": PRICE}}).json()["prices"] == {"m": PRICE}
        # A change of something else keeps them.
        assert admin.patch(api, json={"name": "renamed"}).json()["prices"] == {"m": PRICE}
        assert admin.patch(api, json={"prices": {}}).json()["prices"] == {}
