"""Bad input: body size (declared or streamed), message and tool counts, JSON nesting — each
refused with a clear 4xx in the caller's shape, before any upstream is called."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from fastapi import FastAPI

from mlx_manager.api.limits import json_depth
from mlx_manager.settings import Settings

CAP = 64 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_body_bytes": CAP, "max_messages": 3, "max_tools": 2, "max_json_depth": 10}
    )


def chat(messages: int = 1, **extra: object) -> dict[str, object]:
    return {
        "model": "nowhere/x",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}] * messages,
        **extra,
    }


def openai_error(response: httpx.Response) -> dict[str, object]:
    error: dict[str, object] = response.json()["error"]
    return error


def anthropic_error(response: httpx.Response) -> dict[str, object]:
    assert response.json()["type"] == "error"
    error: dict[str, object] = response.json()["error"]
    return error


async def test_a_declared_body_over_the_cap_is_413_in_each_shape(
    client: httpx.AsyncClient,
) -> None:
    big = chat(content_padding="x" * CAP)
    openai = await client.post("/v1/chat/completions", json=big)
    anthropic = await client.post("/v1/messages", json=big)
    admin = await client.post("/api/settings/providers", json={"name": "x" * CAP})
    assert openai.status_code == anthropic.status_code == admin.status_code == 413
    assert "MLX_MANAGER_MAX_BODY_BYTES" in str(openai_error(openai)["message"])
    assert anthropic_error(anthropic)["type"] == "request_too_large"
    assert admin.json()["code"] == "request_too_large"
    assert (await client.get("/api/settings/providers")).json() == {"providers": []}


async def test_a_streamed_body_without_length_is_cut_at_the_cap(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"model": "nowhere/x", "messages": ['
        for _ in range(100):
            yield b'{"role": "user", "content": "' + b"y" * 1024 + b'"},'
        yield b"]}"

    for path in ("/v1/messages", "/v1/chat/completions", "/api/settings/rules"):
        response = await client.post(
            path, content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413, (path, response.text)
    assert response.json()["code"] == "request_too_large"


async def test_a_declared_length_beside_transfer_encoding_is_not_trusted(
    client: httpx.AsyncClient,
) -> None:
    # Transfer-Encoding overrides Content-Length, so a small declared length proves nothing:
    # the body is still counted as it comes.
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"model": "nowhere/x", "messages": ['
        for _ in range(100):
            yield b'{"role": "user", "content": "' + b"y" * 1024 + b'"},'
        yield b"]}"

    response = await client.post(
        "/v1/chat/completions",
        content=chunks(),
        headers={
            "content-type": "application/json",
            "content-length": "10",
            "transfer-encoding": "chunked",
        },
    )
    assert response.status_code == 413, response.text


async def test_message_and_tool_counts_have_caps(client: httpx.AsyncClient) -> None:
    many = await client.post("/v1/chat/completions", json=chat(messages=4))
    assert many.status_code == 400
    assert openai_error(many)["param"] == "messages"
    assert "at most 3" in str(openai_error(many)["message"])
    tools = [{"name": f"t{i}", "input_schema": {"type": "object"}} for i in range(3)]
    too_many_tools = await client.post("/v1/messages", json=chat(tools=tools))
    assert too_many_tools.status_code == 400
    assert anthropic_error(too_many_tools)["type"] == "invalid_request_error"
    items = [{"role": "user", "content": "hi"}] * 4
    responses = await client.post("/v1/responses", json={"model": "nowhere/x", "input": items})
    assert responses.status_code == 400
    assert openai_error(responses)["param"] == "input"


async def test_deep_nesting_is_refused(client: httpx.AsyncClient) -> None:
    nested: object = "leaf"
    for _ in range(12):
        nested = {"a": nested}
    deep = await client.post("/v1/chat/completions", json=chat(metadata=nested))
    assert deep.status_code == 400
    assert "nests deeper" in str(openai_error(deep)["message"])
    # Far past any parser's own limit: still a clean 400, never a crash.
    absurd = b'{"model": "x", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for path in ("/v1/chat/completions", "/v1/messages"):
        response = await client.post(
            path, content=absurd[: CAP - 1], headers={"content-type": "application/json"}
        )
        assert response.status_code == 400


async def test_admin_api_survives_absurd_nesting(app: FastAPI, client: httpx.AsyncClient) -> None:
    absurd = b"[" * 30_000 + b"]" * 30_000
    response = await client.post(
        "/api/settings/rules", content=absurd, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


def test_json_depth() -> None:
    assert json_depth({}, limit=10) == 1
    assert json_depth({"a": [1, {"b": "c"}]}, limit=10) == 3
    deep = orjson.loads(b"[" * 50 + b"]" * 50)
    assert json_depth(deep, limit=10) == 11  # stops counting past the limit


async def test_deep_embeddings_bodies_are_refused_as_chats_are(client: httpx.AsyncClient) -> None:
    # Past about 255 levels a re-encode used to fail with a plain-text 500.
    for depth in (12, 300):
        nested: object = "leaf"
        for _ in range(depth):
            nested = [nested]
        response = await client.post("/v1/embeddings", json={"model": "nowhere/x", "input": nested})
        assert response.status_code == 400, response.text
        assert "nests deeper" in str(openai_error(response)["message"])
        assert openai_error(response)["type"] == "invalid_request_error"
