"""A live gateway with two providers in front of the echo model: one per protocol."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import anthropic
import openai
import pytest

from tests.conftest import LiveServer
from tests.fakes.llm import serve_echo_model
from tests.fakes.upstream import FakeUpstream

# Provider names; a model is addressed as ``<provider>/<model>`` when no rule matches.
PROVIDERS = {"openai": "up-openai", "anthropic": "up-anthropic"}


@dataclass
class Gateway:
    server: LiveServer
    upstream: FakeUpstream
    provider_ids: dict[str, int]
    _clients: list[openai.OpenAI | anthropic.Anthropic] = field(default_factory=list)
    extra_upstreams: list[FakeUpstream] = field(default_factory=list)

    def openai(self) -> openai.OpenAI:
        client = openai.OpenAI(
            base_url=self.server.base_url + "/v1", api_key="unused", max_retries=0
        )
        self._clients.append(client)
        return client

    def anthropic(self) -> anthropic.Anthropic:
        client = anthropic.Anthropic(base_url=self.server.base_url, api_key="unused", max_retries=0)
        self._clients.append(client)
        return client

    def add_provider(self, name: str, api_type: str, base_url: str) -> int:
        with self.server.admin() as admin:
            response = admin.post(
                "/api/settings/providers",
                json={"name": name, "backend_type": f"{api_type}_compatible", "base_url": base_url},
            )
            assert response.status_code == 201, response.text
            provider_id: int = response.json()["id"]
            return provider_id

    def add_upstream(self, name: str, api_type: str) -> FakeUpstream:
        """Another fake upstream with its own provider; the test scripts its replies."""
        extra = FakeUpstream().start()
        self.extra_upstreams.append(extra)
        self.provider_ids[name] = self.add_provider(name, api_type, extra.base_url)
        return extra

    def add_rule(self, pattern: str, targets: list[dict[str, object]], kind: str = "glob") -> None:
        with self.server.admin() as admin:
            response = admin.post(
                "/api/settings/rules",
                json={"pattern": pattern, "pattern_type": kind, "targets": targets},
            )
            assert response.status_code == 201, response.text

    def close(self) -> None:
        for client in self._clients:
            client.close()


@pytest.fixture
def gateway(live_server: LiveServer, upstream: FakeUpstream) -> Iterator[Gateway]:
    serve_echo_model(upstream)
    ids = {}
    with live_server.admin() as admin:
        for api_type, name in PROVIDERS.items():
            response = admin.post(
                "/api/settings/providers",
                json={
                    "name": name,
                    "backend_type": f"{api_type}_compatible",
                    "base_url": upstream.base_url + "/v1",
                    "api_key": f"sk-upstream-{api_type}-key",
                },
            )
            assert response.status_code == 201, response.text
            ids[api_type] = response.json()["id"]
    gateway = Gateway(server=live_server, upstream=upstream, provider_ids=ids)
    yield gateway
    gateway.close()
    for extra in gateway.extra_upstreams:
        extra.stop()
