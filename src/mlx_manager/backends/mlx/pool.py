"""The pool of models in memory: lazy loads, shared loads, LRU eviction, pins and leases.

A model loads on first use; concurrent requests for it share one load. Loaded models stay until
room is needed: the least recently used model that is neither pinned nor serving a request (held
by a lease) is evicted when the count or memory limit would be exceeded. Memory is estimated from
the weight files. Loads run on the engine's worker thread through ``executor``.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mlx_manager.backends.mlx.catalog import ModelCatalog
from mlx_manager.backends.mlx.discovery import LocalModel
from mlx_manager.backends.mlx.loader import LoadedModel, estimate_memory, release_memory
from mlx_manager.errors import Conflict, EngineError

T = TypeVar("T")

Loader = Callable[[LocalModel], LoadedModel]


class Executor(Protocol):
    """Runs a function on the thread that owns MLX."""

    async def call(self, fn: Callable[[], T]) -> T: ...


@dataclass(slots=True)
class _Entry:
    loaded: LoadedModel
    pinned: bool = False
    leases: int = 0
    last_used: float = 0.0


@dataclass(frozen=True, slots=True)
class LoadedModelStatus:
    name: str
    size_bytes: int
    pinned: bool
    in_use: int
    last_used: float


@dataclass(frozen=True, slots=True)
class PoolStatus:
    loaded: list[LoadedModelStatus]
    loading: list[str]
    memory_bytes: int
    max_models: int
    max_memory_bytes: int | None


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


class ModelPool:
    def __init__(
        self,
        *,
        catalog: ModelCatalog,
        executor: Executor,
        loader: Loader,
        max_models: int = 2,
        max_memory_bytes: int | None = None,
    ) -> None:
        if max_models < 1:
            raise ValueError("max_models must be at least 1")
        self._catalog = catalog
        self._executor = executor
        self._loader = loader
        self.max_models = max_models
        self.max_memory_bytes = max_memory_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._loading: dict[str, asyncio.Task[_Entry]] = {}
        self._reserved: dict[str, int] = {}

    @property
    def memory_bytes(self) -> int:
        return sum(e.loaded.size_bytes for e in self._entries.values())

    def status(self) -> PoolStatus:
        loaded = [
            LoadedModelStatus(
                name=name,
                size_bytes=e.loaded.size_bytes,
                pinned=e.pinned,
                in_use=e.leases,
                last_used=e.last_used,
            )
            for name, e in self._entries.items()
        ]
        return PoolStatus(
            loaded=loaded,
            loading=sorted(self._loading),
            memory_bytes=self.memory_bytes,
            max_models=self.max_models,
            max_memory_bytes=self.max_memory_bytes,
        )

    def is_loaded(self, name: str) -> bool:
        return name in self._entries

    @asynccontextmanager
    async def lease(self, name: str) -> AsyncIterator[LoadedModel]:
        """The model, loaded if needed and kept from eviction until the block exits."""
        entry = await self._ensure(name)
        entry.leases += 1
        try:
            yield entry.loaded
        finally:
            entry.leases -= 1
            entry.last_used = time.monotonic()

    async def load(self, name: str, *, pin: bool = False) -> LoadedModel:
        entry = await self._ensure(name)
        entry.pinned = entry.pinned or pin
        return entry.loaded

    def pin(self, name: str, pinned: bool = True) -> None:
        entry = self._entries.get(name)
        if entry is None:
            raise Conflict(f"Model '{name}' is not loaded; load it before pinning it.")
        entry.pinned = pinned

    async def unload(self, name: str) -> bool:
        """Drop ``name`` from memory (pinned or not); ``False`` when it was not loaded."""
        entry = self._entries.get(name)
        if entry is None:
            return False
        if entry.leases:
            raise Conflict(
                f"Model '{name}' is serving {entry.leases} request(s); try again when they end."
            )
        del self._entries[name]
        await self._executor.call(release_memory)
        return True

    async def close(self) -> None:
        for task in self._loading.values():
            task.cancel()
        self._entries.clear()

    async def _ensure(self, name: str) -> _Entry:
        if entry := self._entries.get(name):
            self._entries.move_to_end(name)
            entry.last_used = time.monotonic()
            return entry
        task = self._loading.get(name)
        if task is None:
            local = self._catalog.get(name)
            size = estimate_memory(local)
            # No await between the room check and the reservation: concurrent loads see it.
            evicted = self._make_room(name, size)
            self._reserved[name] = size
            task = asyncio.create_task(self._load(local, evicted=evicted))
            self._loading[name] = task
        # A waiter that goes away must not cancel the load others are waiting for.
        return await asyncio.shield(task)

    async def _load(self, local: LocalModel, *, evicted: bool) -> _Entry:
        try:
            if evicted:
                await self._executor.call(release_memory)
            loader = self._loader
            loaded = await self._executor.call(lambda: loader(local))
            entry = _Entry(loaded=loaded, last_used=time.monotonic())
            self._entries[local.name] = entry
            return entry
        finally:
            del self._loading[local.name]
            del self._reserved[local.name]

    def _make_room(self, name: str, size: int) -> bool:
        """Evict LRU models until ``size`` more bytes and one more model fit; ``True`` if any."""
        limit = self.max_memory_bytes
        if limit is not None and size > limit:
            raise EngineError(
                f"Model '{name}' needs about {_gb(size)} but the engine's memory limit is "
                f"{_gb(limit)}; raise the limit or pick a smaller (quantized) model."
            )

        def over() -> bool:
            count = len(self._entries) + len(self._reserved) + 1
            memory = self.memory_bytes + sum(self._reserved.values()) + size
            return count > self.max_models or (limit is not None and memory > limit)

        evicted = False
        while over():
            victim = next(
                (n for n, e in self._entries.items() if not e.pinned and not e.leases), None
            )
            if victim is None:
                busy = ", ".join(self._entries) or "none"
                raise EngineError(
                    f"No room to load model '{name}': loaded models ({busy}) are pinned or "
                    "serving requests. Unload one or raise the engine's model/memory limits."
                )
            del self._entries[victim]
            evicted = True
        return evicted
