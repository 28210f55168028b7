"""A connection test for each provider row, against a fake upstream on loopback that answers
only at that provider's documented paths and only to the key in its documented header.

The fake stands where the row's default host would be: its base URL is the fake's address with
the default base URL's path (``/v1beta/openai``, ``/api/paas/v4``, ``/apps/anthropic``), so the
paths below are the ones the real provider is called at.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mlx_manager.providers.catalogue import BackendType, spec_for
from tests.fakes.upstream import FakeUpstream, Received, Reply

API = "/api/settings/providers"
KEY = "sk-row-0123456789abcdef"
MODELS = {"object": "list", "data": [{"id": "m-2"}, {"id": "m-1"}]}
BODY_REFUSED = {"error": {"message": "messages is required"}}
NO_KEY = {"error": {"message": "missing or bad key"}}

BEARER = ("authorization", f"Bearer {KEY}")
X_API_KEY = ("x-api-key", KEY)
API_KEY = ("api-key", KEY)

# type, protocol, the path probed (GET for a listing, POST for chat), the key's header.
ROWS: list[tuple[str, str, str, str, tuple[str, str]]] = [
    ("gemini", "openai", "GET", "/v1beta/openai/models", BEARER),
    ("openrouter", "openai", "GET", "/api/v1/models", BEARER),
    ("openrouter", "anthropic", "GET", "/api/v1/models", BEARER),
    ("openrouter", "openai_responses", "GET", "/api/v1/models", BEARER),
    ("xai", "openai", "GET", "/v1/models", BEARER),
    ("xai", "openai_responses", "GET", "/v1/models", BEARER),
    ("cerebras", "openai", "GET", "/v1/models", BEARER),
    ("perplexity", "openai", "POST", "/chat/completions", BEARER),
    ("azure_openai", "openai", "GET", "/openai/models", API_KEY),
    ("moonshot", "openai", "GET", "/v1/models", BEARER),
    ("moonshot", "anthropic", "POST", "/anthropic/v1/messages", BEARER),
    ("zhipu", "openai", "POST", "/api/paas/v4/chat/completions", BEARER),
    ("zhipu", "anthropic", "POST", "/api/anthropic/v1/messages", BEARER),
    ("minimax", "openai", "GET", "/v1/models", BEARER),
    ("minimax", "anthropic", "GET", "/anthropic/v1/models", X_API_KEY),
    ("qwen", "openai", "GET", "/compatible-mode/v1/models", BEARER),
    ("qwen", "anthropic", "POST", "/apps/anthropic/v1/messages", X_API_KEY),
    ("deepseek", "anthropic", "POST", "/anthropic/v1/messages", X_API_KEY),
    ("ollama", "openai", "GET", "/v1/models", BEARER),
    ("ollama", "anthropic", "GET", "/v1/models", BEARER),
    ("lm_studio", "openai", "GET", "/v1/models", BEARER),
    ("lm_studio", "anthropic", "GET", "/v1/models", BEARER),
    ("lm_studio", "openai_responses", "GET", "/v1/models", BEARER),
    ("vllm", "openai", "GET", "/v1/models", BEARER),
    ("vllm", "anthropic", "GET", "/v1/models", BEARER),
    ("llama_cpp", "openai", "GET", "/v1/models", BEARER),
    ("llama_cpp", "anthropic", "GET", "/v1/models", BEARER),
]
IDS = [f"{row[0]}-{row[1]}" for row in ROWS]
LOCAL = {"ollama", "lm_studio", "vllm", "llama_cpp"}


def base_url(upstream: FakeUpstream, backend_type: str, api_type: str) -> str:
    """The fake in place of the row's default host, under the default base's path."""
    spec = spec_for(BackendType(backend_type))
    default = next(e.base_url for e in spec.endpoints if e.api_type.value == api_type)
    return upstream.base_url + (urlsplit(default).path if default else "")


def provider_like(method: str, header: tuple[str, str], *, keyless: bool = False) -> Reply:
    """Answers as the provider does: 401 without its key in its header; a chat endpoint
    refuses an empty body (400) once the key passed; a listing lists."""

    def respond(request: Received) -> Reply:
        name, value = header
        if request.headers.get(name) != value and not (keyless and name not in request.headers):
            return Reply(status=401, json=NO_KEY)
        if method == "POST":
            return Reply(status=400, json=BODY_REFUSED)
        return Reply(json=MODELS)

    return Reply(respond=respond)


async def run_test(
    client: httpx.AsyncClient, backend_type: str, api_type: str, url: str, key: str | None
) -> dict[str, object]:
    body: dict[str, object] = {"backend_type": backend_type, "api_type": api_type, "base_url": url}
    if key is not None:
        body["api_key"] = key
    response = await client.post(f"{API}/test", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


@pytest.mark.parametrize(("backend_type", "api_type", "method", "path", "header"), ROWS, ids=IDS)
async def test_each_row_passes_with_its_key_in_its_header(
    client: httpx.AsyncClient,
    upstream: FakeUpstream,
    backend_type: str,
    api_type: str,
    method: str,
    path: str,
    header: tuple[str, str],
) -> None:
    upstream.reply(path, provider_like(method, header))
    url = base_url(upstream, backend_type, api_type)
    result = await run_test(client, backend_type, api_type, url, KEY)
    assert result["ok"] is True, result
    sent = upstream.received[-1]
    assert (sent.method, sent.path) == (method, path)
    assert sent.headers[header[0]] == header[1]
    # The key went in that one header, nowhere else.
    others = {"authorization", "x-api-key", "api-key"} - {header[0]}
    assert not others & set(sent.headers)
    if api_type == "anthropic":
        assert sent.headers["anthropic-version"] == "2023-06-01"
    if method == "POST":
        # A probe that spends nothing: an empty body, refused once the key passed.
        assert sent.json() == {} and result["models"] == []
    elif backend_type == "azure_openai":
        # Azure lists base models, not the deployments a target names: not offered.
        assert result["models"] == []
    else:
        assert result["models"] == ["m-1", "m-2"]


@pytest.mark.parametrize(("backend_type", "api_type", "method", "path", "header"), ROWS, ids=IDS)
async def test_each_row_reports_a_refused_key(
    client: httpx.AsyncClient,
    upstream: FakeUpstream,
    backend_type: str,
    api_type: str,
    method: str,
    path: str,
    header: tuple[str, str],
) -> None:
    upstream.reply(path, provider_like(method, header))
    url = base_url(upstream, backend_type, api_type)
    result = await run_test(client, backend_type, api_type, url, "sk-wrong-0123456789")
    assert result["ok"] is False and result["status"] == 401
    assert "rejected the API key" in str(result["error"])


@pytest.mark.parametrize("backend_type", sorted(LOCAL))
async def test_local_servers_pass_without_a_key_and_send_none(
    client: httpx.AsyncClient, upstream: FakeUpstream, backend_type: str
) -> None:
    upstream.reply("/v1/models", provider_like("GET", BEARER, keyless=True))
    result = await run_test(client, backend_type, "openai", upstream.base_url, None)
    assert result["ok"] is True and result["models"] == ["m-1", "m-2"]
    assert not {"authorization", "x-api-key", "api-key"} & set(upstream.received[-1].headers)


async def test_azure_carries_the_api_version_and_a_saved_provider_tests_alike(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    upstream.reply("/openai/models", provider_like("GET", API_KEY))
    created = await client.post(
        API,
        json={
            "name": "azure",
            "backend_type": "azure_openai",
            "base_url": upstream.base_url,
            "api_key": KEY,
        },
    )
    assert created.status_code == 201, created.text
    result = (await client.post(f"{API}/{created.json()['id']}/test")).json()
    assert result["ok"] is True
    sent = upstream.received[-1]
    assert parse_qs(sent.query) == {"api-version": ["2024-10-21"]}
    assert sent.headers["api-key"] == KEY


@pytest.mark.parametrize("suffix", ["", "/", "/openai", "/openai/v1/"])
async def test_azure_takes_the_resource_url_as_the_portal_shows_it(
    client: httpx.AsyncClient, upstream: FakeUpstream, suffix: str
) -> None:
    upstream.reply("/openai/models", provider_like("GET", API_KEY))
    result = await run_test(client, "azure_openai", "openai", upstream.base_url + suffix, KEY)
    assert result["ok"] is True, result
    assert upstream.received[-1].path == "/openai/models"


async def test_azure_needs_the_resources_base_url(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{API}/test", json={"backend_type": "azure_openai"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "base_url"]


async def test_a_chat_probe_that_finds_no_endpoint_says_so(
    client: httpx.AsyncClient, upstream: FakeUpstream
) -> None:
    # Nothing scripted: the fake answers 404 everywhere.
    result = await run_test(client, "perplexity", "openai", upstream.base_url, KEY)
    assert result["ok"] is False and result["status"] == 404
    assert "No chat endpoint at" in str(result["error"])
