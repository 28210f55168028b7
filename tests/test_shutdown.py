"""Graceful shutdown of the real server process: on SIGTERM it stops accepting, lets a stream in
flight finish, writes the request log, and exits 0. What the drain timeout cuts short is told so
in its protocol's shape."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.fakes.llm import anthropic_reply, openai_reply
from tests.fakes.upstream import FakeUpstream, Reply, free_port


@contextmanager
def server_process(data_dir: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``python -m mlx_manager serve`` on a free port; its stderr goes to ``data_dir/../log``."""
    port = free_port()
    environment = {
        **os.environ,
        "MLX_MANAGER_ADMIN_TOKEN": ADMIN_TOKEN,
        "MLX_MANAGER_SECRET_KEY": "test-secret",
        **env,
    }
    log = data_dir.parent / "server.log"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlx_manager",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base_url + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def add_provider(base_url: str, upstream: FakeUpstream, *, api_type: str = "openai") -> None:
    response = httpx.post(
        base_url + "/api/settings/providers",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={
            "name": "up",
            "backend_type": f"{api_type}_compatible",
            "base_url": upstream.base_url,
        },
    )
    assert response.status_code == 201, response.text


def refused(base_url: str) -> bool:
    try:
        httpx.get(base_url + "/health", timeout=1)
    except httpx.ConnectError:
        return True
    return False


@pytest.mark.slow
def test_sigterm_drains_a_stream_in_flight(tmp_path: Path, upstream: FakeUpstream) -> None:
    # Seven events, 0.3 s apart: the stream is still going for about two seconds after SIGTERM.
    upstream.reply(
        "/v1/chat/completions",
        Reply(compute=lambda body: Reply(sse=openai_reply(body).sse, event_delay=0.3)),
    )
    data_dir = tmp_path / "data"
    with server_process(data_dir, MLX_MANAGER_DRAIN_TIMEOUT="20") as (process, base_url):
        add_provider(base_url, upstream)
        body = {
            "model": "up/echo-1",
            "messages": [{"role": "user", "content": "hello"}],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        with httpx.stream(
            "POST",
            base_url + "/v1/chat/completions",
            json=body,
            headers={"x-request-id": "draining"},
            timeout=30,
        ) as response:
            chunks = response.iter_bytes()
            received = next(chunks)
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while not refused(base_url):
                assert time.monotonic() < deadline, "new connections are still accepted"
                time.sleep(0.05)
            assert process.poll() is None  # still draining
            received += b"".join(chunks)
        assert process.wait(timeout=30) == 0
    text = received.decode()
    assert text.endswith("data: [DONE]\n\n")
    chunks_sent = [
        orjson.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")
    ]
    words = [c["choices"][0]["delta"].get("content") or "" for c in chunks_sent if c["choices"]]
    assert "".join(words) == "system=[] user=[hello] images=0"
    with sqlite3.connect(data_dir / "mlx-manager.db") as db:
        rows = db.execute(
            "SELECT status, error, stream, input_tokens, output_tokens FROM request_log"
            " WHERE request_id = 'draining'"
        ).fetchall()
    assert rows == [(200, None, 1, 1, 3)]


def chat_body(*, stream: bool) -> dict[str, object]:
    return {
        "model": "up/echo-1",
        "messages": [{"role": "user", "content": "hello"}],
        "stream": stream,
    }


def logged_row(data_dir: Path, request_id: str) -> tuple[object, ...]:
    with sqlite3.connect(data_dir / "mlx-manager.db") as db:
        [row] = db.execute(
            "SELECT status, error FROM request_log WHERE request_id = ?", (request_id,)
        ).fetchall()
    return tuple(row)


@pytest.mark.slow
def test_a_stream_cut_by_the_drain_timeout_ends_with_the_protocols_error_event(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    # An event a second: the stream would go on for five more seconds after SIGTERM.
    upstream.reply(
        "/v1/chat/completions",
        Reply(compute=lambda body: Reply(sse=openai_reply(body).sse, event_delay=1.0)),
    )
    data_dir = tmp_path / "data"
    with server_process(data_dir, MLX_MANAGER_DRAIN_TIMEOUT="1") as (process, base_url):
        add_provider(base_url, upstream)
        with httpx.stream(
            "POST",
            base_url + "/v1/chat/completions",
            json=chat_body(stream=True),
            headers={"x-request-id": "cut"},
            timeout=30,
        ) as response:
            chunks = response.iter_bytes()
            received = next(chunks)
            process.send_signal(signal.SIGTERM)
            # The reply ends properly: no broken chunked encoding, however it was cut.
            received += b"".join(chunks)
        assert process.wait(timeout=30) == 0
    events = [line[6:] for line in received.decode().splitlines() if line.startswith("data: ")]
    assert events[0].startswith('{"id"')
    error = orjson.loads(events[-1])["error"]
    assert (error["type"], error["code"]) == ("server_error", "internal_error")
    assert "shutting down" in error["message"]
    assert "[DONE]" not in events
    assert logged_row(data_dir, "cut") == (200, "cancelled")


@pytest.mark.slow
def test_a_request_cut_by_the_drain_timeout_before_its_reply_gets_an_error_in_shape(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    upstream.reply(
        "/v1/messages",
        Reply(compute=lambda body: Reply(json=anthropic_reply(body).json, delay=20)),
    )
    data_dir = tmp_path / "data"
    with server_process(data_dir, MLX_MANAGER_DRAIN_TIMEOUT="1") as (process, base_url):
        add_provider(base_url, upstream, api_type="anthropic")
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(
                httpx.post,
                base_url + "/v1/messages",
                json={**chat_body(stream=False), "max_tokens": 50},
                headers={"x-request-id": "waiting"},
                timeout=30,
            )
            while not upstream.received:
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
            response = waiting.result()
        assert process.wait(timeout=30) == 0
    assert response.status_code == 500
    assert response.headers["x-should-retry"] == "true"
    body = response.json()
    assert (body["type"], body["error"]["type"]) == ("error", "api_error")
    assert "shutting down" in body["error"]["message"]
    assert logged_row(data_dir, "waiting") == (500, "cancelled")
