from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mlx_manager.backends.mlx import EngineWorker, LoadedModel, LocalModel, ModelCatalog, ModelPool
from mlx_manager.backends.mlx.loader import estimate_memory, load_model
from mlx_manager.errors import Conflict, EngineError, ModelNotFound


class CountingLoader:
    """The real loader, counting its calls per model."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, local: LocalModel) -> LoadedModel:
        self.calls.append(local.name)
        return load_model(local)


@pytest.fixture
async def worker() -> AsyncIterator[EngineWorker]:
    engine = EngineWorker()
    yield engine
    await engine.aclose()


@pytest.fixture
def catalog(tiny_model_path: Path, tmp_path: Path) -> ModelCatalog:
    # One tiny model under several names: each name is a separate pool entry.
    names = {n: tiny_model_path for n in ("a", "b", "c")}
    return ModelCatalog(hf_cache=None, models_dir=None, registered=names)


def make_pool(
    catalog: ModelCatalog,
    worker: EngineWorker,
    loader: CountingLoader,
    *,
    max_models: int = 2,
    max_memory_bytes: int | None = None,
) -> ModelPool:
    return ModelPool(
        catalog=catalog,
        executor=worker,
        loader=loader,
        max_models=max_models,
        max_memory_bytes=max_memory_bytes,
    )


def loaded_names(pool: ModelPool) -> list[str]:
    return [m.name for m in pool.status().loaded]


async def test_concurrent_requests_share_one_load(
    catalog: ModelCatalog, worker: EngineWorker
) -> None:
    loader = CountingLoader()
    pool = make_pool(catalog, worker, loader)

    async def use() -> LoadedModel:
        async with pool.lease("a") as loaded:
            return loaded

    results = await asyncio.gather(*(use() for _ in range(5)))

    assert loader.calls == ["a"]
    assert all(r is results[0] for r in results)
    assert results[0].tokenizer.eos_token_ids == {0}


async def test_lru_eviction_by_count(catalog: ModelCatalog, worker: EngineWorker) -> None:
    pool = make_pool(catalog, worker, CountingLoader(), max_models=2)
    await pool.load("a")
    await pool.load("b")
    await pool.load("a")  # a is now the most recently used

    await pool.load("c")

    assert loaded_names(pool) == ["a", "c"]


async def test_lru_eviction_by_memory(
    catalog: ModelCatalog, worker: EngineWorker, tiny_model_path: Path
) -> None:
    size = estimate_memory(catalog.get("a"))
    assert size > 0
    pool = make_pool(catalog, worker, CountingLoader(), max_models=10, max_memory_bytes=size * 2)
    await pool.load("a")
    await pool.load("b")
    assert pool.status().memory_bytes == 2 * size

    await pool.load("c")

    status = pool.status()
    assert [m.name for m in status.loaded] == ["b", "c"]
    assert status.memory_bytes == 2 * size
    assert status.max_memory_bytes == 2 * size


async def test_pinned_model_is_never_evicted(catalog: ModelCatalog, worker: EngineWorker) -> None:
    pool = make_pool(catalog, worker, CountingLoader(), max_models=2)
    await pool.load("a", pin=True)
    await pool.load("b")
    await pool.load("c")
    assert loaded_names(pool) == ["a", "c"]

    pool.pin("c")
    with pytest.raises(EngineError, match="pinned or serving"):
        await pool.load("b")
    assert loaded_names(pool) == ["a", "c"]


async def test_a_leased_model_is_not_evicted_nor_unloaded(
    catalog: ModelCatalog, worker: EngineWorker
) -> None:
    pool = make_pool(catalog, worker, CountingLoader(), max_models=1)
    async with pool.lease("a"):
        assert pool.status().loaded[0].in_use == 1
        with pytest.raises(EngineError):
            await pool.load("b")
        with pytest.raises(Conflict):
            await pool.unload("a")
    assert await pool.unload("a") is True
    assert await pool.unload("a") is False
    assert pool.status().loaded == []


async def test_model_larger_than_the_memory_limit_is_refused(
    catalog: ModelCatalog, worker: EngineWorker
) -> None:
    loader = CountingLoader()
    pool = make_pool(catalog, worker, loader, max_memory_bytes=1000)
    with pytest.raises(EngineError, match="memory limit"):
        await pool.load("a")
    assert loader.calls == []


async def test_broken_model_dir_raises_engine_error(
    tiny_model_path: Path, tmp_path: Path, worker: EngineWorker
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_path, broken)
    (broken / "model.safetensors").write_bytes(b"not safetensors at all")
    bad_config = tmp_path / "bad-config"
    shutil.copytree(tiny_model_path, bad_config)
    (bad_config / "config.json").write_text(json.dumps({"model_type": "no-such-arch"}))
    catalog = ModelCatalog(
        hf_cache=None, models_dir=None, registered={"broken": broken, "bad": bad_config}
    )
    pool = make_pool(catalog, worker, CountingLoader())

    with pytest.raises(EngineError, match="could not be loaded"):
        await pool.load("broken")
    with pytest.raises(EngineError, match="could not be loaded"):
        await pool.load("bad")
    assert pool.status().loaded == []
    assert pool.status().loading == []


async def test_missing_files_and_unknown_names_raise_model_not_found(
    catalog: ModelCatalog, worker: EngineWorker, tiny_model_path: Path, tmp_path: Path
) -> None:
    gone = shutil.copytree(tiny_model_path, tmp_path / "gone")
    catalog.register(gone)
    shutil.rmtree(gone)
    pool = make_pool(catalog, worker, CountingLoader())

    with pytest.raises(ModelNotFound):
        await pool.load("gone")
    with pytest.raises(ModelNotFound):
        await pool.load("never-heard-of-it")
