"""Loading a model and its tokenizer into memory through mlx-lm.

``load_model`` must run on the engine's worker thread, the one thread that touches MLX; mlx-lm is
imported there, so importing this package never imports MLX.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlx_manager.backends.mlx.discovery import LocalModel, weights_size
from mlx_manager.errors import EngineError, ModelNotFound


@dataclass(eq=False, slots=True)
class LoadedModel:
    """A model in memory. ``model`` and ``tokenizer`` are mlx-lm objects (``nn.Module`` and
    ``TokenizerWrapper``), typed loosely because MLX is optional."""

    name: str
    path: Path
    # Estimated resident size: the bytes of the weight files.
    size_bytes: int
    model: Any
    tokenizer: Any


def estimate_memory(model: LocalModel) -> int:
    return weights_size(model.path) or model.size_bytes


def load_model(local: LocalModel) -> LoadedModel:
    """Load ``local`` with ``mlx_lm.load``; failures become ``ModelNotFound`` or ``EngineError``."""
    if not local.path.is_dir():
        raise ModelNotFound(
            f"The files of model '{local.name}' are gone from {local.path}; "
            "download it again or unregister it.",
            param="model",
        )
    try:
        from mlx_lm.utils import load
    except ImportError as exc:
        raise EngineError(
            "The local engine is not installed: install mlx-manager with the 'local' extra "
            "(`uv sync --extra local`)."
        ) from exc
    try:
        model, tokenizer = load(str(local.path))[:2]
    # mlx raises RuntimeError for unreadable safetensors; mlx-lm ValueError for bad configs.
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise EngineError(
            f"Model '{local.name}' at {local.path} could not be loaded ({type(exc).__name__}: "
            f"{exc}); its files may be incomplete or of an unsupported architecture."
        ) from exc
    except MemoryError as exc:
        raise EngineError(
            f"Not enough memory to load model '{local.name}'; unload another model first."
        ) from exc
    return LoadedModel(
        name=local.name,
        path=local.path,
        size_bytes=estimate_memory(local),
        model=model,
        tokenizer=tokenizer,
    )


def release_memory() -> None:
    """Return freed buffers to the system after models were dropped (worker thread only)."""
    gc.collect()
    try:
        import mlx.core as mx
    except ImportError:
        return
    mx.clear_cache()
