"""Callers that hang up, end to end: a client closes its connection before the reply's first
byte or in the middle of a stream, on both endpoints, to a target of its own protocol (the fast
path) and of the other (translation). The upstream call is let go at once, not run to its end,
and the request log says the client closed the request (499)."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

import orjson
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.fakes.llm import anthropic_reply, openai_reply
from tests.fakes.upstream import Received, Reply
from tests.observability.conftest import logged

PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
# Long enough that an upstream call run to its end could not be mistaken for one let go.
SLOW = 6.0
# How soon after the hang-up the upstream must see its caller go.
AT_ONCE = 1.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_log_flush_interval": 0.02})


def slow_echo(gateway: Gateway, *, before_first_byte: bool) -> None:
    """The echo model, answering after ``SLOW`` seconds, or streaming one event every second."""

    def pace(reply: Reply) -> Reply:
        if before_first_byte:
            reply.delay = SLOW
        else:
            reply.event_delay = 1.0
        return reply

    gateway.upstream.reply(
        "/v1/chat/completions", Reply(compute=lambda body: pace(openai_reply(body)))
    )
    gateway.upstream.reply("/v1/messages", Reply(compute=lambda body: pace(anthropic_reply(body))))


def request_bytes(caller: str, body: dict[str, Any], port: int) -> bytes:
    content = orjson.dumps(body)
    head = (
        f"POST {PATHS[caller]} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
        f"x-request-id: hang-up\r\nContent-Length: {len(content)}\r\n\r\n"
    )
    return head.encode() + content


def hang_up(gateway: Gateway, caller: str, body: dict[str, Any], *, after: bytes | None) -> bytes:
    """Send ``body`` over a raw socket, then close it: once ``after`` has arrived, or, with
    ``after`` None, half a second in, before any reply. Returns what had arrived."""
    port = int(gateway.server.base_url.rsplit(":", 1)[1])
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request_bytes(caller, body, port))
        if after is None:
            sock.settimeout(0.5)
            with contextlib.suppress(TimeoutError):
                received = sock.recv(65536)
        else:
            while after not in received:
                chunk = sock.recv(65536)
                assert chunk, received
                received += chunk
    return received


def let_go(gateway: Gateway, path: str) -> Received:
    """The upstream request to ``path``, once the upstream saw its caller go (within
    ``AT_ONCE``, long before its reply would have been done)."""
    deadline = time.monotonic() + AT_ONCE
    while time.monotonic() < deadline:
        calls = [r for r in gateway.upstream.received if r.path.endswith(path)]
        if calls and calls[-1].disconnected:
            return calls[-1]
        time.sleep(0.02)
    raise AssertionError(f"the upstream call to {path} was not let go")


def body_for(caller: str, up: str, *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": f"{PROVIDERS[up]}/echo-1",
        "messages": [{"role": "user", "content": "hello"}],
        "stream": stream,
    }
    if caller == "anthropic":
        body["max_tokens"] = 50
    return body


ROUTES = [
    pytest.param("openai", "openai", id="openai-fast"),
    pytest.param("anthropic", "anthropic", id="anthropic-fast"),
    pytest.param("openai", "anthropic", id="openai-translated"),
    pytest.param("anthropic", "openai", id="anthropic-translated"),
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("caller", "up"), ROUTES)
def test_a_hang_up_before_the_first_byte_lets_the_upstream_go(
    gateway: Gateway, caller: str, up: str, stream: bool
) -> None:
    slow_echo(gateway, before_first_byte=True)
    assert hang_up(gateway, caller, body_for(caller, up, stream=stream), after=None) == b""
    let_go(gateway, PATHS[up])
    [row] = logged(gateway, 1)
    assert (row["request_id"], row["status"], row["error"]) == (
        "hang-up",
        499,
        "client_disconnected",
    )
    assert (row["provider"], row["stream"], row["ttft_ms"]) == (None, stream, None)


@pytest.mark.parametrize(("caller", "up"), ROUTES)
def test_a_hang_up_mid_stream_lets_the_upstream_go(gateway: Gateway, caller: str, up: str) -> None:
    slow_echo(gateway, before_first_byte=False)
    received = hang_up(gateway, caller, body_for(caller, up, stream=True), after=b"data:")
    assert received.startswith(b"HTTP/1.1 200")
    # The echo stream, an event a second, would have gone on for several seconds more.
    let_go(gateway, PATHS[up])
    [row] = logged(gateway, 1)
    assert (row["status"], row["error"], row["stream"]) == (499, "client_disconnected", True)
    assert row["provider"] == PROVIDERS[up]
    assert row["ttft_ms"] is not None
    # What was spent, where the stream had said so: Anthropic counts the prompt up front.
    if up == "anthropic":
        assert row["input_tokens"] == 3
