"""The prompt-prefix cache on the tiny real model: reuse is exact, bounded and per prefix."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from mlx_manager.backends.mlx import EngineConfig, MLXBackend
from mlx_manager.backends.mlx.prompt import render_prompt
from mlx_manager.core import ChatRequest, Message, TextDelta, TextPart

TINY = "tiny-llama"
TURNS = ["Tell me a story about a fox.", "Now count to ten.", "And once more, please."]


def conversation(turns: list[str], replies: list[str]) -> ChatRequest:
    messages = []
    for at, text in enumerate(turns):
        messages.append(Message(role="user", content=[TextPart(text=text)]))
        if at < len(replies):
            messages.append(Message(role="assistant", content=[TextPart(text=replies[at])]))
    return ChatRequest(model=TINY, messages=messages, temperature=0.0, max_tokens=16)


async def reply(backend: MLXBackend, request: ChatRequest, *, stream: bool = False) -> str:
    if stream:
        parts = [
            e.text async for e in backend.stream(request, model=TINY) if isinstance(e, TextDelta)
        ]
        return "".join(parts)
    response = await backend.complete(request, model=TINY)
    return "".join(p.text for p in response.content if isinstance(p, TextPart))


async def talk(backend: MLXBackend, turns: list[str], *, stream: bool = False) -> list[str]:
    """A conversation where each turn resends the history with the model's own replies."""
    replies: list[str] = []
    for at in range(len(turns)):
        replies.append(await reply(backend, conversation(turns[: at + 1], replies), stream=stream))
    return replies


@pytest.fixture
async def cold(engine_config: EngineConfig) -> AsyncIterator[MLXBackend]:
    engine = MLXBackend(dataclasses.replace(engine_config, prompt_cache_bytes=0))
    yield engine
    await engine.aclose()


@pytest.mark.parametrize("stream", [False, True])
async def test_a_reused_prefix_gives_the_cold_runs_greedy_tokens(
    backend: MLXBackend, cold: MLXBackend, stream: bool
) -> None:
    warm_replies = await talk(backend, TURNS, stream=stream)
    cold_replies = await talk(cold, TURNS, stream=stream)

    assert warm_replies == cold_replies
    assert all(warm_replies)
    stats = backend.status().prompt_cache
    assert stats.hits == len(TURNS) - 1
    assert stats.bytes > 0
    assert cold.status().prompt_cache.hits == 0


async def test_each_turn_reuses_at_least_the_previous_prompt(backend: MLXBackend) -> None:
    first = conversation(TURNS[:1], [])
    answer = await reply(backend, first)
    second = conversation(TURNS[:2], [answer])
    async with backend.pool.lease(TINY) as loaded:
        before = render_prompt(loaded.tokenizer, first).tokens
        after = render_prompt(loaded.tokenizer, second).tokens
    # Stable templating: the history renders to the same tokens it had as the previous prompt.
    assert after[: len(before)] == before

    await reply(backend, second)

    stats = backend.status().prompt_cache
    assert stats.hits == 1
    assert stats.tokens_reused >= len(before)


async def test_interleaved_conversations_both_hit(backend: MLXBackend, cold: MLXBackend) -> None:
    other = ["What is MLX?", "Say it shorter."]
    a1 = await reply(backend, conversation(TURNS[:1], []))
    b1 = await reply(backend, conversation(other[:1], []))
    hits = backend.status().prompt_cache.hits
    a2 = await reply(backend, conversation(TURNS[:2], [a1]))
    b2 = await reply(backend, conversation(other, [b1]))

    stats = backend.status().prompt_cache
    assert stats.hits == hits + 2
    assert [a2, b2] == [
        await reply(cold, conversation(TURNS[:2], [a1])),
        await reply(cold, conversation(other, [b1])),
    ]


async def test_a_different_prefix_reuses_only_the_tokens_it_shares(backend: MLXBackend) -> None:
    first = conversation(["The quick brown fox."], [])
    other = conversation(["0 1 2 3 4 5 6 7 8 9"], [])
    async with backend.pool.lease(TINY) as loaded:
        a = render_prompt(loaded.tokenizer, first).tokens
        b = render_prompt(loaded.tokenizer, other).tokens
    shared = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    await reply(backend, first)
    reused = backend.status().prompt_cache.tokens_reused

    await reply(backend, other)

    # Only the template's opening, identical in both, may come from the other prompt's cache.
    assert backend.status().prompt_cache.tokens_reused - reused <= shared


async def test_the_cache_keeps_to_its_budget_and_evicts_the_least_recent(
    engine_config: EngineConfig,
) -> None:
    # How big one short conversation's cache is, on an unbounded engine.
    probe = MLXBackend(engine_config)
    try:
        await reply(probe, conversation(TURNS[:1], []))
        one = probe.status().prompt_cache.bytes
    finally:
        await probe.aclose()
    assert one > 0

    engine = MLXBackend(dataclasses.replace(engine_config, prompt_cache_bytes=one * 2))
    try:
        starts = [["Alpha one."], ["Bravo two."], ["Charlie three."]]
        answers = [await reply(engine, conversation(t, [])) for t in starts]
        assert engine.status().prompt_cache.bytes <= one * 2
        async with engine.pool.lease(TINY) as loaded:
            alpha = len(render_prompt(loaded.tokenizer, conversation(starts[0], [])).tokens)
            charlie = len(render_prompt(loaded.tokenizer, conversation(starts[2], [])).tokens)

        # The newest two are kept: Charlie's second turn reuses its first prompt; Alpha's (the
        # oldest, evicted) at most the template's opening shared with the others.
        reused = engine.status().prompt_cache.tokens_reused
        await reply(engine, conversation([*starts[2], "More."], [answers[2]]))
        charlie_reused = engine.status().prompt_cache.tokens_reused - reused
        reused += charlie_reused
        await reply(engine, conversation([*starts[0], "More."], [answers[0]]))
        alpha_reused = engine.status().prompt_cache.tokens_reused - reused
        assert engine.status().prompt_cache.bytes <= one * 2
    finally:
        await engine.aclose()
    assert charlie_reused >= charlie
    assert alpha_reused < alpha // 2


async def test_a_zero_budget_turns_the_cache_off(cold: MLXBackend) -> None:
    await talk(cold, TURNS[:2])
    stats = cold.status().prompt_cache
    assert (stats.hits, stats.tokens_reused, stats.bytes) == (0, 0, 0)
