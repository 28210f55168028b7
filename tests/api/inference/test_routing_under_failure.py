"""Routing under real failure patterns, end to end with default settings: recovery, bounded
attempts, 429 back-offs, per-model health, broken successes, timeouts and load balancing."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.api.inference.conftest import Gateway
from tests.fakes.llm import anthropic_reply, openai_reply
from tests.fakes.upstream import FakeUpstream, Reply

HELLO = [{"role": "user", "content": "hello"}]
BOOM = Reply(status=500, json={"error": {"message": "boom", "type": "server_error"}})


def rule(gateway: Gateway, pattern: str, targets: list[dict[str, Any]], **fields: Any) -> None:
    with gateway.server.admin() as admin:
        response = admin.post(
            "/api/settings/rules",
            json={"pattern": pattern, "pattern_type": "glob", "targets": targets, **fields},
        )
        assert response.status_code == 201, response.text


def to(gateway: Gateway, name: str, model: str = "echo-1", **extra: Any) -> dict[str, Any]:
    return {"provider": gateway.provider_ids[name], "model": model, **extra}


def chat(gateway: Gateway, model: str, **body: Any) -> httpx.Response:
    return httpx.post(
        gateway.server.base_url + "/v1/chat/completions",
        json={"model": model, "messages": HELLO, **body},
        timeout=30,
    )


def served_by(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.headers["x-mlx-manager-provider"]


def health_of(gateway: Gateway, key: str) -> dict[str, Any]:
    with gateway.server.admin() as admin:
        targets = admin.get("/api/settings/rules/health").json()["targets"]
    found: dict[str, Any] = next(t for t in targets if t["key"] == key)
    return found


def echo(upstream: FakeUpstream) -> None:
    upstream.reply("/v1/chat/completions", Reply(compute=openai_reply))
    upstream.reply("/v1/messages", Reply(compute=anthropic_reply))


def test_a_single_target_serves_the_first_request_after_20_failures(gateway: Gateway) -> None:
    flaky = gateway.add_upstream("flaky", "openai")
    flaky.reply("/v1/chat/completions", *[BOOM] * 20, Reply(compute=openai_reply))
    rule(gateway, "solo-*", [to(gateway, "flaky")])
    failed = 0
    while len(flaky.received) < 20:
        response = chat(gateway, "solo-1")
        assert response.status_code == 500, response.text
        assert response.headers["x-should-retry"] in ("true", "false")
        failed += 1
    assert failed <= 20
    # Recovered: the very next request is served, though the target was backing off.
    assert served_by(chat(gateway, "solo-1")) == "flaky"
    key = f"provider:{gateway.provider_ids['flaky']}/echo-1"
    assert health_of(gateway, key)["state"] == "healthy"


def test_request_errors_do_not_take_a_target_out(gateway: Gateway) -> None:
    picky = gateway.add_upstream("picky", "openai")
    bad = Reply(
        status=400, json={"error": {"message": "too long", "type": "invalid_request_error"}}
    )
    picky.reply("/v1/chat/completions", *[bad] * 20, Reply(compute=openai_reply))
    rule(gateway, "pk-*", [to(gateway, "picky"), to(gateway, "openai")])
    for _ in range(20):
        assert chat(gateway, "pk-1").status_code == 400
    assert served_by(chat(gateway, "pk-1")) == "picky"
    assert health_of(gateway, f"provider:{gateway.provider_ids['picky']}/echo-1")["failures"] == 0


def test_429s_back_off_for_their_retry_after_only(gateway: Gateway) -> None:
    limited = gateway.add_upstream("limited", "openai")
    too_many = Reply(
        status=429,
        json={"error": {"message": "slow down", "type": "rate_limit_error"}},
        headers={"retry-after": "1"},
    )
    limited.reply("/v1/chat/completions", *[too_many] * 3, Reply(compute=openai_reply))
    rule(gateway, "rl-*", [to(gateway, "limited"), to(gateway, "openai")])
    # The first 429 fails over; while the back-off lasts the fallback serves.
    assert served_by(chat(gateway, "rl-1")) == "up-openai"
    assert served_by(chat(gateway, "rl-1")) == "up-openai"
    assert len(limited.received) == 1
    time.sleep(1.1)
    assert served_by(chat(gateway, "rl-1")) == "up-openai"  # the second 429
    time.sleep(1.1)
    assert served_by(chat(gateway, "rl-1")) == "up-openai"  # the third
    time.sleep(1.1)
    # The 429s are over: served again within Retry-After plus a small margin.
    assert served_by(chat(gateway, "rl-1")) == "limited"
    # A route whose only target is rate-limited answers 429, telling SDKs to wait and retry.
    solo = gateway.add_upstream("solo-limited", "openai")
    solo.reply("/v1/chat/completions", too_many, Reply(compute=openai_reply))
    rule(gateway, "rs-*", [to(gateway, "solo-limited")])
    refused = chat(gateway, "rs-1")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-should-retry"] == "true"
    assert served_by(chat(gateway, "rs-1")) == "solo-limited"


def test_a_dead_primary_is_spared_and_failed_back_to_once_it_recovers(gateway: Gateway) -> None:
    primary = gateway.add_upstream("primary", "openai")
    primary.reply("/v1/chat/completions", BOOM)
    rule(gateway, "pair-*", [to(gateway, "primary"), to(gateway, "openai")])
    servers = [served_by(chat(gateway, "pair-1")) for _ in range(60)]
    assert servers == ["up-openai"] * 60
    assert len(primary.received) < 20  # most requests never went to the primary
    echo(primary)
    deadline = time.monotonic() + 40
    while served_by(chat(gateway, "pair-1")) != "primary":
        assert time.monotonic() < deadline, "never failed back"
        time.sleep(0.1)
    assert served_by(chat(gateway, "pair-1")) == "primary"


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_one_sdk_call_with_default_retries_costs_a_failing_upstream_three_attempts_at_most(
    gateway: Gateway, sdk: str
) -> None:
    failing = gateway.add_upstream("failing", sdk)
    failing.reply("/v1/chat/completions", BOOM)
    failing.reply(
        "/v1/messages",
        Reply(status=500, json={"type": "error", "error": {"type": "api_error", "message": "x"}}),
    )
    rule(gateway, "sdk-*", [to(gateway, "failing")])
    base = gateway.server.base_url
    if sdk == "openai":
        with (
            openai.OpenAI(base_url=base + "/v1", api_key="unused") as client,
            pytest.raises(openai.InternalServerError),
        ):
            client.chat.completions.create(model="sdk-1", messages=HELLO)  # type: ignore[arg-type]
    else:
        with (
            anthropic.Anthropic(base_url=base, api_key="unused") as claude,
            pytest.raises(anthropic.InternalServerError),
        ):
            claude.messages.create(model="sdk-1", max_tokens=5, messages=HELLO)  # type: ignore[arg-type]
    assert 1 <= len(failing.received) <= 3


def test_errors_of_one_model_leave_the_providers_other_models_served(gateway: Gateway) -> None:
    shared = gateway.add_upstream("shared", "openai")

    def by_model(body: dict[str, Any]) -> Reply:
        return BOOM if body["model"] == "big" else openai_reply(body)

    shared.reply("/v1/chat/completions", Reply(compute=by_model))
    rule(gateway, "big-*", [to(gateway, "shared", "big")])
    rule(gateway, "small-*", [to(gateway, "shared", "small")])
    for _ in range(10):
        assert chat(gateway, "big-1").status_code == 500
    provider = gateway.provider_ids["shared"]
    assert health_of(gateway, f"provider:{provider}/big")["state"] == "backing_off"
    response = chat(gateway, "small-1")
    assert served_by(response) == "shared"
    assert response.headers["x-mlx-manager-attempts"] == "1"
    assert health_of(gateway, f"provider:{provider}/small")["state"] == "healthy"


BROKEN_REPLIES = {
    "truncated JSON": Reply(text='{"id": "x", "choices": [{"message": {"content": "hal'),
    "a 200 carrying an error object": Reply(
        json={"error": {"message": "model overloaded", "type": "server_error"}}
    ),
    "an empty body": Reply(text=""),
}
BROKEN_STREAMS = {
    "an empty stream": Reply(sse=[]),
    "a garbage stream": Reply(sse=[(None, "<html>bad gateway</html>")]),
    "a stream that starts with an error": Reply(
        sse=[(None, {"error": {"message": "overloaded", "type": "server_error"}})]
    ),
    "a JSON body for a stream": Reply(json={"error": {"message": "nope"}}),
}


@pytest.mark.parametrize("case", sorted(BROKEN_REPLIES))
def test_a_broken_reply_is_a_502_that_fails_over(gateway: Gateway, case: str) -> None:
    broken = gateway.add_upstream("broken", "openai")
    broken.reply("/v1/chat/completions", BROKEN_REPLIES[case])
    rule(gateway, "br-*", [to(gateway, "broken"), to(gateway, "openai")])
    assert served_by(chat(gateway, "br-1")) == "up-openai"
    assert len(broken.received) == 2  # a 502 is transient: tried again, then failed over
    rule(gateway, "bs-*", [to(gateway, "broken")])
    alone = chat(gateway, "bs-1")
    assert alone.status_code == 502
    assert alone.json()["error"]["message"].startswith("Provider 'broken' answered 200")


@pytest.mark.parametrize("case", sorted(BROKEN_STREAMS))
def test_a_broken_stream_is_a_502_that_fails_over(gateway: Gateway, case: str) -> None:
    broken = gateway.add_upstream("broken", "openai")
    broken.reply("/v1/chat/completions", BROKEN_STREAMS[case])
    rule(gateway, "br-*", [to(gateway, "broken"), to(gateway, "openai")])
    stream = gateway.openai().chat.completions.create(
        model="br-1",
        messages=HELLO,  # type: ignore[arg-type]
        stream=True,
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "system=[] user=[hello] images=0"
    assert broken.received
    rule(gateway, "bs-*", [to(gateway, "broken")])
    alone = chat(gateway, "bs-1", stream=True)
    assert alone.status_code == 502
    assert "broken" in alone.json()["error"]["message"]


def test_a_broken_anthropic_stream_fails_over_too(gateway: Gateway) -> None:
    broken = gateway.add_upstream("broken-a", "anthropic")
    broken.reply("/v1/messages", Reply(sse=[("content_block_delta", {"type": "nonsense"})]))
    rule(gateway, "ba-*", [to(gateway, "broken-a"), to(gateway, "anthropic")])
    with gateway.anthropic().messages.stream(
        model="ba-1",
        max_tokens=20,
        messages=HELLO,  # type: ignore[arg-type]
    ) as stream:
        assert "".join(stream.text_stream) == "system=[] user=[hello] images=0"


def test_a_hanging_upstream_times_out_at_its_first_byte_timeout_and_fails_over(
    gateway: Gateway,
) -> None:
    hanging = gateway.add_upstream("hanging", "openai")

    def late(body: dict[str, Any]) -> Reply:
        reply = openai_reply(body)
        reply.delay = 30
        return reply

    hanging.reply("/v1/chat/completions", Reply(compute=late))
    rule(gateway, "hang-*", [to(gateway, "hanging", first_byte_timeout=0.5), to(gateway, "openai")])
    started = time.monotonic()
    assert served_by(chat(gateway, "hang-1")) == "up-openai"
    assert time.monotonic() - started < 5
    rule(gateway, "hs-*", [to(gateway, "hanging", first_byte_timeout=0.5)])
    alone = chat(gateway, "hs-1")
    assert alone.status_code == 504
    assert "did not answer in time" in alone.json()["error"]["message"]


def test_a_stalled_stream_ends_with_the_protocols_error_event(gateway: Gateway) -> None:
    stalling = gateway.add_upstream("stalling", "openai")

    def slow_stream(body: dict[str, Any]) -> Reply:
        return Reply(sse=openai_reply({**body, "stream": True}).sse, event_delay=30)

    stalling.reply("/v1/chat/completions", Reply(compute=slow_stream))
    rule(gateway, "st-*", [to(gateway, "stalling", idle_timeout=0.5)])
    started = time.monotonic()
    with httpx.stream(
        "POST",
        gateway.server.base_url + "/v1/chat/completions",
        json={"model": "st-1", "messages": HELLO, "stream": True},
        timeout=30,
    ) as response:
        assert response.status_code == 200
        body = response.read().decode()
    assert time.monotonic() - started < 10
    assert '"error"' in body and "sent nothing for 0.5 s" in body
    # The translated path ends the same way, in the caller's protocol.
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        gateway.anthropic().messages.stream(
            model="st-1",
            max_tokens=20,
            messages=HELLO,  # type: ignore[arg-type]
        ) as stream,
    ):
        list(stream.text_stream)
    assert "sent nothing" in str(info.value)


def test_redirects_are_not_followed(gateway: Gateway) -> None:
    moved = gateway.add_upstream("moved", "openai")
    moved.reply(
        "/v1/chat/completions",
        Reply(status=302, headers={"location": gateway.upstream.base_url + "/v1/chat/completions"}),
    )
    rule(gateway, "mv-*", [to(gateway, "moved")])
    before = len(gateway.upstream.received)
    assert chat(gateway, "mv-1").status_code == 502
    assert chat(gateway, "mv-1", stream=True).status_code == 502
    assert len(gateway.upstream.received) == before


def split(gateway: Gateway, model: str, count: int, concurrency: int) -> Counter[str]:
    with ThreadPoolExecutor(concurrency) as pool:
        return Counter(pool.map(lambda _: served_by(chat(gateway, model)), range(count)))


@pytest.mark.slow
def test_weighted_three_to_one_splits_traffic_by_weight(gateway: Gateway) -> None:
    rule(
        gateway,
        "wt-*",
        [to(gateway, "openai", weight=3), to(gateway, "anthropic", weight=1)],
        strategy="weighted",
    )
    counts = split(gateway, "wt-1", 400, concurrency=4)
    share = counts["up-openai"] / 400
    assert 0.68 <= share <= 0.82, counts


@pytest.mark.parametrize("strategy", ["least_busy", "latency"])
def test_least_busy_and_latency_send_most_traffic_to_the_fast_target(
    gateway: Gateway, strategy: str
) -> None:
    slow = gateway.add_upstream("slow", "openai")

    def slowly(body: dict[str, Any]) -> Reply:
        reply = openai_reply(body)
        reply.delay = 0.25
        return reply

    slow.reply("/v1/chat/completions", Reply(compute=slowly))
    rule(gateway, "lb-*", [to(gateway, "slow"), to(gateway, "openai")], strategy=strategy)
    counts = split(gateway, "lb-1", 120, concurrency=6)
    assert counts["up-openai"] / 120 >= 0.7, counts


def test_the_route_test_explains_which_target_goes_first_and_why(gateway: Gateway) -> None:
    sick = gateway.add_upstream("sick", "openai")
    sick.reply("/v1/chat/completions", BOOM)
    rule(gateway, "ex-*", [to(gateway, "sick"), to(gateway, "openai")])
    for _ in range(5):
        chat(gateway, "ex-1")
    with gateway.server.admin() as admin:
        result = admin.post("/api/settings/rules/test", json={"model": "ex-1"}).json()
        rules = admin.get("/api/settings/rules").json()["rules"]
    assert result["strategy"] == "ordered"
    first, second = result["targets"]
    assert first["health"]["state"] == "backing_off" and not first["picked"]
    assert second["picked"] and second["weighing"] == "fallback 1"
    assert result["reason"] == "first among the healthy targets"
    listed = next(r for r in rules if r["pattern"] == "ex-*")
    assert listed["targets"][0]["health"]["state"] == "backing_off"
    assert listed["targets"][1]["weight"] == 1


def test_rule_fields_are_checked(gateway: Gateway) -> None:
    with gateway.server.admin() as admin:
        for bad in (
            {"strategy": "fastest"},
            {"targets": [{"provider": "local", "model": "m", "weight": 0}]},
            {"targets": [{"provider": "local", "model": "m", "weight": 1001}]},
            {"targets": [{"provider": "local", "model": "m", "idle_timeout": -1}]},
        ):
            body = {"pattern": "x", "pattern_type": "exact", "targets": [{"provider": "local"}]}
            response = admin.post("/api/settings/rules", json={**body, **bad})
            assert response.status_code == 422, (bad, response.text)
