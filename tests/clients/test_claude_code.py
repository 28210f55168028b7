"""Claude Code (``claude -p``) through the gateway's Messages API, with one Bash round trip: to
an Anthropic provider as it is, and to an OpenAI-protocol provider through the translation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clients.conftest import AgentGateway, NpmClients, isolated_env, run_client
from tests.clients.scripted_agent import FINAL_WORD, MARK, tool_results

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("protocol", ["anthropic", "openai"])
def test_claude_code_runs_a_tool_through_the_gateway(
    npm_clients: NpmClients, agent_gateway: AgentGateway, tmp_path: Path, protocol: str
) -> None:
    agent_gateway.route_everything_to(protocol)
    work = tmp_path / "work"
    work.mkdir()
    env = isolated_env(
        tmp_path / "home",
        ANTHROPIC_BASE_URL=agent_gateway.server.base_url,
        ANTHROPIC_API_KEY="sk-gateway-unused",
        # Not a Claude model name: Claude Code must take it as it is, side tasks included.
        ANTHROPIC_MODEL="agent-1",
        ANTHROPIC_SMALL_FAST_MODEL="agent-1",
        ANTHROPIC_DEFAULT_HAIKU_MODEL="agent-1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        DISABLE_AUTOUPDATER="1",
        DISABLE_TELEMETRY="1",
        DISABLE_ERROR_REPORTING="1",
    )
    done = run_client(
        [
            npm_clients.command("claude"),
            "-p",
            "Print the marker with the Bash tool.",
            "--output-format",
            "json",
            "--allowedTools",
            "Bash",
            "--max-turns",
            "4",
        ],
        env=env,
        cwd=work,
    )
    result = json.loads(done.stdout)
    assert result["is_error"] is False, done.stdout
    assert result["result"].startswith(FINAL_WORD), done.stdout
    assert MARK in result["result"]
    paths = {r.path for r in agent_gateway.upstream.received}
    assert ("/v1/messages" if protocol == "anthropic" else "/v1/chat/completions") in paths
    assert any(MARK in r for r in tool_results(agent_gateway.upstream.received))
    assert agent_gateway.answers() == {("/v1/messages", 200)}
