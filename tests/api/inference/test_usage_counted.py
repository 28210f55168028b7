"""OpenAI streams whose caller did not ask for usage are counted all the same: the gateway asks
the upstream for it, keeps the tokens for the request log and token limits, and takes the extra
usage-only chunk out, so the caller gets exactly the stream it asked for."""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.llm import openai_reply
from tests.fakes.upstream import sse_events
from tests.observability.conftest import logged

HELLO: Any = [{"role": "user", "content": "hello there"}]
# The echo model's count for HELLO: two prompt words, four words of reply.
TOKENS = (2, 4)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"request_log_flush_interval": 0.02, "key_sync_interval": 0.1}
    )


def sdk(gateway: Gateway, key: str = "unused") -> openai.OpenAI:
    client = openai.OpenAI(base_url=gateway.server.base_url + "/v1", api_key=key, max_retries=0)
    gateway._clients.append(client)
    return client


def stream_text(client: openai.OpenAI, model: str, **extra: Any) -> tuple[str, list[Any]]:
    chunks = list(client.chat.completions.create(model=model, messages=HELLO, stream=True, **extra))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


@pytest.mark.parametrize(
    "options",
    [None, {"include_usage": False}],
    ids=["no-stream-options", "include-usage-false"],
)
@pytest.mark.parametrize("up", ["openai", "anthropic"], ids=["fast", "translated"])
def test_a_stream_without_include_usage_is_counted_and_gets_no_usage_chunk(
    gateway: Gateway, up: str, options: dict[str, Any] | None
) -> None:
    extra = {} if options is None else {"stream_options": options}
    text, chunks = stream_text(sdk(gateway), f"{PROVIDERS[up]}/echo-1", **extra)
    assert text == "system=[] user=[hello there] images=0"
    assert all(c.choices and c.usage is None for c in chunks)
    [row] = logged(gateway, 1)
    assert (row["status"], row["error"]) == (200, None)
    if up == "anthropic":
        # The echo model adds two cache-read tokens on Anthropic, which count as input.
        assert (row["input_tokens"], row["output_tokens"]) == (TOKENS[0] + 2, TOKENS[1])
        return
    assert (row["input_tokens"], row["output_tokens"]) == TOKENS
    [sent] = [r.json() for r in gateway.upstream.received if r.path == "/v1/chat/completions"]
    assert sent["stream_options"] == {"include_usage": True}


def test_the_caller_gets_the_very_bytes_it_would_have_without_the_usage_asked(
    gateway: Gateway,
) -> None:
    body = {"model": "up-openai/echo-1", "messages": HELLO, "stream": True}
    with httpx.stream(
        "POST", gateway.server.base_url + "/v1/chat/completions", json=body, timeout=10
    ) as response:
        assert response.status_code == 200
        received = response.read()
    unasked = openai_reply({**body, "model": "echo-1"})
    assert unasked.sse is not None
    assert received == b"".join(sse_events(unasked.sse))


def test_a_stream_that_asked_for_usage_is_forwarded_as_sent(gateway: Gateway) -> None:
    options = {"include_usage": True}
    _, chunks = stream_text(sdk(gateway), "up-openai/echo-1", stream_options=options)
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == TOKENS
    [sent] = [r.json() for r in gateway.upstream.received if r.path == "/v1/chat/completions"]
    assert sent["stream_options"] == options


def test_token_limits_count_streams_without_include_usage(gateway: Gateway) -> None:
    with gateway.server.admin() as admin:
        created = admin.post(
            "/api/keys", json={"name": f"tpm-{time.monotonic_ns()}", "tokens_per_minute": 8}
        )
        assert created.status_code == 201, created.text
    client = sdk(gateway, created.json()["key"])
    # Six tokens a stream: the second takes the minute past its eight.
    for _ in range(2):
        text, _ = stream_text(client, "up-openai/echo-1")
        assert text
    with pytest.raises(openai.RateLimitError):
        stream_text(client, "up-openai/echo-1")
