"""The local MLX engine: models on this machine served through mlx-lm.

Owns discovery of model directories (``discovery``, ``catalog``), the pool of loaded models
(``pool``, ``loader``), the one thread that runs MLX (``worker``) and the translation of a
``ChatRequest`` into prompt tokens and of generated text into IR events (``prompt``, ``parser``,
``tools``, ``stops``). It does not own HTTP, routing, or persisting which models are registered.
MLX itself is imported only on the worker thread, so this package imports without it.

Start-up::

    backend = MLXBackend(EngineConfig(data_dir=settings.data_dir))
    ...
    await backend.aclose()
"""

from mlx_manager.backends.mlx.backend import EngineStatus, MLXBackend
from mlx_manager.backends.mlx.catalog import ModelCatalog
from mlx_manager.backends.mlx.config import EngineConfig
from mlx_manager.backends.mlx.discovery import LocalModel, discover_models, hf_cache_dir
from mlx_manager.backends.mlx.loader import LoadedModel, load_model
from mlx_manager.backends.mlx.pool import LoadedModelStatus, ModelPool, PoolStatus
from mlx_manager.backends.mlx.worker import EngineWorker, WorkerStats

__all__ = [
    "EngineConfig",
    "EngineStatus",
    "EngineWorker",
    "LoadedModel",
    "LoadedModelStatus",
    "LocalModel",
    "MLXBackend",
    "ModelCatalog",
    "ModelPool",
    "PoolStatus",
    "WorkerStats",
    "discover_models",
    "hf_cache_dir",
    "load_model",
]
