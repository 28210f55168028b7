"""Gateway keys on ``/v1`` through the official SDKs: required once one exists, scoped to
models, rate limited, revoked, expired; refusals in each caller's protocol shape."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import anthropic
import httpx
import openai
import pytest

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from tests.accounts.helpers import client_as, sign_in, sign_up
from tests.api.inference.conftest import Gateway
from tests.conftest import ADMIN_TOKEN

OPENAI_MODEL = "up-openai/echo-1"
ANTHROPIC_MODEL = "up-anthropic/echo-1"
MESSAGES: Any = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"key_sync_interval": 0.1})


def create_key(gw: Gateway, **fields: Any) -> dict[str, Any]:
    with gw.server.admin() as admin:
        response = admin.post("/api/keys", json={"name": f"key-{time.monotonic_ns()}", **fields})
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def openai_client(gw: Gateway, key: str) -> openai.OpenAI:
    client = openai.OpenAI(base_url=gw.server.base_url + "/v1", api_key=key, max_retries=0)
    gw._clients.append(client)
    return client


def anthropic_client(gw: Gateway, key: str) -> anthropic.Anthropic:
    client = anthropic.Anthropic(base_url=gw.server.base_url, api_key=key, max_retries=0)
    gw._clients.append(client)
    return client


def ask_openai(client: openai.OpenAI, model: str = OPENAI_MODEL) -> str:
    reply = client.chat.completions.create(model=model, messages=MESSAGES)
    return reply.choices[0].message.content or ""


def ask_anthropic(client: anthropic.Anthropic, model: str = ANTHROPIC_MODEL) -> str:
    reply = client.messages.create(model=model, max_tokens=50, messages=MESSAGES)
    return "".join(b.text for b in reply.content if b.type == "text")


def test_once_a_key_exists_every_call_needs_one(gateway: Gateway) -> None:
    assert ask_openai(openai_client(gateway, "anything"))  # open: no key yet
    key = create_key(gateway)["key"]
    assert ask_openai(openai_client(gateway, key))
    assert ask_anthropic(anthropic_client(gateway, key))  # sent as x-api-key
    for wrong in ("anything", key[:-1] + ("A" if key[-1] != "A" else "B")):
        with pytest.raises(openai.AuthenticationError) as openai_refusal:
            ask_openai(openai_client(gateway, wrong))
        assert openai_refusal.value.body["type"] == "authentication_error"  # type: ignore[index]
        with pytest.raises(anthropic.AuthenticationError) as anthropic_refusal:
            ask_anthropic(anthropic_client(gateway, wrong))
        assert anthropic_refusal.value.body["type"] == "error"  # type: ignore[index]
    with pytest.raises(openai.AuthenticationError):
        openai_client(gateway, "anything").models.list()


def test_refusals_have_each_protocols_shape(gateway: Gateway) -> None:
    create_key(gateway)
    with httpx.Client(base_url=gateway.server.base_url) as raw:
        chat = raw.post("/v1/chat/completions", json={"model": OPENAI_MODEL, "messages": []})
        messages = raw.post("/v1/messages", json={"model": ANTHROPIC_MODEL, "messages": []})
        embeddings = raw.post("/v1/embeddings", json={"model": OPENAI_MODEL, "input": "x"})
    assert chat.status_code == messages.status_code == embeddings.status_code == 401
    assert chat.json()["error"]["type"] == "authentication_error"
    assert embeddings.json()["error"]["code"] == "authentication_error"
    assert messages.json()["type"] == "error"
    assert messages.json()["error"]["type"] == "authentication_error"
    assert gateway.upstream.received == [r for r in gateway.upstream.received if "models" in r.path]


def test_a_key_reaches_only_its_models(gateway: Gateway) -> None:
    key = create_key(gateway, model_patterns=["up-openai/*"])["key"]
    assert ask_openai(openai_client(gateway, key))
    with pytest.raises(openai.PermissionDeniedError) as refused:
        ask_openai(openai_client(gateway, key), model=ANTHROPIC_MODEL)
    assert "up-anthropic/echo-1" in refused.value.message
    with pytest.raises(anthropic.PermissionDeniedError):
        ask_anthropic(anthropic_client(gateway, key))
    listed = [m.id for m in openai_client(gateway, key).models.list()]
    assert listed and all(name.startswith("up-openai/") for name in listed)
    chats = [r for r in gateway.upstream.received if r.path.endswith(("completions", "messages"))]
    assert len(chats) == 1


def test_requests_per_minute_answer_429_with_retry_after(gateway: Gateway) -> None:
    key = create_key(gateway, requests_per_minute=2)["key"]
    client = openai_client(gateway, key)
    ask_openai(client)
    ask_openai(client)
    with pytest.raises(openai.RateLimitError) as limited:
        ask_openai(client)
    assert 1 <= int(limited.value.response.headers["retry-after"]) <= 60
    with pytest.raises(anthropic.RateLimitError) as limited_anthropic:
        ask_anthropic(anthropic_client(gateway, key))
    assert limited_anthropic.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    # Another key has its own window.
    assert ask_openai(openai_client(gateway, create_key(gateway)["key"]))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_tokens_per_minute_count_what_replies_used(gateway: Gateway, stream: bool) -> None:
    key = create_key(gateway, tokens_per_minute=8)["key"]
    client = anthropic_client(gateway, key)
    if stream:
        with client.messages.stream(
            model=ANTHROPIC_MODEL, max_tokens=50, messages=MESSAGES
        ) as events:
            assert "".join(events.text_stream)
    else:
        assert ask_anthropic(client)
    # The echo reply used more than 8 tokens; the window is spent.
    with pytest.raises(anthropic.RateLimitError):
        ask_anthropic(client)


def test_revoked_and_expired_keys_stop_working(gateway: Gateway) -> None:
    revoked = create_key(gateway)
    expiring = create_key(
        gateway, expires_at=(datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    )
    assert ask_openai(openai_client(gateway, expiring["key"]))
    with gateway.server.admin() as admin:
        admin.post(f"/api/keys/{revoked['id']}/revoke").raise_for_status()
    with pytest.raises(openai.AuthenticationError):
        ask_openai(openai_client(gateway, revoked["key"]))
    time.sleep(1.1)
    with pytest.raises(openai.AuthenticationError) as expired:
        ask_openai(openai_client(gateway, expiring["key"]))
    assert "expired" in expired.value.message


def test_last_use_is_recorded_off_the_request_path(gateway: Gateway) -> None:
    created = create_key(gateway)
    ask_openai(openai_client(gateway, created["key"]))
    deadline = time.monotonic() + 5
    with gateway.server.admin() as admin:
        while time.monotonic() < deadline:
            stored = admin.get(f"/api/keys/{created['id']}").json()["last_used_at"]
            if stored is not None:
                break
            time.sleep(0.05)
    assert stored is not None


def test_the_request_log_names_the_key(gateway: Gateway) -> None:
    created = create_key(gateway, name="team-logs")
    ask_anthropic(anthropic_client(gateway, created["key"]))
    deadline = time.monotonic() + 5
    with gateway.server.admin() as admin:
        while time.monotonic() < deadline:
            rows = admin.get("/api/logs", params={"key": "team-logs"}).json()["items"]
            if rows:
                break
            time.sleep(0.05)
    assert [(r["api_key_name"], r["status"], r["provider"]) for r in rows] == [
        ("team-logs", 200, "up-anthropic")
    ]


async def test_admin_token_and_signed_in_users_may_call_without_a_key(gateway: Gateway) -> None:
    create_key(gateway)
    assert ask_openai(openai_client(gateway, ADMIN_TOKEN))
    assert ask_anthropic(anthropic_client(gateway, ADMIN_TOKEN))
    async with httpx.AsyncClient(base_url=gateway.server.base_url) as anonymous:
        await sign_up(anonymous, "alice")
        token = await sign_in(anonymous, "alice")
    assert ask_openai(openai_client(gateway, token))


@pytest.mark.parametrize(("allow_open", "status"), [(False, 401), (True, 404)])
async def test_without_keys_v1_is_closed_off_loopback_unless_allowed(
    settings: Settings, allow_open: bool, status: int
) -> None:
    exposed = settings.model_copy(update={"host": "0.0.0.0", "allow_open": allow_open})
    app = create_app(exposed)
    async with app.router.lifespan_context(app), client_as(app) as caller:
        response = await caller.post(
            "/v1/chat/completions", json={"model": "nowhere/x", "messages": MESSAGES}
        )
        assert response.status_code == status
        if status == 401:
            assert "--allow-open" in response.json()["error"]["message"]
