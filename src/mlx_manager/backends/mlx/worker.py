"""The engine's worker: the one thread that owns MLX, as in mlx-lm's ``server.py``.

Work arrives on a queue: generation jobs and plain calls (model loads). Jobs for one model join
that model's ``BatchGenerator`` (continuous batching: a request arriving mid-generation joins the
running batch at the next step), each with its own sampler and ``max_tokens``. Batching rule:
every request for the same loaded model is batched, whatever its sampling parameters; models are
stepped in turn. Tokens go back to the event loop with ``loop.call_soon_threadsafe`` onto one
``asyncio.Queue`` per request, so the loop never waits on MLX. A cancelled handle (the client went
away) is removed from its batch at the next step, freeing its slot. A finished request's KV cache
goes to the ``PromptCache``; a new one starts from its longest cached prefix and prefills the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from mlx_manager.backends.mlx.loader import LoadedModel
from mlx_manager.backends.mlx.prompt_cache import PromptCache
from mlx_manager.backends.mlx.sampling import SamplingParams, make_sampler
from mlx_manager.errors import EngineError, GatewayError

T = TypeVar("T")
FinishReason = Literal["stop", "length"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GenerationJob:
    model: LoadedModel
    prompt: list[int]
    max_tokens: int
    sampling: SamplingParams
    # mlx-lm logits processors, each with its own state; empty for unconstrained requests.
    logits_processors: tuple[Callable[[Any, Any], Any], ...] = ()


@dataclass(frozen=True, slots=True)
class TokenChunk:
    """One generated token: its new text (empty for EOS) and, on the last one, why it ended."""

    text: str
    finish: FinishReason | None = None


@dataclass(slots=True)
class WorkerStats:
    """Counters kept by the worker thread; read them from anywhere."""

    steps: int = 0
    generated_tokens: int = 0
    max_batch_size: int = 0
    last_batch_size: int = 0
    requests: int = 0
    cancelled: int = 0
    decode_seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / self.decode_seconds if self.decode_seconds else 0.0


class GenerationHandle:
    """One request's stream of ``TokenChunk``; ``cancel()`` stops it and frees its slot."""

    def __init__(self, job: GenerationJob, loop: asyncio.AbstractEventLoop) -> None:
        self.job = job
        self._loop = loop
        self._queue: asyncio.Queue[TokenChunk | GatewayError] = asyncio.Queue()
        self._done = False
        # Written by the loop, read by the worker: a plain flag is enough under the GIL.
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __aiter__(self) -> GenerationHandle:
        return self

    async def __anext__(self) -> TokenChunk:
        if self._done:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, GatewayError):
            self._done = True
            raise item
        if item.finish is not None:
            self._done = True
        return item

    def _push(self, item: TokenChunk | GatewayError) -> None:
        """Worker thread: hand ``item`` to the request's event loop."""
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:
            # The loop is closed: nobody is listening any more.
            self.cancelled = True


@dataclass(slots=True)
class _Call:
    fn: Callable[[], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


@dataclass(slots=True)
class _Active:
    handle: GenerationHandle
    detokenizer: Any
    model: LoadedModel


@dataclass(slots=True)
class _Batch:
    generator: Any
    active: dict[int, _Active] = field(default_factory=dict)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class EngineWorker:
    def __init__(
        self,
        *,
        completion_batch_size: int = 16,
        prefill_batch_size: int = 8,
        prefill_step_size: int = 2048,
        prompt_cache_bytes: int = 0,
    ) -> None:
        self._completion_batch_size = completion_batch_size
        self._prefill_batch_size = prefill_batch_size
        self._prefill_step_size = prefill_step_size
        self._inbox: queue.SimpleQueue[_Call | GenerationHandle | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._failure: EngineError | None = None
        self.stats = WorkerStats()
        self.prompt_cache = PromptCache(prompt_cache_bytes)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the worker thread and return its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._put(_Call(fn=fn, future=future, loop=loop))
        return await future

    def submit(self, job: GenerationJob) -> GenerationHandle:
        handle = GenerationHandle(job, asyncio.get_running_loop())
        self._put(handle)
        return handle

    async def aclose(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._inbox.put(None)
        await asyncio.to_thread(thread.join)
        self._thread = None

    def _put(self, item: _Call | GenerationHandle) -> None:
        if self._failure is not None:
            raise self._failure
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mlx-engine", daemon=True)
            self._thread.start()
        self._inbox.put(item)

    def _run(self) -> None:
        batches: dict[LoadedModel, _Batch] = {}
        try:
            self._serve(batches)
        except ImportError as exc:
            self._failure = EngineError(
                f"The local engine is not installed ({exc}): install mlx-manager with the "
                "'local' extra (`uv sync --extra local`)."
            )
            self._fail_all(batches, self._failure)
        except Exception as exc:
            log.exception("the MLX engine thread died")
            self._failure = EngineError(f"The local engine stopped after an internal error: {exc}")
            self._fail_all(batches, self._failure)
        else:
            self._fail_all(batches, EngineError("The local engine shut down mid-generation."))

    def _fail_all(self, batches: dict[LoadedModel, _Batch], error: EngineError) -> None:
        """Answer every request still in a batch or the inbox, so no caller waits forever."""
        for batch in batches.values():
            for active in batch.active.values():
                active.handle._push(error)
        batches.clear()
        for item in self._drain(block=False):
            if isinstance(item, GenerationHandle):
                item._push(error)
            elif isinstance(item, _Call):
                with contextlib.suppress(RuntimeError):
                    item.loop.call_soon_threadsafe(_settle, item.future, None, error)

    def _serve(self, batches: dict[LoadedModel, _Batch]) -> None:
        import mlx.core as mx

        # Every MLX operation of the engine runs on this thread's stream.
        stream = mx.default_stream(mx.default_device())
        while True:
            busy = any(b.active for b in batches.values())
            items = self._drain(block=not busy)
            for at, item in enumerate(items):
                if item is None:
                    # Shutting down: what came after is answered by ``_fail_all``.
                    for rest in items[at + 1 :]:
                        self._inbox.put(rest)
                    return
                if isinstance(item, _Call):
                    self._run_call(item)
                else:
                    self._admit(item, batches, stream)
            self._reap_cancelled(batches)
            for model, batch in list(batches.items()):
                if batch.active:
                    self._step(batch)
                if not batch.active:
                    batch.generator.close()
                    del batches[model]

    def _drain(self, *, block: bool) -> list[_Call | GenerationHandle | None]:
        items: list[_Call | GenerationHandle | None] = []
        if block:
            items.append(self._inbox.get())
        while True:
            try:
                items.append(self._inbox.get_nowait())
            except queue.Empty:
                return items

    def _run_call(self, call: _Call) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = call.fn()
        except Exception as exc:
            # Handed to the awaiting caller, which decides what it means.
            error = exc
        try:
            call.loop.call_soon_threadsafe(_settle, call.future, result, error)
        except RuntimeError:
            log.debug("a worker call finished after its event loop closed")

    def _admit(
        self, handle: GenerationHandle, batches: dict[LoadedModel, _Batch], stream: Any
    ) -> None:
        if handle.cancelled:
            self.stats.cancelled += 1
            return
        job = handle.job
        tokenizer = job.model.tokenizer
        batch = batches.get(job.model)
        try:
            if batch is None:
                from mlx_lm.generate import BatchGenerator

                generator = BatchGenerator(
                    job.model.model,
                    stop_tokens=[[t] for t in sorted(tokenizer.eos_token_ids)],
                    completion_batch_size=self._completion_batch_size,
                    prefill_batch_size=self._prefill_batch_size,
                    prefill_step_size=self._prefill_step_size,
                    stream=stream,
                )
                batch = batches[job.model] = _Batch(generator=generator)
            prefix = self.prompt_cache.fetch(job.model, job.prompt)
            (uid,) = batch.generator.insert(
                [prefix.rest],
                max_tokens=[job.max_tokens],
                caches=[prefix.cache],
                all_tokens=[job.prompt[: prefix.reused]],
                samplers=[make_sampler(job.sampling)],
                logits_processors=[list(job.logits_processors)],
            )
        except (ValueError, RuntimeError) as exc:
            handle._push(EngineError(f"The local engine could not start generating: {exc}"))
            return
        batch.active[uid] = _Active(
            handle=handle, detokenizer=tokenizer.detokenizer, model=job.model
        )
        self.stats.requests += 1

    def _reap_cancelled(self, batches: dict[LoadedModel, _Batch]) -> None:
        for batch in batches.values():
            gone = [uid for uid, a in batch.active.items() if a.handle.cancelled]
            if gone:
                batch.generator.remove(gone)
                for uid in gone:
                    del batch.active[uid]
                self.stats.cancelled += len(gone)

    def _step(self, batch: _Batch) -> None:
        started = time.perf_counter()
        try:
            _, responses = batch.generator.next()
        except (ValueError, RuntimeError) as exc:
            error = EngineError(f"The local engine failed while generating: {exc}")
            for failed in batch.active.values():
                failed.handle._push(error)
            batch.active.clear()
            return
        if not responses:
            return
        stats = self.stats
        stats.decode_seconds += time.perf_counter() - started
        stats.steps += 1
        stats.generated_tokens += len(responses)
        stats.last_batch_size = len(responses)
        stats.max_batch_size = max(stats.max_batch_size, len(responses))
        for r in responses:
            active = batch.active.get(r.uid)
            if active is None:
                continue
            detokenizer = active.detokenizer
            # The EOS token that ended a sequence is counted but never shown.
            if r.finish_reason != "stop":
                detokenizer.add_token(r.token)
            if r.finish_reason is not None:
                detokenizer.finalize()
            if r.finish_reason is not None:
                del batch.active[r.uid]
                # The prompt and the reply, the start of the conversation's next turn; kept
                # before the caller hears the end, so its next request finds them.
                self.prompt_cache.store(active.model, r.all_tokens, r.prompt_cache)
            active.handle._push(TokenChunk(text=detokenizer.last_segment, finish=r.finish_reason))
