"""Fixtures for the local engine: a tiny real model on disk and a backend serving it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mlx_manager.backends.mlx import EngineConfig, MLXBackend
from tests.tiny_model import build_tiny_model

TINY = "tiny-llama"
MUTE = "tiny-mute"


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / TINY)


@pytest.fixture(scope="session")
def mute_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model whose greedy choice is always EOS."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / MUTE, always_eos=True)


@pytest.fixture
def engine_config(tiny_model_path: Path, mute_model_path: Path, tmp_path: Path) -> EngineConfig:
    return EngineConfig(
        data_dir=tmp_path / "data",
        hf_cache=tmp_path / "hf",
        registered={TINY: tiny_model_path, MUTE: mute_model_path},
        max_loaded_models=2,
        max_memory_bytes=None,
        default_max_tokens=32,
    )


@pytest.fixture
async def backend(engine_config: EngineConfig) -> AsyncIterator[MLXBackend]:
    engine = MLXBackend(engine_config)
    yield engine
    await engine.aclose()
