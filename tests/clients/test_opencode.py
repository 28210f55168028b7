"""opencode (``opencode run``) through the gateway, with one bash round trip: as an
``@ai-sdk/openai-compatible`` provider (Chat Completions), an ``@ai-sdk/openai`` one (the
Responses API) and an ``@ai-sdk/anthropic`` one (Messages), to providers of either protocol.

opencode bundles those SDK packages, and the switches below keep it off the network: no
models.dev catalogue, plugins, LSP downloads, updates or sharing. What is left is a background
``npm install @opencode-ai/plugin`` into its config directory, for plugins written in
TypeScript; npm is set offline, so that install fails at once (opencode logs a warning and goes
on) instead of reaching the registry in the middle of a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clients.conftest import AgentGateway, NpmClients, isolated_env, run_client
from tests.clients.scripted_agent import FINAL_WORD, MARK, tool_results

pytestmark = pytest.mark.slow

OFFLINE = {
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
    "OPENCODE_DISABLE_SHARE": "1",
    "OPENCODE_DISABLE_CLAUDE_CODE": "1",
    "OPENCODE_PURE": "1",
    "NPM_CONFIG_OFFLINE": "true",
}


def opencode_config(base_url: str, sdk: str) -> dict[str, object]:
    return {
        "$schema": "https://opencode.ai/config.json",
        "model": "mlx-manager/agent-1",
        "small_model": "mlx-manager/agent-1",
        "autoupdate": False,
        "share": "disabled",
        "permission": {"bash": "allow"},
        "provider": {
            "mlx-manager": {
                "npm": sdk,
                "name": "MLX Manager",
                "options": {"baseURL": base_url, "apiKey": "sk-gateway-unused"},
                "models": {"agent-1": {"name": "Agent 1", "tool_call": True}},
            }
        },
    }


@pytest.mark.parametrize(
    ("sdk", "endpoint", "protocol"),
    [
        ("@ai-sdk/openai-compatible", "/v1/chat/completions", "openai"),
        ("@ai-sdk/openai-compatible", "/v1/chat/completions", "anthropic"),
        ("@ai-sdk/openai", "/v1/responses", "anthropic"),
        ("@ai-sdk/anthropic", "/v1/messages", "openai"),
    ],
)
def test_opencode_runs_a_bash_command_through_the_gateway(
    npm_clients: NpmClients,
    agent_gateway: AgentGateway,
    tmp_path: Path,
    sdk: str,
    endpoint: str,
    protocol: str,
) -> None:
    agent_gateway.route_everything_to(protocol)
    config = tmp_path / "opencode.json"
    config.write_text(json.dumps(opencode_config(agent_gateway.v1, sdk)))
    work = tmp_path / "work"
    work.mkdir()
    env = isolated_env(tmp_path / "home", OPENCODE_CONFIG=str(config), **OFFLINE)
    done = run_client(
        [
            npm_clients.command("opencode"),
            "run",
            "--format",
            "json",
            "Print the marker with the bash tool.",
        ],
        env=env,
        cwd=work,
    )
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    texts = [e["part"]["text"] for e in events if e.get("type") == "text"]
    assert any(t.startswith(FINAL_WORD) and MARK in t for t in texts), done.stdout
    paths = {r.path for r in agent_gateway.upstream.received}
    assert ("/v1/messages" if protocol == "anthropic" else "/v1/chat/completions") in paths
    assert any(MARK in r for r in tool_results(agent_gateway.upstream.received))
    assert agent_gateway.answers() == {(endpoint, 200)}
