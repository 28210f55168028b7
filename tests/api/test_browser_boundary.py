"""The browser boundary of ``/v1``: what a page of another site could make the user's browser do
to an open gateway on loopback (the default), and what must keep working (SDKs, the UI's own
origin, origins the operator allows)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from fastapi import FastAPI

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway, gateway
from tests.observability.conftest import logged

__all__ = ["gateway"]

CHAT = {"model": "up-openai/echo-1", "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {"model": "up-anthropic/echo-1", "max_tokens": 20, "messages": CHAT["messages"]}
EVIL = "https://evil.example"
FRIEND = "https://app.friend.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "allowed_origins": [FRIEND + "/"],
            "allowed_hosts": ["gw.example.com", "*.lan.example"],
            "request_log_flush_interval": 0.02,
        }
    )


@pytest.fixture
def raw(gateway: Gateway) -> Iterator[httpx.Client]:
    """A client without credentials, as a browser page would send (on loopback, /v1 is open)."""
    with httpx.Client(base_url=gateway.server.base_url, timeout=10) as client:
        yield client


def _port(gateway: Gateway) -> str:
    return gateway.server.base_url.rsplit(":", 1)[1]


def test_a_cross_site_text_plain_post_is_refused_before_any_upstream(
    gateway: Gateway, raw: httpx.Client
) -> None:
    # What <form enctype="text/plain"> or fetch(..., {mode: "no-cors"}) sends: no preflight.
    sent = len(gateway.upstream.received)
    for path, body, error_of in (
        ("/v1/chat/completions", CHAT, lambda r: r.json()["error"]["type"]),
        ("/v1/messages", MESSAGES, lambda r: r.json()["error"]["type"]),
    ):
        response = raw.post(
            path,
            content=httpx.Request("POST", "/", json=body).content,
            headers={"origin": EVIL, "content-type": "text/plain;charset=UTF-8"},
        )
        assert response.status_code == 403, response.text
        assert error_of(response) == "permission_error"
        assert EVIL in response.text and "MLX_MANAGER_ALLOWED_ORIGINS" in response.text
        assert "access-control-allow-origin" not in response.headers
    assert response.json()["type"] == "error"  # Anthropic's shape on /v1/messages
    assert len(gateway.upstream.received) == sent


def test_a_non_json_body_is_refused_even_without_origin(raw: httpx.Client) -> None:
    # Old browsers sent form posts without Origin; no SDK sends JSON as text/plain.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = raw.post(
            "/v1/chat/completions",
            content=b'{"model": "up-openai/echo-1", "messages": []}',
            headers={"content-type": content_type},
        )
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "unsupported_media_type"
    anthropic_shape = raw.post("/v1/messages", content=b"{}", headers={"content-type": "text/xml"})
    assert anthropic_shape.status_code == 415
    assert anthropic_shape.json()["type"] == "error"
    embeddings = raw.post("/v1/embeddings", content=b"{}", headers={"content-type": "text/plain"})
    assert embeddings.status_code == 415


def test_json_with_a_charset_or_no_declared_type_is_served(raw: httpx.Client) -> None:
    body = httpx.Request("POST", "/", json=CHAT).content
    for headers in ({"content-type": "Application/JSON; charset=utf-8"}, {}):
        response = raw.post("/v1/chat/completions", content=body, headers=headers)
        assert response.status_code == 200, (headers, response.text)


def test_a_foreign_origin_is_refused_on_every_v1_route_and_preflight(raw: httpx.Client) -> None:
    assert raw.get("/v1/models", headers={"origin": EVIL}).status_code == 403
    json_post = raw.post("/v1/chat/completions", json=CHAT, headers={"origin": EVIL})
    assert json_post.status_code == 403
    preflight = raw.options(
        "/v1/chat/completions",
        headers={"origin": EVIL, "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    # A sandboxed frame or a file:// page is the opaque origin "null".
    assert raw.post("/v1/messages", json=MESSAGES, headers={"origin": "null"}).status_code == 403
    # Another port of the same host is another origin.
    other_port = {"origin": "http://127.0.0.1:1"}
    assert raw.post("/v1/chat/completions", json=CHAT, headers=other_port).status_code == 403


def test_an_allowed_origin_gets_cors_headers_and_preflights(raw: httpx.Client) -> None:
    preflight = raw.options(
        "/v1/chat/completions",
        headers={
            "origin": FRIEND,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204, preflight.text
    assert preflight.headers["access-control-allow-origin"] == FRIEND
    assert preflight.headers["access-control-allow-headers"] == "authorization, content-type"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["vary"] == "Origin"
    response = raw.post("/v1/chat/completions", json=CHAT, headers={"origin": FRIEND})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == FRIEND
    exposed = response.headers["access-control-expose-headers"]
    assert "x-request-id" in exposed and "x-mlx-manager-provider" in exposed
    stream = raw.post("/v1/messages", json={**MESSAGES, "stream": True}, headers={"origin": FRIEND})
    assert stream.status_code == 200
    assert stream.headers["access-control-allow-origin"] == FRIEND
    assert "message_stop" in stream.text


def test_the_ui_origin_is_served_without_cors_headers(gateway: Gateway, raw: httpx.Client) -> None:
    # The playground's own requests: same host and port as the page, so same-origin.
    for origin in (gateway.server.base_url, f"http://localhost:{_port(gateway)}"):
        host = origin.removeprefix("http://")
        response = raw.post(
            "/v1/chat/completions", json=CHAT, headers={"origin": origin, "host": host}
        )
        assert response.status_code == 200, (origin, response.text)
        assert "access-control-allow-origin" not in response.headers


def test_a_rebound_host_name_is_refused_everywhere(raw: httpx.Client, gateway: Gateway) -> None:
    # DNS rebinding: evil.example now resolves to 127.0.0.1, and its page reads same-origin.
    rebound = {"host": f"evil.example:{_port(gateway)}"}
    same_origin = {**rebound, "origin": f"http://evil.example:{_port(gateway)}"}
    chat = raw.post("/v1/chat/completions", json=CHAT, headers=same_origin)
    assert chat.status_code == 421, chat.text
    assert chat.json()["error"]["code"] == "misdirected_request"
    assert "MLX_MANAGER_ALLOWED_HOSTS" in chat.json()["error"]["message"]
    messages = raw.post("/v1/messages", json=MESSAGES, headers=same_origin)
    assert (messages.status_code, messages.json()["type"]) == (421, "error")
    assert raw.get("/v1/models", headers=rebound).status_code == 421
    metrics = raw.get("/metrics", headers=rebound)
    assert (metrics.status_code, metrics.json()["code"]) == (421, "misdirected_request")
    assert raw.get("/ready", headers=rebound).status_code == 421


def test_the_server_names_and_allowed_hosts_pass(raw: httpx.Client, gateway: Gateway) -> None:
    port = _port(gateway)
    for host in (
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        "LOCALHOST.",
        f"[::1]:{port}",
        "gw.example.com",
        f"box.lan.example:{port}",
    ):
        response = raw.post("/v1/chat/completions", json=CHAT, headers={"host": host})
        assert response.status_code == 200, (host, response.text)
    for host in ("lan.example", "gw.example.com.evil.example", "xgw.example.com"):
        assert raw.get("/v1/models", headers={"host": host}).status_code == 421, host


def test_refusals_are_in_the_request_log(raw: httpx.Client, gateway: Gateway) -> None:
    raw.post("/v1/chat/completions", json=CHAT, headers={"origin": EVIL})
    raw.post("/v1/messages", content=b"{}", headers={"content-type": "text/plain"})
    foreign, not_json = logged(gateway, 2)
    assert (foreign["status"], foreign["error"]) == (403, "permission_error")
    assert (not_json["status"], not_json["error"]) == (415, "unsupported_media_type")


def test_the_official_sdks_still_work(gateway: Gateway) -> None:
    chat = gateway.openai().chat.completions.create(
        model="up-openai/echo-1", messages=[{"role": "user", "content": "hello"}]
    )
    assert chat.choices[0].message.content
    stream = gateway.openai().chat.completions.create(
        model="up-anthropic/echo-1", messages=[{"role": "user", "content": "hello"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    message = gateway.anthropic().messages.create(
        model="up-anthropic/echo-1", max_tokens=20, messages=[{"role": "user", "content": "hi"}]
    )
    assert message.content
    with gateway.anthropic().messages.stream(
        model="up-openai/echo-1", max_tokens=20, messages=[{"role": "user", "content": "hi"}]
    ) as events:
        assert events.get_final_text()
    assert [m.id for m in gateway.openai().models.list()]
    embeddings_client = openai.OpenAI(
        base_url=gateway.server.base_url + "/v1", api_key="unused", max_retries=0
    )
    with pytest.raises(openai.NotFoundError):
        # Refused by the route (no embeddings upstream), not by the boundary.
        embeddings_client.embeddings.create(model="nowhere/e", input="x")
    embeddings_client.close()


@pytest.mark.parametrize("bind", ["0.0.0.0", "::"])
async def test_a_wildcard_bind_answers_any_name_unless_hosts_are_listed(
    settings: Settings, bind: str
) -> None:
    async def status(app: FastAPI, *, url: str, host: str) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=url) as c:
            return (await c.get("/v1/models", headers={"host": host})).status_code

    # Open without keys (--allow-open), so only the Host check stands between.
    settings = settings.model_copy(update={"allow_open": True})
    anywhere = create_app(settings.model_copy(update={"host": bind, "allowed_hosts": []}))
    async with anywhere.router.lifespan_context(anywhere):
        assert await status(anywhere, url="http://10.1.2.3", host="my-box.local") == 200
    listed = create_app(settings.model_copy(update={"host": bind}))
    async with listed.router.lifespan_context(listed):
        assert await status(listed, url="http://10.1.2.3", host="my-box.local") == 421
        assert await status(listed, url="http://10.1.2.3", host="gw.example.com") == 200
        # The address the connection reached (the interface's own) names the server.
        assert await status(listed, url="http://10.1.2.3", host="10.1.2.3:10242") == 200
    star = create_app(settings.model_copy(update={"host": "127.0.0.1", "allowed_hosts": ["*"]}))
    async with star.router.lifespan_context(star):
        assert await status(star, url="http://127.0.0.1", host="whatever.example") == 200
