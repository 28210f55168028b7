"""Failover, mid-stream failures and circuit breakers, end to end through a live gateway."""

from __future__ import annotations

import time

import anthropic
import openai
import pytest

from tests.api.inference.conftest import Gateway
from tests.fakes.llm import openai_reply
from tests.fakes.upstream import Reply, closed_port_url

HELLO = [{"role": "user", "content": "hello"}]


def live(gateway: Gateway, api_type: str = "openai") -> dict[str, object]:
    return {"provider": gateway.provider_ids[api_type], "model": "echo-1"}


def test_dead_provider_fails_over_to_a_live_one(gateway: Gateway) -> None:
    dead = gateway.add_provider("dead", "openai", closed_port_url())
    gateway.add_rule("fo-*", [{"provider": dead, "model": "m"}, live(gateway)])
    raw = gateway.openai().chat.completions.with_raw_response.create(model="fo-1", messages=HELLO)
    assert raw.parse().choices[0].message.content == "system=[] user=[hello] images=0"
    assert raw.headers["x-mlx-manager-provider"] == "up-openai"
    assert raw.headers["x-mlx-manager-attempts"] == "3"  # dead twice (one retry), then live


@pytest.mark.parametrize("status", [500, 503, 429, 401])
def test_failing_provider_fails_over(gateway: Gateway, status: int) -> None:
    failing = gateway.add_upstream("failing", "anthropic")
    failing.reply(
        "/v1/messages",
        Reply(
            status=status,
            json={"type": "error", "error": {"type": "api_error", "message": "upstream broke"}},
        ),
    )
    gateway.add_rule(
        "fo-*",
        [{"provider": gateway.provider_ids["failing"], "model": "m"}, live(gateway, "anthropic")],
    )
    message = gateway.anthropic().messages.create(model="fo-x", max_tokens=50, messages=HELLO)
    assert message.content[0].text == "system=[] user=[hello] images=0"  # type: ignore[union-attr]
    assert len(failing.received) == (1 if status in (401, 429) else 2)


def test_request_errors_come_back_at_once_naming_the_provider(gateway: Gateway) -> None:
    picky = gateway.add_upstream("picky", "openai")
    picky.reply(
        "/v1/chat/completions",
        Reply(
            status=400,
            json={"error": {"message": "temperature too high", "type": "invalid_request_error"}},
        ),
    )
    gateway.add_rule(
        "fo-*", [{"provider": gateway.provider_ids["picky"], "model": "m"}, live(gateway)]
    )
    before = len(gateway.upstream.received)
    with pytest.raises(openai.BadRequestError) as info:
        gateway.openai().chat.completions.create(model="fo-x", messages=HELLO, temperature=5)
    assert "picky" in info.value.message and "temperature too high" in info.value.message
    assert len(gateway.upstream.received) == before  # no fallback on a request error
    # The same upstream error reaches an Anthropic caller in Anthropic's shape.
    with pytest.raises(anthropic.BadRequestError) as ainfo:
        gateway.anthropic().messages.create(model="fo-x", max_tokens=5, messages=HELLO)
    assert ainfo.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


def test_openai_stream_dying_after_first_bytes_ends_with_an_error_event(
    gateway: Gateway,
) -> None:
    flaky = gateway.add_upstream("flaky", "openai")
    flaky.reply(
        "/v1/chat/completions",
        Reply(
            compute=lambda body: Reply(sse=openai_reply({**body, "stream": True}).sse, cut_after=3)
        ),
    )
    gateway.add_rule("fl-*", [{"provider": gateway.provider_ids["flaky"], "model": "m"}])
    stream = gateway.openai().chat.completions.create(model="fl-1", messages=HELLO, stream=True)
    received: list[object] = []
    with pytest.raises(openai.APIError) as info:
        received.extend(stream)
    assert received  # the first bytes reached the client before the failure
    assert "flaky" in str(info.value)


def test_translated_stream_dying_after_first_bytes_ends_with_an_error_event(
    gateway: Gateway,
) -> None:
    flaky = gateway.add_upstream("flaky", "openai")
    flaky.reply(
        "/v1/chat/completions",
        Reply(
            compute=lambda body: Reply(sse=openai_reply({**body, "stream": True}).sse, cut_after=3)
        ),
    )
    gateway.add_rule("fl-*", [{"provider": gateway.provider_ids["flaky"], "model": "m"}])
    text = []
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        gateway.anthropic().messages.stream(model="fl-1", max_tokens=50, messages=HELLO) as stream,
    ):
        text.extend(stream.text_stream)
    assert text
    assert "flaky" in str(info.value)


def test_a_failing_target_is_taken_out_probed_and_taken_back(gateway: Gateway) -> None:
    sick = gateway.add_upstream("sick", "openai")
    sick.reply("/v1/chat/completions", Reply(status=500, json={"error": {"message": "boom"}}))
    gateway.add_rule(
        "cb-*", [{"provider": gateway.provider_ids["sick"], "model": "m"}, live(gateway)]
    )
    client = gateway.openai()
    # Tries and retries: the fifth failure of five takes it out, and it is not retried again.
    for _ in range(3):
        client.chat.completions.create(model="cb-1", messages=HELLO)
    assert len(sick.received) == 5
    for _ in range(3):
        raw = client.chat.completions.with_raw_response.create(model="cb-1", messages=HELLO)
        assert raw.headers["x-mlx-manager-provider"] == "up-openai"
        assert raw.headers["x-mlx-manager-attempts"] == "1"
    assert len(sick.received) == 5  # skipped while out
    # After the first cool-down (a second) one probe goes through; it has recovered.
    sick.reply("/v1/chat/completions", Reply(compute=openai_reply))
    time.sleep(1.1)
    raw = client.chat.completions.with_raw_response.create(model="cb-1", messages=HELLO)
    assert raw.headers["x-mlx-manager-provider"] == "sick"
    assert len(sick.received) == 6
    raw = client.chat.completions.with_raw_response.create(model="cb-1", messages=HELLO)
    assert raw.headers["x-mlx-manager-provider"] == "sick"


def test_missing_local_model_fails_over_to_a_provider(gateway: Gateway) -> None:
    gateway.add_rule("lc-*", [{"provider": "local", "model": "no-such-local-model"}, live(gateway)])
    raw = gateway.openai().chat.completions.with_raw_response.create(model="lc-1", messages=HELLO)
    assert raw.headers["x-mlx-manager-provider"] == "up-openai"
    assert raw.headers["x-mlx-manager-attempts"] == "2"
