"""The OpenAI Agents SDK with its default model class (the Responses API) and a function tool,
through the gateway to providers of either protocol."""

from __future__ import annotations

import pytest
from agents import Agent, RunConfig, Runner, function_tool
from agents.models.openai_provider import OpenAIProvider
from agents.models.openai_responses import OpenAIResponsesModel
from openai import AsyncOpenAI

from tests.clients.conftest import AgentGateway
from tests.clients.scripted_agent import FINAL_WORD, FUNCTION_TOOL, MARK, tool_results

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_an_agent_calls_its_function_tool_through_the_gateway(
    agent_gateway: AgentGateway, monkeypatch: pytest.MonkeyPatch, protocol: str
) -> None:
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
    agent_gateway.route_everything_to(protocol)
    calls: list[int] = []

    @function_tool(name_override=FUNCTION_TOOL)
    def secret_number(seed: int) -> str:
        """The secret number derived from a seed."""
        calls.append(seed)
        return f"mlxm-{seed * 6}"

    client = AsyncOpenAI(base_url=agent_gateway.v1, api_key="sk-gateway-unused", max_retries=0)
    # The SDK's own provider, given our client instead of the process-wide default one.
    provider = OpenAIProvider(openai_client=client)
    # The model an agent gets when it names none.
    assert isinstance(provider.get_model(None), OpenAIResponsesModel)
    agent = Agent(name="assistant", instructions="Use the tool.", tools=[secret_number])
    async with client:
        result = await Runner.run(
            agent,
            "What is the secret number for 7?",
            run_config=RunConfig(model_provider=provider, tracing_disabled=True),
        )
    assert calls == [7]
    assert result.final_output == f"{FINAL_WORD} {MARK}"
    assert any(MARK in r for r in tool_results(agent_gateway.upstream.received))
    assert agent_gateway.answers() == {("/v1/responses", 200)}
