"""``MLXBackend``: the local engine behind the ``Backend`` protocol.

It ties the catalogue (what is on disk), the pool (what is in memory) and the worker (the thread
that generates) together, and turns one ``ChatRequest`` into IR events: the prompt is rendered
with the model's chat template, tokens come back from the worker, stop strings are cut, and the
text is split into text, thinking and tool-call deltas.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from mlx_manager.backends.base import Capabilities
from mlx_manager.backends.mlx.catalog import ModelCatalog
from mlx_manager.backends.mlx.config import EngineConfig
from mlx_manager.backends.mlx.constrain import (
    SchemaProcessor,
    forced_tool,
    tool_call_grammar,
)
from mlx_manager.backends.mlx.discovery import LocalModel, hf_cache_dir
from mlx_manager.backends.mlx.loader import LoadedModel, load_model
from mlx_manager.backends.mlx.parser import OutputParser
from mlx_manager.backends.mlx.pool import Loader, ModelPool, PoolStatus
from mlx_manager.backends.mlx.prompt import RenderedPrompt, render_prompt
from mlx_manager.backends.mlx.prompt_cache import PromptCacheStats
from mlx_manager.backends.mlx.sampling import SamplingParams
from mlx_manager.backends.mlx.stops import StopMatch, StopMatcher
from mlx_manager.backends.mlx.tools import DEFAULT_THINK_MARKERS, DEFAULT_TOOL_MARKERS
from mlx_manager.backends.mlx.worker import EngineWorker, GenerationJob, WorkerStats
from mlx_manager.core import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    MessageEnd,
    MessageStart,
    StopReason,
    StreamEvent,
    ToolResultPart,
    ToolSpec,
    Usage,
    UsageUpdate,
    accumulate,
)
from mlx_manager.errors import Conflict, InvalidRequest


@dataclass(frozen=True, slots=True)
class EngineStatus:
    pool: PoolStatus
    worker: WorkerStats
    prompt_cache: PromptCacheStats


def _has_images(request: ChatRequest) -> bool:
    for message in request.messages:
        for part in message.content:
            if isinstance(part, ImagePart):
                return True
            if isinstance(part, ToolResultPart) and any(
                isinstance(c, ImagePart) for c in part.content
            ):
                return True
    return False


def _sampling(request: ChatRequest) -> SamplingParams:
    temperature = 1.0 if request.temperature is None else request.temperature
    return SamplingParams(
        temperature=temperature, top_p=request.top_p, top_k=request.top_k, seed=request.seed
    )


def _parser(loaded: LoadedModel, prompt: RenderedPrompt) -> OutputParser:
    tokenizer = loaded.tokenizer
    think = DEFAULT_THINK_MARKERS
    if getattr(tokenizer, "has_thinking", False):
        think = (tokenizer.think_start, tokenizer.think_end)
    tool: tuple[str, str] | None = None
    tool_parser = None
    if prompt.tools:
        tool = DEFAULT_TOOL_MARKERS
        if getattr(tokenizer, "has_tool_calling", False):
            tool = (tokenizer.tool_call_start, tokenizer.tool_call_end or "")
            tool_parser = tokenizer.tool_parser
    return OutputParser(
        think=think,
        tool=tool,
        tool_parser=tool_parser,
        tools=prompt.tools,
        start_in_thinking=prompt.starts_in_thinking,
    )


async def _constraints(loaded: LoadedModel, request: ChatRequest) -> tuple[SchemaProcessor, ...]:
    """A forced tool's schema as a grammar the output must follow; none for other requests."""
    tool = forced_tool(request)
    if tool is None:
        return ()
    # Compiling the grammar (and, once per model, its tokenizer) is CPU work kept off the loop.
    return (await asyncio.to_thread(_schema_processor, loaded.tokenizer, tool),)


def _schema_processor(tokenizer: object, tool: ToolSpec) -> SchemaProcessor:
    return SchemaProcessor(tokenizer, tool_call_grammar(tool, tokenizer, param="tools"))


class MLXBackend:
    """Serves chat requests with local MLX models; ``model`` is a catalogue name."""

    capabilities = Capabilities(
        streaming=True, tools=True, images=False, reasoning=True, embeddings=False
    )

    def __init__(self, config: EngineConfig | None = None, *, loader: Loader = load_model) -> None:
        self.config = config = config or EngineConfig()
        self.catalog = ModelCatalog(
            hf_cache=config.hf_cache or hf_cache_dir(),
            models_dir=config.models_dir,
            registered=config.registered,
        )
        self.worker = EngineWorker(
            completion_batch_size=config.completion_batch_size,
            prefill_batch_size=config.prefill_batch_size,
            prefill_step_size=config.prefill_step_size,
            prompt_cache_bytes=config.prompt_cache_bytes,
        )
        self.pool = ModelPool(
            catalog=self.catalog,
            executor=self.worker,
            loader=loader,
            max_models=config.max_loaded_models,
            max_memory_bytes=config.max_memory_bytes,
        )

    def list_models(self, *, refresh: bool = False) -> list[LocalModel]:
        return self.catalog.refresh() if refresh else self.catalog.models()

    async def load(self, name: str, *, pin: bool = False) -> None:
        await self.pool.load(name, pin=pin)

    async def unload(self, name: str) -> bool:
        return await self.pool.unload(name)

    async def delete(self, name: str) -> None:
        """Delete a model's files from disk; refused while it is loaded or loading."""
        if self.pool.is_loaded(name) or name in self.pool.status().loading:
            raise Conflict(f"Model '{name}' is loaded; unload it before deleting it.")
        await asyncio.to_thread(self.catalog.remove, name)

    def status(self) -> EngineStatus:
        return EngineStatus(
            pool=self.pool.status(),
            worker=self.worker.stats,
            prompt_cache=self.worker.prompt_cache.stats,
        )

    async def aclose(self) -> None:
        await self.pool.close()
        await self.worker.aclose()

    def _max_tokens(self, request: ChatRequest) -> int:
        if request.max_tokens is None:
            return self.config.default_max_tokens
        if request.max_tokens < 1:
            raise InvalidRequest("max_tokens must be at least 1.", param="max_tokens")
        return request.max_tokens

    async def count_tokens(self, request: ChatRequest, *, model: str) -> int:
        """The prompt's length in ``model``'s own tokens, as ``stream`` would feed it."""
        async with self.pool.lease(model) as loaded:
            prompt = await asyncio.to_thread(render_prompt, loaded.tokenizer, request)
        return len(prompt.tokens)

    async def complete(self, request: ChatRequest, *, model: str) -> ChatResponse:
        # The engine only streams; a whole reply is its events gathered.
        return await accumulate(self.stream(request, model=model))

    async def stream(
        self, request: ChatRequest, *, model: str
    ) -> AsyncGenerator[StreamEvent, None]:
        if _has_images(request):
            raise InvalidRequest(
                f"Local model '{model}' takes text only; remove the images or route this "
                "request to a vision-capable provider.",
                param="messages",
            )
        max_tokens = self._max_tokens(request)
        async with self.pool.lease(model) as loaded:
            prompt = await asyncio.to_thread(render_prompt, loaded.tokenizer, request)
            parser = _parser(loaded, prompt)
            stops = StopMatcher(request.stop)
            job = GenerationJob(
                model=loaded,
                prompt=prompt.tokens,
                max_tokens=max_tokens,
                sampling=_sampling(request),
                logits_processors=await _constraints(loaded, request),
            )
            handle = self.worker.submit(job)
            output_tokens = 0
            finish = None
            matched: StopMatch | None = None
            try:
                yield MessageStart(id=f"msg_{uuid.uuid4().hex}", model=model)
                async for chunk in handle:
                    output_tokens += 1
                    fed = stops.feed(chunk.text)
                    if isinstance(fed, StopMatch):
                        matched = fed
                        fed = fed.text
                    for event in parser.feed(fed):
                        yield event
                    if matched is not None:
                        break
                    finish = chunk.finish
            finally:
                # Frees the batch slot when the caller stopped early or went away.
                handle.cancel()
            for event in parser.feed(stops.flush()) + parser.finish():
                yield event
            reason: StopReason = "end_turn"
            if matched is not None:
                reason = "stop_sequence"
            elif finish == "length":
                reason = "max_tokens"
            elif parser.tool_calls:
                reason = "tool_use"
            usage = Usage(input_tokens=len(prompt.tokens), output_tokens=output_tokens)
            yield UsageUpdate(usage=usage)
            yield MessageEnd(stop_reason=reason, stop_sequence=matched.stop if matched else None)
