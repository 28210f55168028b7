"""One request-log row per /v1 request, end to end through a live gateway: both protocols, the
fast path and translation, streams and not, failures, and streams that break off."""

from __future__ import annotations

import httpx
import pytest

from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.llm import openai_reply
from tests.fakes.upstream import Reply
from tests.observability.conftest import logged

HELLO = [{"role": "user", "content": "hello"}]
PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}


def call(
    gateway: Gateway, caller: str, model: str, *, stream: bool, request_id: str, **extra: object
) -> httpx.Response:
    body: dict[str, object] = {"model": model, "messages": HELLO, "stream": stream, **extra}
    if caller == "anthropic":
        body["max_tokens"] = 50
    response = httpx.post(
        gateway.server.base_url + PATHS[caller],
        json=body,
        headers={"x-request-id": request_id, "anthropic-version": "2023-06-01"},
        timeout=10,
    )
    return response


# The echo model answers "hello" with three words; its prompt counts one token, and Anthropic
# adds two cache-read tokens, which count as input.
TOKENS = {"openai": (1, 3), "anthropic": (3, 3)}


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("caller", "up"),
    [
        ("openai", "openai"),
        ("anthropic", "anthropic"),
        ("openai", "anthropic"),
        ("anthropic", "openai"),
    ],
)
def test_a_row_per_request_with_tokens_and_time_to_first_token(
    gateway: Gateway, caller: str, up: str, stream: bool
) -> None:
    model = f"{PROVIDERS[up]}/echo-1"
    extra = {"stream_options": {"include_usage": True}} if stream and caller == "openai" else {}
    response = call(gateway, caller, model, stream=stream, request_id="rid-1", **extra)
    assert response.status_code == 200, response.text
    [row] = logged(gateway, 1)
    assert row["request_id"] == "rid-1"
    assert row["endpoint"] == PATHS[caller]
    assert (row["protocol"], row["model_requested"]) == (caller, model)
    assert (row["provider"], row["model"]) == (PROVIDERS[up], "echo-1")
    assert (row["attempts"], row["status"], row["error"], row["stream"]) == (1, 200, None, stream)
    assert (row["input_tokens"], row["output_tokens"]) == TOKENS[up]
    assert row["latency_ms"] > 0
    if stream:
        assert 0 < row["ttft_ms"] <= row["latency_ms"]
    else:
        assert row["ttft_ms"] is None
    assert row["api_key_name"] is None
    # No prompt or completion text unless an admin turned it on.
    assert row["prompt"] is None and row["completion"] is None


def test_a_fast_path_openai_stream_without_usage_still_has_its_tokens(gateway: Gateway) -> None:
    response = call(gateway, "openai", "up-openai/echo-1", stream=True, request_id="r")
    assert response.status_code == 200
    assert b'"usage"' not in response.content
    [row] = logged(gateway, 1)
    assert (row["input_tokens"], row["output_tokens"]) == TOKENS["openai"]
    assert row["ttft_ms"] is not None


def test_failures_are_logged_with_their_error(gateway: Gateway) -> None:
    response = call(gateway, "openai", "no-such-model", stream=False, request_id="r-404")
    assert response.status_code == 404
    response = httpx.post(
        gateway.server.base_url + "/v1/messages",
        content=b"{not json",
        headers={"x-request-id": "r-400"},
    )
    assert response.status_code == 400
    missing, invalid = logged(gateway, 2)
    assert (missing["status"], missing["error"]) == (404, "model_not_found")
    assert (missing["model_requested"], missing["provider"], missing["model"]) == (
        "no-such-model",
        None,
        None,
    )
    assert (invalid["status"], invalid["protocol"]) == (400, "anthropic")
    assert (invalid["error"], invalid["model_requested"]) == ("invalid_request_error", None)
    assert invalid["request_id"] == "r-400"


def test_failover_attempts_are_counted(gateway: Gateway) -> None:
    sick = gateway.add_upstream("sick", "openai")
    sick.reply("/v1/chat/completions", Reply(status=500, json={"error": {"message": "boom"}}))
    gateway.add_rule(
        "fo-*",
        [
            {"provider": gateway.provider_ids["sick"], "model": "m"},
            {"provider": gateway.provider_ids["openai"], "model": "echo-1"},
        ],
    )
    assert call(gateway, "openai", "fo-1", stream=False, request_id="r").status_code == 200
    [row] = logged(gateway, 1)
    assert (row["provider"], row["model"], row["attempts"]) == ("up-openai", "echo-1", 3)
    assert row["model_requested"] == "fo-1"


def test_a_stream_broken_off_upstream_keeps_its_error(gateway: Gateway) -> None:
    flaky = gateway.add_upstream("flaky", "openai")
    flaky.reply(
        "/v1/chat/completions",
        Reply(
            compute=lambda body: Reply(sse=openai_reply({**body, "stream": True}).sse, cut_after=3)
        ),
    )
    gateway.add_rule("fl-*", [{"provider": gateway.provider_ids["flaky"], "model": "m"}])
    for caller in ("openai", "anthropic"):  # the fast path, then translation
        response = call(gateway, caller, "fl-1", stream=True, request_id=caller)
        assert response.status_code == 200
        assert b"error" in response.content
    fast, translated = logged(gateway, 2)
    assert (fast["status"], fast["error"], fast["provider"]) == (
        200,
        "upstream_unavailable",
        "flaky",
    )
    assert (translated["status"], translated["error"]) == (200, "upstream_unavailable")


def test_a_client_that_hangs_up_mid_stream_is_logged_as_such(gateway: Gateway) -> None:
    slow = gateway.add_upstream("slow", "openai")
    slow.reply(
        "/v1/chat/completions",
        Reply(
            compute=lambda body: Reply(
                sse=openai_reply({**body, "stream": True}).sse, event_delay=0.2
            )
        ),
    )
    gateway.add_rule("slow-*", [{"provider": gateway.provider_ids["slow"], "model": "m"}])
    with httpx.stream(
        "POST",
        gateway.server.base_url + "/v1/chat/completions",
        json={"model": "slow-1", "messages": HELLO, "stream": True},
        timeout=10,
    ) as response:
        assert next(response.iter_bytes())  # the first bytes, then hang up
    [row] = logged(gateway, 1)
    assert (row["status"], row["error"], row["stream"]) == (499, "client_disconnected", True)
    assert row["ttft_ms"] is not None
