"""Azure OpenAI's deployment URLs on every path a chat takes: the fast path (whole and
streamed) and the translated one name the target's model as the deployment, carry the
``api-version``, and send the key in ``api-key``; a name that is no deployment is refused
before anything is sent."""

from __future__ import annotations

import dataclasses

import pytest

from mlx_manager.backends.http.backend import HttpBackend
from mlx_manager.backends.http.clients import ProviderClient, ProviderClients
from mlx_manager.backends.http.passthrough import forward, open_stream
from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS
from mlx_manager.backends.http.transport import MockRequest, MockTransport
from mlx_manager.core import ChatRequest, Message, TextPart
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.table import OPENAI, ApiType, EncodeOptions
from mlx_manager.providers.catalogue import BackendType
from tests.backends.http.conftest import KEY, Handler, json_reply, sse
from tests.routing.factories import provider

RESOURCE = "https://contoso.openai.azure.com"
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
CHUNK = {"id": "c1", "object": "chat.completion.chunk", "choices": []}


def azure(
    handler: Handler, backend_type: BackendType = BackendType.AZURE_OPENAI
) -> tuple[ProviderClient, list[MockRequest]]:
    transports: list[MockTransport] = []

    def transport() -> MockTransport:
        transports.append(MockTransport(handler))
        return transports[-1]

    resolved = dataclasses.replace(
        provider(1, "azure", backend_type=backend_type),
        api_type=ApiType.OPENAI,
        base_url=RESOURCE,
        _api_key=KEY,
    )
    client = ProviderClients(transport=transport).get(resolved)
    return client, transports[0].requests


def assert_deployment_call(sent: MockRequest, deployment: str) -> None:
    assert sent.url.scheme == "https" and sent.url.host == "contoso.openai.azure.com"
    assert sent.url.path == f"/openai/deployments/{deployment}/chat/completions"
    assert dict(sent.url.query) == {"api-version": "2024-10-21"}
    assert sent.headers["api-key"] == KEY
    assert "authorization" not in {k.lower() for k in sent.headers}


async def test_the_fast_path_calls_the_targets_deployment() -> None:
    client, sent = azure(lambda _: json_reply(COMPLETION))
    for deployment in ("gpt-4o-prod", "mini.v2"):
        await forward(
            client,
            path=OPENAI.chat_path,
            body=b'{"model": "x"}',
            headers={},
            timeouts=DEFAULT_TIMEOUTS,
            is_reply=OPENAI.is_reply,
            model=deployment,
        )
    # Built per call: each target's deployment, never the first one cached for the path.
    assert_deployment_call(sent[0], "gpt-4o-prod")
    assert_deployment_call(sent[1], "mini.v2")


async def test_a_stream_calls_the_targets_deployment() -> None:
    client, sent = azure(lambda _: sse(CHUNK))
    relay = await open_stream(
        client,
        path=OPENAI.chat_path,
        body=b'{"model": "x", "stream": true}',
        headers={},
        timeouts=DEFAULT_TIMEOUTS,
        starts=OPENAI.starts_stream,
        model="gpt-4o-prod",
    )
    rest = b"".join([chunk async for chunk in relay.rest])
    assert (relay.first + rest).endswith(b"data: [DONE]\n\n")
    assert_deployment_call(sent[0], "gpt-4o-prod")


async def test_a_translated_request_calls_the_targets_deployment() -> None:
    client, sent = azure(lambda _: json_reply(COMPLETION))
    backend = HttpBackend(
        client=client, options=EncodeOptions(max_tokens_field="max_tokens", default_max_tokens=9)
    )
    request = ChatRequest(
        model="alias", messages=[Message(role="user", content=[TextPart(text="hi")])]
    )
    await backend.complete(request, model="gpt-4o-prod")
    assert_deployment_call(sent[0], "gpt-4o-prod")


@pytest.mark.parametrize("model", ["../../admin", "a/b", "", None])
async def test_a_name_that_is_no_deployment_is_refused_unsent(model: str | None) -> None:
    client, sent = azure(lambda _: json_reply(COMPLETION))
    with pytest.raises(InvalidRequest, match="deployment name"):
        await client.post(OPENAI.chat_path, b"{}", timeouts=DEFAULT_TIMEOUTS, model=model)
    assert sent == []


async def test_other_types_ignore_the_model_in_their_urls() -> None:
    client, sent = azure(lambda _: json_reply(COMPLETION), BackendType.OPENROUTER)
    reply = await client.post(OPENAI.chat_path, b"{}", timeouts=DEFAULT_TIMEOUTS, model="a/b")
    reply.release()
    assert str(sent[0].url) == f"{RESOURCE}/v1/chat/completions"
    assert sent[0].headers["Authorization"] == f"Bearer {KEY}"
