"""Codex CLI (``codex exec``) through the gateway's Responses API, with one shell round trip, to
providers of either protocol: the Responses turns are translated for both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients.conftest import AgentGateway, NpmClients, isolated_env, run_client
from tests.clients.scripted_agent import FINAL_WORD, MARK, tool_results

pytestmark = pytest.mark.slow

CONFIG = """\
model = "agent-1"
model_provider = "mlx-manager"
check_for_update_on_startup = false

[model_providers.mlx-manager]
name = "MLX Manager"
base_url = "{base_url}"
env_key = "MLX_MANAGER_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[feedback]
enabled = false
"""


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_codex_runs_a_shell_command_through_the_gateway(
    npm_clients: NpmClients, agent_gateway: AgentGateway, tmp_path: Path, protocol: str
) -> None:
    agent_gateway.route_everything_to(protocol)
    codex_home = tmp_path / "codex-home"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text(CONFIG.format(base_url=agent_gateway.v1))
    work = tmp_path / "work"
    work.mkdir()
    env = isolated_env(
        tmp_path / "home", CODEX_HOME=str(codex_home), MLX_MANAGER_KEY="sk-gateway-unused"
    )
    done = run_client(
        [
            npm_clients.command("codex"),
            "exec",
            "--skip-git-repo-check",
            "--ephemeral",
            "--color",
            "never",
            # The test's own temp directory is the sandbox; Codex's needs kernel features
            # that containers often lack.
            "--dangerously-bypass-approvals-and-sandbox",
            "-o",
            str(tmp_path / "last-message.txt"),
            "Print the marker with the shell.",
        ],
        env=env,
        cwd=work,
    )
    last = (tmp_path / "last-message.txt").read_text()
    assert last.startswith(FINAL_WORD), f"{last}\n{done.stderr[-4000:]}"
    assert MARK in last
    paths = {r.path for r in agent_gateway.upstream.received}
    assert ("/v1/messages" if protocol == "anthropic" else "/v1/chat/completions") in paths
    assert any(MARK in r for r in tool_results(agent_gateway.upstream.received))
    assert agent_gateway.answers() == {("/v1/responses", 200)}
