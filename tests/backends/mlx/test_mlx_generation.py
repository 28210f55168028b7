from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mlx_manager.backends.mlx import MLXBackend
from mlx_manager.backends.mlx.worker import FinishReason, TokenChunk
from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    MessageEnd,
    MessageStart,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    ToolSpec,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import InvalidRequest, ModelNotFound

TINY = "tiny-llama"
MUTE = "tiny-mute"


def chat(
    text: str = "Hello there",
    *,
    model: str = TINY,
    temperature: float | None = 0.0,
    max_tokens: int | None = 24,
    seed: int | None = None,
    stop: list[str] | None = None,
) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content=[TextPart(text=text)])],
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
        stop=stop or [],
    )


async def run(backend: MLXBackend, request: ChatRequest) -> ChatResponse:
    return await accumulate(backend.stream(request, model=request.model))


def text_of(response: ChatResponse) -> str:
    return "".join(p.text for p in response.content if isinstance(p, TextPart))


async def test_event_sequence(backend: MLXBackend) -> None:
    events = [e async for e in backend.stream(chat(max_tokens=8), model=TINY)]

    assert isinstance(events[0], MessageStart)
    assert events[0].model == TINY
    assert isinstance(events[-2], UsageUpdate)
    assert events[-1] == MessageEnd(stop_reason="max_tokens")
    assert all(isinstance(e, TextDelta) for e in events[1:-2])


async def test_greedy_is_deterministic(backend: MLXBackend) -> None:
    first = await run(backend, chat())
    second = await run(backend, chat())
    assert text_of(first) == text_of(second) != ""


async def test_seed_reproduces_sampling(backend: MLXBackend) -> None:
    a = await run(backend, chat(temperature=1.0, seed=7, max_tokens=32))
    b = await run(backend, chat(temperature=1.0, seed=7, max_tokens=32))
    c = await run(backend, chat(temperature=1.0, seed=8, max_tokens=32))
    assert text_of(a) == text_of(b)
    assert text_of(a) != text_of(c)


async def test_max_tokens_gives_exact_count_and_reason(backend: MLXBackend) -> None:
    response = await run(backend, chat(max_tokens=13))
    assert response.stop_reason == "max_tokens"
    assert response.usage.output_tokens == 13


async def test_eos_ends_the_turn_and_is_not_shown(backend: MLXBackend) -> None:
    response = await run(backend, chat(model=MUTE))
    assert response.stop_reason == "end_turn"
    assert response.usage.output_tokens == 1  # the EOS token itself
    assert text_of(response) == ""


async def test_usage_counts_the_templated_prompt(backend: MLXBackend) -> None:
    response = await run(backend, chat("Count my tokens, please.", max_tokens=5))

    async with backend.pool.lease(TINY) as loaded:
        text = loaded.tokenizer.apply_chat_template(
            [{"role": "user", "content": "Count my tokens, please."}],
            add_generation_prompt=True,
            tokenize=False,
        )
        expected = len(loaded.tokenizer.encode(text, add_special_tokens=False))
    assert response.usage.input_tokens == expected
    assert response.usage.output_tokens == 5


async def test_stop_sequence_is_cut_and_reported(backend: MLXBackend) -> None:
    full = text_of(await run(backend, chat(max_tokens=40)))
    # A stop string from the middle of the greedy output, not seen before it.
    stop = next(
        full[i : i + 3]
        for i in range(4, len(full) - 3)
        if full[i : i + 3].strip() and full.find(full[i : i + 3]) == i
    )

    response = await run(backend, chat(max_tokens=40, stop=["never-emitted", stop]))

    assert response.stop_reason == "stop_sequence"
    assert response.stop_sequence == stop
    assert text_of(response) == full[: full.index(stop)]
    assert stop not in text_of(response)
    assert response.usage.output_tokens < 40


async def test_images_are_refused(backend: MLXBackend) -> None:
    request = ChatRequest(
        model=TINY,
        messages=[Message(role="user", content=[ImagePart(media_type="image/png", data="AA==")])],
    )
    with pytest.raises(InvalidRequest) as info:
        await run(backend, request)
    assert info.value.param == "messages"
    assert backend.pool.status().loaded == []  # refused before loading anything


async def test_unknown_model(backend: MLXBackend) -> None:
    with pytest.raises(ModelNotFound):
        await run(backend, chat(model="no-such-model"))


async def test_list_load_unload(backend: MLXBackend, tiny_model_path: Path) -> None:
    names = {m.name for m in backend.list_models()}
    assert {TINY, MUTE} <= names
    await backend.load(TINY, pin=True)
    [status] = backend.status().pool.loaded
    assert (status.name, status.pinned) == (TINY, True)
    assert await backend.unload(TINY)
    assert backend.status().pool.loaded == []


class ScriptedHandle:
    """Stands in for the worker's handle: replays chunks as if the model wrote them."""

    def __init__(self, chunks: list[str], finish: FinishReason) -> None:
        self._chunks = [TokenChunk(text=c) for c in chunks[:-1]]
        self._chunks.append(TokenChunk(text=chunks[-1], finish=finish))

    def cancel(self) -> None:
        pass

    def __aiter__(self) -> AsyncIterator[TokenChunk]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[TokenChunk]:
        for chunk in self._chunks:
            yield chunk


def script(backend: MLXBackend, chunks: list[str], finish: FinishReason = "stop") -> None:
    backend.worker.submit = lambda job: ScriptedHandle(chunks, finish)  # type: ignore[method-assign,assignment,return-value]


async def test_tool_calls_end_with_tool_use(backend: MLXBackend) -> None:
    call = '{"name": "get_weather", "arguments": {"city": "Oslo"}}'
    script(
        backend, ["<think>", "Need weather.", "</think>", "<tool_call>", call, "</tool_call>", ""]
    )
    request = chat("Weather?")
    request.tools = [ToolSpec(name="get_weather", description=None, parameters={})]

    events = [e async for e in backend.stream(request, model=TINY)]

    assert [e for e in events if not isinstance(e, MessageStart | UsageUpdate)] == [
        ThinkingDelta(text="Need weather."),
        ToolCallStart(index=0, id=events[2].id, name="get_weather"),  # type: ignore[union-attr]
        ToolCallDelta(index=0, arguments='{"city": "Oslo"}'),
        MessageEnd(stop_reason="tool_use"),
    ]
    usage = next(e for e in events if isinstance(e, UsageUpdate)).usage
    assert usage.output_tokens == 7


async def test_max_tokens_wins_over_a_cut_off_tool_call(backend: MLXBackend) -> None:
    script(backend, ["<tool_call>", '{"name": "f", "argu'], finish="length")
    request = chat("Go")
    request.tools = [ToolSpec(name="f", description=None, parameters={})]

    response = await run(backend, request)

    assert response.stop_reason == "max_tokens"
    assert text_of(response) == '<tool_call>{"name": "f", "argu'
