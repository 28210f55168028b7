"""Azure OpenAI through the gateway with the official SDKs: a rule's target model names the
deployment, every call carries ``api-version`` and the key in ``api-key``, on the fast path
(OpenAI clients, whole and streamed) and translated (Anthropic clients)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from tests.api.inference.conftest import Gateway
from tests.fakes.llm import openai_reply
from tests.fakes.upstream import FakeUpstream, Received, Reply

KEY = "azure-key-0123456789abcdef"
DEPLOYMENT = "/openai/deployments/gpt-4o-prod/chat/completions"
HELLO: Any = [{"role": "user", "content": "hello"}]


def azure(gateway: Gateway) -> FakeUpstream:
    resource = FakeUpstream().start()
    gateway.extra_upstreams.append(resource)
    resource.reply(DEPLOYMENT, Reply(compute=openai_reply))
    with gateway.server.admin() as admin:
        response = admin.post(
            "/api/settings/providers",
            json={
                "name": "azure",
                "backend_type": "azure_openai",
                "base_url": resource.base_url,
                "api_key": KEY,
            },
        )
        assert response.status_code == 201, response.text
        provider_id = response.json()["id"]
    gateway.add_rule("my-gpt", [{"provider": provider_id, "model": "gpt-4o-prod"}], kind="exact")
    return resource


def assert_azure_call(sent: Received) -> None:
    assert (sent.method, sent.path) == ("POST", DEPLOYMENT)
    assert parse_qs(sent.query) == {"api-version": ["2024-10-21"]}
    assert sent.headers["api-key"] == KEY
    assert "authorization" not in sent.headers


def test_openai_clients_reach_the_deployment(gateway: Gateway) -> None:
    resource = azure(gateway)
    client = gateway.openai()
    reply = client.chat.completions.create(model="my-gpt", messages=HELLO)
    assert reply.choices[0].message.content == "system=[] user=[hello] images=0"
    assert_azure_call(resource.received[-1])

    stream = client.chat.completions.create(
        model="my-gpt",
        messages=HELLO,
        stream=True,
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "system=[] user=[hello] images=0"
    assert_azure_call(resource.received[-1])
    assert resource.received[-1].json()["stream"] is True


def test_anthropic_clients_reach_the_deployment_translated(gateway: Gateway) -> None:
    resource = azure(gateway)
    reply = gateway.anthropic().messages.create(
        model="my-gpt",
        max_tokens=50,
        messages=HELLO,
    )
    assert [b.text for b in reply.content if b.type == "text"] == [
        "system=[] user=[hello] images=0"
    ]
    assert_azure_call(resource.received[-1])
    assert resource.received[-1].json()["model"] == "gpt-4o-prod"
