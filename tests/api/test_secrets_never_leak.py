"""With real-looking provider keys, gateway keys, tokens and passwords configured, many calls
(errors included) are made; no response and no log line may contain any of those secrets."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from mlx_manager.settings import Settings
from tests.accounts.helpers import PASSWORD, client_as, sign_in, sign_up
from tests.conftest import ADMIN_TOKEN
from tests.fakes.llm import serve_echo_model
from tests.fakes.upstream import FakeUpstream, Reply

OPENAI_KEY = "sk-proj-Zq8vN3kT5wR7yU1iO9pA2sD4fG6hJ8kL0zX3cV5bN7mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL"
ANTHROPIC_KEY = "sk-ant-api03-Xy7Kp2Lm9Nq4Rs6Tu8Vw0Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5Yz7-AbCdEfAA"
GROQ_KEY = "gsk_8Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6Za8Bc0De2Fg4Hi6Jk8Lm0No2"
SECRET_KEY = "fernet-secret-Wq3Er5Ty7Ui9Op1As3Df5Gh7Jk9"
# What a real provider says about a wrong key: masked.
MASKED_401 = {"error": {"message": "Incorrect API key provided: sk-proj-****5yU7. Check it."}}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"secret_key": SecretStr(SECRET_KEY), "max_body_bytes": 100_000}
    )


async def _exercise(
    app: FastAPI, admin: httpx.AsyncClient, upstream: FakeUpstream
) -> tuple[list[httpx.Response], str]:
    responses: list[httpx.Response] = []

    async def call(client: httpx.AsyncClient, method: str, path: str, **kw: object) -> None:
        responses.append(await client.request(method, path, **kw))  # type: ignore[arg-type]

    serve_echo_model(upstream)
    base = upstream.base_url + "/v1"
    for name, kind, key in [
        ("up-openai", "openai_compatible", OPENAI_KEY),
        ("up-anthropic", "anthropic_compatible", ANTHROPIC_KEY),
    ]:
        await call(
            admin,
            "POST",
            "/api/settings/providers",
            json={"name": name, "backend_type": kind, "base_url": base, "api_key": key},
        )
    await call(
        admin,
        "POST",
        "/api/settings/providers",
        json={"name": "groq-team", "backend_type": "groq", "api_key": GROQ_KEY},
    )
    await call(
        admin,
        "POST",
        "/api/settings/providers",
        json={"name": "up-openai", "backend_type": "groq", "api_key": GROQ_KEY},
    )
    await call(
        admin,
        "POST",
        "/api/settings/providers",
        json={"name": "x", "backend_type": "groq", "api_key": {"nested": GROQ_KEY}},
    )
    await call(
        admin,
        "POST",
        "/api/settings/providers",
        json={"name": "x", "backend_type": "nope", "api_key": GROQ_KEY},
    )
    await call(admin, "GET", "/api/settings/providers")
    await call(admin, "GET", "/api/settings/providers/1")
    await call(admin, "PATCH", "/api/settings/providers/1", json={"name": "up-openai"})
    await call(admin, "POST", "/api/settings/providers/1/test")
    upstream.reply("/v1/models", Reply(status=401, json=MASKED_401))
    await call(
        admin,
        "POST",
        "/api/settings/providers/test",
        json={"backend_type": "openai_compatible", "base_url": base, "api_key": OPENAI_KEY},
    )
    serve_echo_model(upstream)
    await call(
        admin,
        "POST",
        "/api/settings/rules",
        json={"pattern": "gpt-*", "pattern_type": "glob", "targets": [{"provider": 1}]},
    )
    await call(admin, "GET", "/api/settings/rules")

    created = await admin.post("/api/keys", json={"name": "ci", "tokens_per_minute": 100000})
    gateway_key: str = created.json()["key"]
    await call(admin, "GET", "/api/keys")
    await call(admin, "POST", "/api/keys", json={"name": "ci"})

    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        await sign_in(anonymous, "alice")
        await call(
            anonymous,
            "POST",
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD + "x"},
        )
        await call(
            anonymous, "POST", "/api/auth/signup", json={"username": "alice", "password": PASSWORD}
        )
        await call(
            anonymous, "POST", "/api/auth/signup", json={"username": "b", "password": PASSWORD}
        )
    await call(admin, "GET", "/api/users")
    await call(admin, "GET", "/api/auth/me")

    chat = {"model": "up-openai/echo-1", "messages": [{"role": "user", "content": "hi"}]}
    msgs = {**chat, "model": "up-anthropic/echo-1", "max_tokens": 20}
    async with client_as(app, gateway_key) as caller:
        for body in (chat, {**chat, "stream": True}, {**chat, "model": "up-anthropic/echo-1"}):
            await call(caller, "POST", "/v1/chat/completions", json=body)
        for body in (msgs, {**msgs, "stream": True}, {**msgs, "model": "up-openai/echo-1"}):
            await call(caller, "POST", "/v1/messages", json=body)
        await call(caller, "GET", "/v1/models")
        await call(caller, "POST", "/v1/embeddings", json={"model": "up-openai/e", "input": "x"})
        await call(caller, "POST", "/v1/chat/completions", json={**chat, "model": "nowhere/x"})
        await call(caller, "POST", "/v1/chat/completions", content=b"{not json")
        await call(caller, "POST", "/v1/messages", json={**msgs, "pad": "x" * 200_000})
        upstream.reply("/v1/chat/completions", Reply(status=401, json=MASKED_401))
        await call(caller, "POST", "/v1/chat/completions", json=chat)
        await call(caller, "POST", "/v1/chat/completions", json={**chat, "stream": True})
        upstream.reply("/v1/messages", Reply(status=401, json=MASKED_401))
        await call(caller, "POST", "/v1/messages", json=msgs)
        await call(
            caller, "POST", "/v1/chat/completions", json={**chat, "model": "up-anthropic/echo-1"}
        )
    wrong = gateway_key[:-2] + ("zz" if not gateway_key.endswith("zz") else "yy")
    async with client_as(app, wrong) as stranger:
        await call(stranger, "POST", "/v1/chat/completions", json=chat)
    async with client_as(app, OPENAI_KEY) as stranger:
        await call(stranger, "POST", "/v1/messages", json=msgs)
        await call(stranger, "GET", "/api/settings/providers")
    return responses, gateway_key


async def test_no_secret_reaches_responses_or_logs(
    app: FastAPI,
    client: httpx.AsyncClient,
    upstream: FakeUpstream,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    responses, gateway_key = await _exercise(app, client, upstream)
    assert len(responses) > 30
    statuses = {r.status_code for r in responses}
    assert {200, 201, 401, 404, 409, 413, 422} <= statuses
    printed = capsys.readouterr()
    secrets = {
        "openai key": OPENAI_KEY,
        "anthropic key": ANTHROPIC_KEY,
        "groq key": GROQ_KEY,
        "gateway key": gateway_key,
        "admin token": ADMIN_TOKEN,
        "password": PASSWORD,
        "secret key": SECRET_KEY,
    }
    haystacks = {
        "logs": caplog.text,
        "stdout": printed.out,
        "stderr": printed.err,
        **{
            f"#{i} {r.request.method} {r.request.url.path} -> {r.status_code}": (
                r.text + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())
            )
            for i, r in enumerate(responses)
        },
    }
    leaks = [
        f"{secret_name} in {where}"
        for where, text in haystacks.items()
        for secret_name, secret in secrets.items()
        # Long enough a fragment that a match is the secret, not chance.
        if any(secret[i : i + 16] in text for i in range(0, len(secret) - 15, 4))
    ]
    assert leaks == []
    # The upstreams did get the keys: they were configured, just never shown.
    sent = {r.headers.get("authorization") or r.headers.get("x-api-key") for r in upstream.received}
    assert f"Bearer {OPENAI_KEY}" in sent and ANTHROPIC_KEY in sent
