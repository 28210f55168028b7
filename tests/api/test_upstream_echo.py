"""An upstream that echoes the credentials it was sent, on every error path of ``/v1``.

Both provider types, both endpoints, stream and not, fast path and translated; the upstream
echoes the ``Authorization`` / ``x-api-key`` header (whole, as proxies do; in part and
recased, as providers do) in 400, 401, 429 and 500 replies and in a mid-stream error event.
No reply body or header, log line or request-log row may hold 8 characters of either key.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from mlx_manager.settings import Settings
from tests.accounts.helpers import client_as
from tests.fakes.upstream import FakeUpstream, Received, Reply

# No public opening such as ``sk-``: only the key itself can tell these apart from other text.
CANARIES = {
    "openai": "cnryOA7Hq2Lm9Nq4Rs6Tu8Vw0Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op",
    "anthropic": "cnryAN4Zx8Wv2Ut6Sr0Qp4On8Ml2Kj6Ih0Gf4Ed8Cb2Az6Yx",
}
PROVIDERS = {"openai": "echo-openai", "anthropic": "echo-anthropic"}
ENDPOINTS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
STATUSES = (400, 401, 429, 500)
# Every call must reach the upstream: failover and target health are kept out of the way.
QUIET = {"retries_per_target": 0, "health_min_requests": 10_000}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update=QUIET)


def sent_key(received: Received) -> str:
    auth = received.headers.get("authorization", "")
    return auth.removeprefix("Bearer ") or received.headers.get("x-api-key", "")


def echo(received: Received) -> str:
    """What careless upstreams say: the headers as sent, the key whole, in part, recased."""
    key = sent_key(received)
    headers = {k: v for k, v in received.headers.items() if k in ("authorization", "x-api-key")}
    return (
        f"Invalid credentials {key}. Request headers: {headers}."
        f" Key starting {key[:14]}, ending {key[-14:]}; as typed {key.upper()}"
    )


def error_body(api: str, status: int, message: str) -> dict[str, Any]:
    if api == "anthropic":
        kind = {400: "invalid_request_error", 401: "authentication_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": "invalid_request_error", "code": status}}


def midstream(api: str, message: str) -> list[tuple[str | None, Any]]:
    if api == "anthropic":
        return [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "model": "m",
                        "content": [],
                        "usage": {"input_tokens": 3, "output_tokens": 0},
                    },
                },
            ),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Hel"},
                },
            ),
            ("error", {"type": "error", "error": {"type": "overloaded_error", "message": message}}),
        ]
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}],
    }
    return [(None, chunk), (None, {"error": {"message": message, "type": "server_error"}})]


class EchoingUpstream:
    """Answers each call with the scenario set last, its text built from the call's headers."""

    def __init__(self, upstream: FakeUpstream) -> None:
        self.scenario: int | str = 401
        for api, path in ENDPOINTS.items():
            upstream.reply(path, Reply(respond=lambda r, api=api: self.answer(api, r)))

    def answer(self, api: str, received: Received) -> Reply:
        message = echo(received)
        if self.scenario == "midstream":
            return Reply(sse=midstream(api, message))
        status = int(self.scenario)
        if status == 500:
            # A proxy's own error page: plain text.
            return Reply(status=500, text=f"502 Bad Gateway from proxy. {message}")
        return Reply(status=status, json=error_body(api, status, message))


def leaks(text: str) -> list[str]:
    low = text.lower()
    return [
        f"{api} key[{i}:{i + 8}]"
        for api, key in CANARIES.items()
        for i in range(len(key) - 7)
        if key[i : i + 8].lower() in low
    ]


def request_body(endpoint: str, provider: str, *, stream: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "model": f"{provider}/m",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": stream,
    }
    if endpoint == "/v1/messages":
        body["max_tokens"] = 16
    return body


async def test_echoed_keys_reach_no_reply_log_line_or_request_log_row(
    app: FastAPI,
    client: httpx.AsyncClient,
    upstream: FakeUpstream,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for api, name in PROVIDERS.items():
        created = await client.post(
            "/api/settings/providers",
            json={
                "name": name,
                "backend_type": f"{api}_compatible",
                "base_url": upstream.base_url,
                "api_key": CANARIES[api],
            },
        )
        assert created.status_code == 201, created.text
    gateway_key = (await client.post("/api/keys", json={"name": "caller"})).json()["key"]
    echoing = EchoingUpstream(upstream)

    replies: dict[str, httpx.Response] = {}
    async with client_as(app, gateway_key) as caller:
        for scenario in (*STATUSES, "midstream"):
            echoing.scenario = scenario
            for caller_api, endpoint in ENDPOINTS.items():
                for provider_api, provider in PROVIDERS.items():
                    for stream in (False, True):
                        if scenario == "midstream" and not stream:
                            continue
                        path = "fast" if caller_api == provider_api else "translated"
                        label = f"{scenario} {endpoint} -> {provider_api} ({path}, stream={stream})"
                        replies[label] = await caller.post(
                            endpoint, json=request_body(endpoint, provider, stream=stream)
                        )
    assert len(replies) == 36 and len(upstream.received) >= 36

    found: dict[str, list[str]] = {}
    for label, reply in replies.items():
        text = reply.text + "\n" + "\n".join(f"{k}: {v}" for k, v in reply.headers.items())
        if bad := leaks(text):
            found[label] = bad
        scenario = label.split(" ", 1)[0]
        if scenario == "midstream":
            assert reply.status_code == 200, label
            assert "error" in reply.text, label
        else:
            assert reply.status_code == int(scenario), (label, reply.text)
        # The upstream's words came through, with the key masked: the check is not vacuous.
        assert "…" in reply.text or "[redacted]" in reply.text, (label, reply.text)

    request_log = app.state.mm.observer.request_log
    assert await request_log.flush()
    rows = await client.get("/api/logs", params={"limit": 100})
    assert rows.status_code == 200 and len(rows.json()["items"]) >= 36
    exported = await client.get("/api/logs/export", params={"format": "jsonl"})
    for where, text in {
        "request log": rows.text,
        "export": exported.text,
        "logs": caplog.text,
    }.items():
        if bad := leaks(text):
            found[where] = bad
    assert found == {}

    # The keys did travel, to the upstream they belong to and nowhere else.
    sent = {sent_key(r) for r in upstream.received}
    assert set(CANARIES.values()) <= sent


def test_the_echo_reply_really_carries_the_key() -> None:
    """The fake upstream itself leaks, or the test above would prove nothing."""
    received = Received(
        "POST", "/v1/messages", {"x-api-key": CANARIES["anthropic"]}, orjson.dumps({})
    )
    assert leaks(echo(received))
    received.headers = {"authorization": f"Bearer {CANARIES['openai']}"}
    assert len(leaks(echo(received))) == len(CANARIES["openai"]) - 7
