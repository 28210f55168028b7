"""The worker thread: batching, cancellation, and an event loop that never waits on MLX."""

from __future__ import annotations

import asyncio
import time

import pytest

from mlx_manager.backends.mlx import MLXBackend
from mlx_manager.core import ChatRequest, Message, MessageEnd, TextPart, accumulate
from mlx_manager.errors import EngineError

TINY = "tiny-llama"


def chat(text: str, *, max_tokens: int, temperature: float = 0.0) -> ChatRequest:
    return ChatRequest(
        model=TINY,
        messages=[Message(role="user", content=[TextPart(text=text)])],
        max_tokens=max_tokens,
        temperature=temperature,
    )


async def test_concurrent_requests_share_one_batch(backend: MLXBackend) -> None:
    await backend.load(TINY)
    requests = [
        chat(f"Request number {i}", max_tokens=40, temperature=0.0 if i % 2 else 0.8)
        for i in range(6)
    ]

    responses = await asyncio.gather(*(accumulate(backend.stream(r, model=TINY)) for r in requests))

    stats = backend.status().worker
    assert stats.max_batch_size == 6
    assert stats.requests == 6
    # Fewer decode steps than tokens: each step served several requests.
    total = sum(r.usage.output_tokens for r in responses)
    assert stats.generated_tokens == total
    assert stats.steps < total / 2


async def test_closing_the_stream_frees_the_slot(backend: MLXBackend) -> None:
    stream = backend.stream(chat("Go on forever", max_tokens=5000), model=TINY)
    async for event in stream:
        if event.type == "text_delta":
            break
    await stream.aclose()

    assert backend.status().pool.loaded[0].in_use == 0
    # The worker drops the request at its next step and then goes idle.
    for _ in range(100):
        if backend.status().worker.cancelled == 1:
            break
        await asyncio.sleep(0.01)
    assert backend.status().worker.cancelled == 1
    generated = backend.status().worker.generated_tokens
    await asyncio.sleep(0.1)
    assert backend.status().worker.generated_tokens == generated < 5000

    # The worker keeps serving.
    response = await accumulate(backend.stream(chat("Still there?", max_tokens=4), model=TINY))
    assert response.usage.output_tokens == 4


async def test_cancelled_task_stops_its_generation(backend: MLXBackend) -> None:
    await backend.load(TINY)
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in backend.stream(chat("Long answer", max_tokens=5000), model=TINY):
            started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    others = [chat(f"Short {i}", max_tokens=6) for i in range(2)]
    responses = await asyncio.gather(*(accumulate(backend.stream(r, model=TINY)) for r in others))

    assert [r.stop_reason for r in responses] == ["max_tokens", "max_tokens"]
    assert task.cancelled()
    assert backend.status().worker.cancelled == 1


async def test_event_loop_keeps_ticking_during_generation(backend: MLXBackend) -> None:
    await backend.load(TINY)
    gaps: list[float] = []
    done = False

    async def heartbeat() -> None:
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    requests = [chat(f"Talk {i}", max_tokens=150, temperature=0.7) for i in range(4)]
    responses = await asyncio.gather(*(accumulate(backend.stream(r, model=TINY)) for r in requests))
    elapsed = time.perf_counter() - started
    done = True
    await beat

    assert all(isinstance(r.stop_reason, str) for r in responses)
    # Ticks kept coming throughout, and no tick waited on a generation step.
    assert len(gaps) > elapsed / 0.02
    assert max(gaps) < 0.1


async def test_end_event_arrives_after_every_delta(backend: MLXBackend) -> None:
    events = [e async for e in backend.stream(chat("Hi", max_tokens=3), model=TINY)]
    assert isinstance(events[-1], MessageEnd)
    assert sum(1 for e in events if isinstance(e, MessageEnd)) == 1


async def test_seeded_sampling_is_the_same_alone_or_batched(backend: MLXBackend) -> None:
    seeded = chat("Seeded", max_tokens=24, temperature=0.9)
    seeded.seed = 1234
    alone = await accumulate(backend.stream(seeded, model=TINY))

    others = [chat(f"Noise {i}", max_tokens=30, temperature=1.0) for i in range(3)]
    batched, *_ = await asyncio.gather(
        accumulate(backend.stream(seeded, model=TINY)),
        *(accumulate(backend.stream(r, model=TINY)) for r in others),
    )

    assert backend.status().worker.max_batch_size >= 2
    assert batched.content == alone.content


async def test_shutdown_answers_requests_in_flight(backend: MLXBackend) -> None:
    stream = backend.stream(chat("Long", max_tokens=5000), model=TINY)
    await anext(stream)
    await backend.worker.aclose()
    with pytest.raises(EngineError, match="shut down"):
        async for _ in stream:
            pass
